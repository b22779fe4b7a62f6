import type { Db } from "../catalog/open.js";
import { ensureAttackSchema, hasTable } from "../attack/schema.js";

/**
 * Derived tables of the corpus analytics, beside the core catalog schema.
 * - corpus_keys: one row per (rule, canonical indicator key): canonical field, canonical
 *   kind/value, plus the derived name keys of path fields. Scope rows are left out; negated
 *   rows are kept (neg = 1) for "only excludes it" queries. `grp` is the rowid of the source
 *   indicator row (its field/kind/value as written). Raw counts need no table: the core
 *   index indicators (field, kind, value_norm) answers them.
 * - corpus_counts: distinct rules per canonical key over non-negated rows.
 * - canonical_aliases: the canonical field table (data/canonical-fields), as SQL.
 * - related_rules: per rule, its stored related-rules answer (related-store.ts).
 */
/** Dropped and rebuilt around a full rebuild: one bulk index build beats 50k index updates. */
export const KEY_INDEXES = `
CREATE INDEX IF NOT EXISTS corpus_keys_key ON corpus_keys (field, kind, value, neg, rule_id);
CREATE INDEX IF NOT EXISTS corpus_keys_rule ON corpus_keys (rule_id);
`;

const DDL = `
CREATE TABLE IF NOT EXISTS corpus_keys (
  rule_id TEXT NOT NULL,
  field TEXT NOT NULL,
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  neg INTEGER NOT NULL,
  derived INTEGER NOT NULL,
  grp INTEGER NOT NULL
);
${KEY_INDEXES}
CREATE TABLE IF NOT EXISTS corpus_counts (
  field TEXT NOT NULL,
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  rules INTEGER NOT NULL,
  PRIMARY KEY (field, kind, value)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS canonical_aliases (
  field TEXT NOT NULL,
  when_token TEXT NOT NULL,
  canonical TEXT NOT NULL,
  role TEXT NOT NULL,
  name_field TEXT,
  family TEXT NOT NULL,
  PRIMARY KEY (field, when_token)
);
CREATE TABLE IF NOT EXISTS related_rules (
  rule_id TEXT PRIMARY KEY,
  total INTEGER NOT NULL,
  related_json TEXT NOT NULL,
  technique_json TEXT NOT NULL
) WITHOUT ROWID;
`;

/** Bumped when a derived table changes shape: the derived tables are then dropped and rebuilt. */
const ANALYTICS_SCHEMA = "4";

const ready = new WeakSet<Db>();

export function ensureAnalyticsSchema(db: Db): void {
  if (ready.has(db)) return;
  ensureAttackSchema(db);
  if (db.readonly) {
    if (!hasTable(db, "corpus_keys")) return;
  } else {
    const row = db.prepare("SELECT value FROM meta WHERE key = 'analytics_schema'").get() as { value: string } | undefined;
    if (row?.value !== ANALYTICS_SCHEMA) {
      db.exec(`DROP TABLE IF EXISTS corpus_keys; DROP TABLE IF EXISTS corpus_counts; DROP TABLE IF EXISTS canonical_aliases;
        DROP TABLE IF EXISTS related_rules;
        DELETE FROM meta WHERE key = 'canonical_fields_hash';`);
      db.prepare(
        "INSERT INTO meta (key, value) VALUES ('analytics_schema', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      ).run(ANALYTICS_SCHEMA);
    }
    db.exec(DDL);
  }
  ready.add(db);
}
