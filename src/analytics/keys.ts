import type { Db } from "../catalog/open.js";
import {
  type CanonicalTable,
  canonicalKind,
  canonicalTable,
  canonicalValue,
  contextTokens,
  fieldKey,
  nameFromPath,
} from "./canonical.js";
import { KEY_INDEXES, ensureAnalyticsSchema } from "./schema.js";

const withFunctions = new WeakSet<Db>();

/** SQL functions over the canonical transforms: one implementation for SQL and JS. */
export function registerCanonicalFunctions(db: Db): void {
  if (withFunctions.has(db)) return;
  const det = { deterministic: true };
  db.function("ra_ckind", det, (k: unknown, v: unknown) => canonicalKind(String(k), String(v)));
  db.function("ra_cvalue", det, (k: unknown, v: unknown) => canonicalValue(String(k), String(v)));
  db.function("ra_name", det, (k: unknown, v: unknown) => nameFromPath(String(k), String(v)));
  withFunctions.add(db);
}

/** Loads the canonical table into SQL when it changed; true when it did (keys must be rebuilt). */
export function syncCanonicalAliases(db: Db, table: CanonicalTable = canonicalTable()): boolean {
  if (storedTableHash(db) === table.hash) return false;
  db.prepare("DELETE FROM canonical_aliases").run();
  const ins = db.prepare("INSERT INTO canonical_aliases VALUES (?, ?, ?, ?, ?, ?)");
  for (const a of table.aliases) ins.run(a.field, a.when, a.canonical, a.role, a.nameField, a.family);
  db.prepare(
    "INSERT INTO meta (key, value) VALUES ('canonical_fields_hash', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  ).run(table.hash);
  return true;
}

export function storedTableHash(db: Db): string | undefined {
  return (db.prepare("SELECT value FROM meta WHERE key = 'canonical_fields_hash'").get() as { value: string } | undefined)?.value;
}

/** `rule_id IN (...)` over a temp id table, or no filter at all. */
function inIds(column: string, idTable: string | null): string {
  return idTable ? `${column} IN (SELECT id FROM ${idTable})` : "1";
}

/** Distinct written fields → table keys, computed once per distinct field rather than per row. */
function buildFieldKeys(db: Db, idTable: string | null): void {
  db.exec("CREATE TEMP TABLE IF NOT EXISTS _ra_fields (field TEXT PRIMARY KEY, fkey TEXT NOT NULL) WITHOUT ROWID");
  db.exec("DELETE FROM _ra_fields");
  const fields = db
    .prepare(`SELECT DISTINCT field FROM indicators WHERE ${inIds("rule_id", idTable)} AND field IS NOT NULL`)
    .pluck()
    .all() as string[];
  const ins = db.prepare("INSERT INTO _ra_fields VALUES (?, ?)");
  for (const f of fields) ins.run(f, fieldKey(f));
}

/**
 * Context tokens per rule: vendor, log sources, scope values and context-field values.
 * Tokenized once per distinct value (a corpus repeats "windows" thousands of times), then joined.
 */
function buildContext(db: Db, idTable: string | null, table: CanonicalTable): void {
  db.exec("CREATE TEMP TABLE IF NOT EXISTS _ra_ctx (rule_id TEXT NOT NULL, token TEXT NOT NULL, PRIMARY KEY (rule_id, token)) WITHOUT ROWID");
  db.exec("CREATE TEMP TABLE IF NOT EXISTS _ra_vtok (value TEXT NOT NULL, token TEXT NOT NULL, PRIMARY KEY (value, token)) WITHOUT ROWID");
  db.exec("DELETE FROM _ra_ctx; DELETE FROM _ra_vtok; DROP TABLE IF EXISTS temp._ra_cv;");
  db.prepare(
    `CREATE TEMP TABLE _ra_cv AS
     SELECT rule_id, value FROM rule_logsources WHERE ${inIds("rule_id", idTable)}
     UNION SELECT id, vendor FROM rules WHERE ${inIds("id", idTable)}
     UNION SELECT i.rule_id, i.value FROM indicators i JOIN _ra_fields f ON f.field = i.field
       WHERE ${inIds("i.rule_id", idTable)} AND i.negated = 0 AND i.value IS NOT NULL
       AND (i.scope = 1 OR f.fkey IN (SELECT value FROM json_each('${JSON.stringify(table.contextFields).replace(/'/g, "''")}')))`,
  ).run();
  const values = db.prepare("SELECT DISTINCT value FROM _ra_cv").pluck().all() as string[];
  const ins = db.prepare("INSERT OR IGNORE INTO _ra_vtok VALUES (?, ?)");
  for (const v of values) for (const t of contextTokens(v)) ins.run(v, t);
  db.exec("INSERT OR IGNORE INTO _ra_ctx SELECT DISTINCT c.rule_id, v.token FROM _ra_cv c JOIN _ra_vtok v ON v.value = c.value");
  db.exec("DROP TABLE temp._ra_cv");
}

/** Which canonical field(s) each indicator row maps to under its rule's context. */
function buildMapping(db: Db, idTable: string | null): void {
  db.exec("DROP TABLE IF EXISTS temp._ra_map");
  db.exec(`CREATE TEMP TABLE _ra_map AS
    SELECT DISTINCT i.rowid AS grp, a.canonical, a.role, a.name_field
    FROM indicators i JOIN _ra_fields f ON f.field = i.field JOIN canonical_aliases a ON a.field = f.fkey
    WHERE ${inIds("i.rule_id", idTable)} AND i.scope = 0 AND i.value IS NOT NULL AND (
      (a.when_token <> '' AND EXISTS (SELECT 1 FROM _ra_ctx c WHERE c.rule_id = i.rule_id AND c.token = a.when_token))
      OR (a.when_token = '' AND NOT EXISTS (
        SELECT 1 FROM canonical_aliases a2 JOIN _ra_ctx c ON c.token = a2.when_token AND c.rule_id = i.rule_id
        WHERE a2.field = a.field AND a2.when_token <> '')))`);
  db.exec("CREATE INDEX temp._ra_map_grp ON _ra_map (grp)");
}

/**
 * Canonical kind/value in SQL for the common cases; the JS transforms (same module as
 * the docs) only for globs and case-sensitive text, where SQLite's ASCII lower() would differ.
 */
const CKIND = "CASE i.kind WHEN 'in' THEN 'eq' WHEN 'wildcard' THEN ra_ckind(i.kind, i.value) ELSE i.kind END";
const CVALUE = `CASE WHEN i.kind = 'wildcard' OR (i.case_sensitive = 1 AND i.kind IN ('eq', 'in', 'contains', 'startswith', 'endswith'))
  THEN ra_cvalue(i.kind, i.value) WHEN i.kind IN ('eq', 'in', 'contains', 'startswith', 'endswith') THEN i.value_norm ELSE i.value END`;

function insertKeys(db: Db, idTable: string | null): void {
  db.exec(`INSERT INTO corpus_keys
    SELECT i.rule_id, COALESCE(m.canonical, f.fkey, ''), ${CKIND}, ${CVALUE}, i.negated, 0, i.rowid
    FROM indicators i LEFT JOIN _ra_fields f ON f.field = i.field LEFT JOIN _ra_map m ON m.grp = i.rowid
    WHERE ${inIds("i.rule_id", idTable)} AND i.scope = 0 AND i.value IS NOT NULL`);
  // The derived name key of each path row (Image endswith "\\x.exe" → process.name eq x.exe).
  db.exec(`INSERT INTO corpus_keys
    SELECT rule_id, name_field, 'eq', name, negated, 1, grp FROM (
      SELECT i.rule_id, m.name_field, ra_name(${CKIND}, ${CVALUE}) AS name, i.negated, i.rowid AS grp
      FROM _ra_map m CROSS JOIN indicators i ON i.rowid = m.grp WHERE m.role = 'path')
    WHERE name IS NOT NULL`);
}

const KEY = "field, kind, value";

/**
 * Rebuilds the corpus keys of the given rules (idTable: a temp table of ids, null = all)
 * and the counts of every key they had or have. Set-based: a handful of statements.
 */
export function refreshCorpusKeys(db: Db, idTable: string | null): void {
  ensureAnalyticsSchema(db);
  registerCanonicalFunctions(db);
  const table = canonicalTable();
  if (syncCanonicalAliases(db, table)) idTable = null;
  if (idTable === null) {
    db.exec("DROP INDEX IF EXISTS corpus_keys_key; DROP INDEX IF EXISTS corpus_keys_rule; DELETE FROM corpus_keys;");
  } else {
    db.exec("DROP TABLE IF EXISTS temp._ra_aff");
    db.exec(`CREATE TEMP TABLE _ra_aff AS SELECT DISTINCT ${KEY} FROM corpus_keys WHERE ${inIds("rule_id", idTable)} AND neg = 0`);
    db.exec(`DELETE FROM corpus_keys WHERE ${inIds("rule_id", idTable)}`);
  }
  buildFieldKeys(db, idTable);
  buildContext(db, idTable, table);
  buildMapping(db, idTable);
  insertKeys(db, idTable);
  if (idTable === null) {
    db.exec(KEY_INDEXES);
    db.exec("DELETE FROM corpus_counts");
    db.exec(`INSERT INTO corpus_counts SELECT ${KEY}, COUNT(DISTINCT rule_id) FROM corpus_keys WHERE neg = 0 GROUP BY ${KEY}`);
  } else {
    db.exec(`INSERT INTO _ra_aff SELECT DISTINCT ${KEY} FROM corpus_keys WHERE ${inIds("rule_id", idTable)} AND neg = 0`);
    db.exec(`DELETE FROM corpus_counts WHERE (${KEY}) IN (SELECT ${KEY} FROM _ra_aff)`);
    db.exec(`INSERT INTO corpus_counts SELECT ${KEY}, COUNT(DISTINCT rule_id) FROM corpus_keys
      WHERE neg = 0 AND (${KEY}) IN (SELECT ${KEY} FROM _ra_aff) GROUP BY ${KEY}`);
    db.exec("DROP TABLE IF EXISTS temp._ra_aff");
  }
  db.exec("DELETE FROM _ra_ctx; DELETE FROM _ra_vtok; DELETE FROM _ra_fields; DROP TABLE IF EXISTS temp._ra_map;");
}
