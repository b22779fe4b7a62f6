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
import { ensureAnalyticsSchema } from "./schema.js";

const withFunctions = new WeakSet<Db>();

/** SQL functions over the canonical transforms: one implementation for SQL and JS. */
export function registerCanonicalFunctions(db: Db): void {
  if (withFunctions.has(db)) return;
  const det = { deterministic: true };
  db.function("ra_fkey", det, (f: unknown) => fieldKey(typeof f === "string" ? f : null));
  db.function("ra_ckind", det, (k: unknown, v: unknown) => canonicalKind(String(k), String(v)));
  db.function("ra_cvalue", det, (k: unknown, v: unknown) => canonicalValue(String(k), String(v)));
  db.function("ra_name", det, (k: unknown, v: unknown) => nameFromPath(String(k), String(v)));
  withFunctions.add(db);
}

/** Loads the canonical table into SQL when it changed; true when it did (keys must be rebuilt). */
export function syncCanonicalAliases(db: Db, table: CanonicalTable = canonicalTable()): boolean {
  const row = db.prepare("SELECT value FROM meta WHERE key = 'canonical_fields_hash'").get() as { value: string } | undefined;
  if (row?.value === table.hash) return false;
  db.prepare("DELETE FROM canonical_aliases").run();
  const ins = db.prepare("INSERT INTO canonical_aliases VALUES (?, ?, ?, ?, ?, ?)");
  for (const a of table.aliases) ins.run(a.field, a.when, a.canonical, a.role, a.nameField, a.family);
  db.prepare(
    "INSERT INTO meta (key, value) VALUES ('canonical_fields_hash', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  ).run(table.hash);
  return true;
}

/** `rule_id IN (...)` over a temp id table, or no filter at all. */
function inIds(column: string, idTable: string | null): string {
  return idTable ? `${column} IN (SELECT id FROM ${idTable})` : "1";
}

/** Context tokens per rule: vendor, log sources, scope values and context-field values. */
function buildContext(db: Db, idTable: string | null, table: CanonicalTable): void {
  db.exec("CREATE TEMP TABLE IF NOT EXISTS _ra_ctx (rule_id TEXT NOT NULL, token TEXT NOT NULL, PRIMARY KEY (rule_id, token)) WITHOUT ROWID");
  db.exec("DELETE FROM _ra_ctx");
  const rows = db
    .prepare(
      `SELECT rule_id, value FROM rule_logsources WHERE ${inIds("rule_id", idTable)}
       UNION ALL SELECT id, vendor FROM rules WHERE ${inIds("id", idTable)}
       UNION ALL SELECT rule_id, value FROM indicators WHERE ${inIds("rule_id", idTable)} AND negated = 0 AND value IS NOT NULL
         AND (scope = 1 OR ra_fkey(field) IN (SELECT value FROM json_each(?)))`,
    )
    .raw()
    .all(JSON.stringify(table.contextFields)) as [string, string][];
  const ins = db.prepare("INSERT OR IGNORE INTO _ra_ctx VALUES (?, ?)");
  for (const [id, value] of rows) for (const t of contextTokens(value)) ins.run(id, t);
}

/** Which canonical field(s) each indicator row maps to under its rule's context. */
function buildMapping(db: Db, idTable: string | null): void {
  db.exec("DROP TABLE IF EXISTS temp._ra_map");
  db.exec(`CREATE TEMP TABLE _ra_map AS
    SELECT DISTINCT i.rowid AS grp, a.canonical, a.role, a.name_field
    FROM indicators i JOIN canonical_aliases a ON a.field = ra_fkey(i.field)
    WHERE ${inIds("i.rule_id", idTable)} AND i.scope = 0 AND i.value IS NOT NULL AND (
      (a.when_token <> '' AND EXISTS (SELECT 1 FROM _ra_ctx c WHERE c.rule_id = i.rule_id AND c.token = a.when_token))
      OR (a.when_token = '' AND NOT EXISTS (
        SELECT 1 FROM canonical_aliases a2 JOIN _ra_ctx c ON c.token = a2.when_token AND c.rule_id = i.rule_id
        WHERE a2.field = a.field AND a2.when_token <> '')))`);
  db.exec("CREATE INDEX temp._ra_map_grp ON _ra_map (grp)");
}

function insertKeys(db: Db, idTable: string | null): void {
  db.exec(`INSERT INTO corpus_keys
    SELECT rule_id, 'raw', COALESCE(field, ''), CASE kind WHEN 'in' THEN 'eq' ELSE kind END, value_norm, negated, 0,
      field, kind, value, rowid
    FROM indicators WHERE ${inIds("rule_id", idTable)} AND scope = 0 AND value_norm IS NOT NULL`);
  db.exec(`INSERT INTO corpus_keys
    SELECT i.rule_id, 'canon', COALESCE(m.canonical, ra_fkey(i.field)), ra_ckind(i.kind, i.value), ra_cvalue(i.kind, i.value),
      i.negated, 0, i.field, i.kind, i.value, i.rowid
    FROM indicators i LEFT JOIN _ra_map m ON m.grp = i.rowid
    WHERE ${inIds("i.rule_id", idTable)} AND i.scope = 0 AND i.value IS NOT NULL`);
  db.exec(`INSERT INTO corpus_keys
    SELECT k.rule_id, 'canon', m.name_field, 'eq', ra_name(k.kind, k.value), k.neg, 1, k.src_field, k.src_kind, k.src_value, k.grp
    FROM corpus_keys k JOIN _ra_map m ON m.grp = k.grp AND m.canonical = k.field
    WHERE ${inIds("k.rule_id", idTable)} AND k.space = 'canon' AND k.derived = 0 AND m.role = 'path'
      AND ra_name(k.kind, k.value) IS NOT NULL`);
}

const KEY = "space, field, kind, value";

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
    db.exec("DELETE FROM corpus_keys");
  } else {
    db.exec("DROP TABLE IF EXISTS temp._ra_aff");
    db.exec(`CREATE TEMP TABLE _ra_aff AS SELECT DISTINCT ${KEY} FROM corpus_keys WHERE ${inIds("rule_id", idTable)} AND neg = 0`);
    db.exec(`DELETE FROM corpus_keys WHERE ${inIds("rule_id", idTable)}`);
  }
  buildContext(db, idTable, table);
  buildMapping(db, idTable);
  insertKeys(db, idTable);
  if (idTable === null) {
    db.exec("DELETE FROM corpus_counts");
    db.exec(`INSERT INTO corpus_counts SELECT ${KEY}, COUNT(DISTINCT rule_id) FROM corpus_keys WHERE neg = 0 GROUP BY ${KEY}`);
  } else {
    db.exec(`INSERT INTO _ra_aff SELECT DISTINCT ${KEY} FROM corpus_keys WHERE ${inIds("rule_id", idTable)} AND neg = 0`);
    db.exec(`DELETE FROM corpus_counts WHERE (${KEY}) IN (SELECT ${KEY} FROM _ra_aff)`);
    db.exec(`INSERT INTO corpus_counts SELECT ${KEY}, COUNT(DISTINCT rule_id) FROM corpus_keys
      WHERE neg = 0 AND (${KEY}) IN (SELECT ${KEY} FROM _ra_aff) GROUP BY ${KEY}`);
  }
  db.exec("DELETE FROM _ra_ctx");
  db.exec("DROP TABLE IF EXISTS temp._ra_map");
  db.exec("DROP TABLE IF EXISTS temp._ra_aff");
}
