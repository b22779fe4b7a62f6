import type { Db } from "../catalog/open.js";
import { ensureAttackSchema, hasTable } from "../attack/schema.js";

/**
 * Derived tables of the corpus analytics, beside the core catalog schema.
 * - corpus_keys: one row per (rule, indicator key) in two spaces: `raw` (field as written,
 *   value_norm, in→eq) and `canon` (canonical field, canonical kind/value, plus derived
 *   name keys of path fields). Scope rows are left out; negated rows are kept (neg = 1)
 *   for "only excludes it" queries. `grp` ties a key to its source indicator row.
 * - corpus_counts: distinct rules per key over non-negated rows.
 * - canonical_aliases: the canonical field table (data/canonical-fields), as SQL.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS corpus_keys (
  rule_id TEXT NOT NULL,
  space TEXT NOT NULL,
  field TEXT NOT NULL,
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  neg INTEGER NOT NULL,
  derived INTEGER NOT NULL,
  src_field TEXT,
  src_kind TEXT NOT NULL,
  src_value TEXT NOT NULL,
  grp INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS corpus_keys_key ON corpus_keys (space, field, kind, value);
CREATE INDEX IF NOT EXISTS corpus_keys_rule ON corpus_keys (rule_id);
CREATE TABLE IF NOT EXISTS corpus_counts (
  space TEXT NOT NULL,
  field TEXT NOT NULL,
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  rules INTEGER NOT NULL,
  PRIMARY KEY (space, field, kind, value)
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
`;

const ready = new WeakSet<Db>();

export function ensureAnalyticsSchema(db: Db): void {
  if (ready.has(db)) return;
  ensureAttackSchema(db);
  if (db.readonly) {
    if (!hasTable(db, "corpus_keys")) return;
  } else {
    db.exec(DDL);
  }
  ready.add(db);
}

export function analyticsReady(db: Db): boolean {
  ensureAnalyticsSchema(db);
  return ready.has(db);
}
