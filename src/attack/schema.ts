import type { Db } from "../catalog/open.js";

/**
 * ATT&CK tables, beside the core catalog schema. Several versions of a domain
 * may be loaded; resolution uses the newest. `attack_pairs` is derived: each
 * rule's references resolved into (tactic, technique) pairs.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS attack_versions (
  domain TEXT NOT NULL,
  version TEXT NOT NULL,
  source TEXT NOT NULL,
  imported_at TEXT NOT NULL,
  tactics INTEGER NOT NULL,
  techniques INTEGER NOT NULL,
  PRIMARY KEY (domain, version)
);
CREATE TABLE IF NOT EXISTS attack_tactics (
  domain TEXT NOT NULL,
  version TEXT NOT NULL,
  position INTEGER NOT NULL,
  id TEXT NOT NULL,
  shortname TEXT NOT NULL,
  name TEXT NOT NULL,
  PRIMARY KEY (domain, version, id)
);
CREATE TABLE IF NOT EXISTS attack_techniques (
  domain TEXT NOT NULL,
  version TEXT NOT NULL,
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  parent TEXT,
  tactics_json TEXT NOT NULL,
  platforms_json TEXT NOT NULL,
  deprecated INTEGER NOT NULL,
  revoked INTEGER NOT NULL,
  revoked_by TEXT,
  PRIMARY KEY (domain, version, id)
);
-- status: current | revoked | deprecated | unknown (not in the loaded version) | tactic (no technique).
-- counts_as: the loaded-version technique coverage counts the pair under (replacement of a revoked id,
-- stated v19→v18 crosswalk), NULL when none.
CREATE TABLE IF NOT EXISTS attack_pairs (
  rule_id TEXT NOT NULL,
  raw TEXT NOT NULL,
  tactic TEXT,
  tactic_short TEXT,
  tactic_name TEXT,
  tactic_known INTEGER NOT NULL,
  technique TEXT,
  name TEXT,
  status TEXT NOT NULL,
  counts_as TEXT,
  note TEXT
);
CREATE INDEX IF NOT EXISTS attack_pairs_rule ON attack_pairs (rule_id);
CREATE INDEX IF NOT EXISTS attack_pairs_counts ON attack_pairs (counts_as);
`;

const ready = new WeakSet<Db>();

export function ensureAttackSchema(db: Db): void {
  if (ready.has(db)) return;
  if (db.readonly) {
    // A read-only catalog cannot create tables: queries then see ATT&CK as not loaded.
    if (!hasTable(db, "attack_pairs")) return;
  } else {
    db.exec(DDL);
  }
  ready.add(db);
}

export function hasTable(db: Db, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}
