/**
 * The catalog's tables. Logic is stored whole as JSON (with a hash of its
 * canonical form) and also broken into rows that queries can index:
 * indicator rows (one per value, with polarity), output fields, ATT&CK refs.
 */
export const SCHEMA_VERSION = 4;

/** Steps from each older version to the next; index i upgrades version i+1 to i+2. */
export const MIGRATIONS: string[] = [
  "ALTER TABLE tests ADD COLUMN min_matches INTEGER",
  // Version 3: an FTS row shares its rule's rowid (deletes by rowid, not by a scan of the id column).
  `DELETE FROM rules_fts;
   INSERT INTO rules_fts (rowid, id, title, description, body, indicators)
   SELECT r.rowid, r.id, r.title, r.description,
     (SELECT group_concat(b.value ->> '$.text', char(10)) FROM json_each(r.record_json, '$.bodies') AS b),
     (SELECT group_concat(i.value, ' ') FROM indicators AS i WHERE i.rule_id = r.id AND i.negated = 0 AND i.value IS NOT NULL)
   FROM rules AS r;`,
  // Version 4: no query looks indicators up by value alone (corpus counts use indicators_key): one index less to fill.
  "DROP INDEX IF EXISTS indicators_value",
];

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS sources (
  name TEXT PRIMARY KEY,
  dir TEXT NOT NULL,
  format TEXT NOT NULL,
  commit_sha TEXT,
  url TEXT,
  ingested_at TEXT NOT NULL,
  units INTEGER NOT NULL DEFAULT 0,
  rules INTEGER NOT NULL DEFAULT 0,
  failed_units INTEGER NOT NULL DEFAULT 0
);

-- One row per ingest unit: its content hash decides whether it is compiled again.
CREATE TABLE IF NOT EXISTS units (
  source TEXT NOT NULL,
  path TEXT NOT NULL,
  hash TEXT NOT NULL,
  rules INTEGER NOT NULL,
  PRIMARY KEY (source, path)
);

CREATE TABLE IF NOT EXISTS rules (
  id TEXT PRIMARY KEY,
  vendor TEXT NOT NULL,
  native_id TEXT NOT NULL,
  format TEXT NOT NULL,
  language TEXT NOT NULL,
  source TEXT NOT NULL,
  unit TEXT NOT NULL,
  path TEXT NOT NULL,
  commit_sha TEXT,
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  severity TEXT,
  status TEXT,
  modality TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  fidelity TEXT NOT NULL,
  logic_hash TEXT NOT NULL,
  logic_json TEXT NOT NULL,
  record_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS rules_unit ON rules (source, unit);
CREATE INDEX IF NOT EXISTS rules_vendor ON rules (vendor, modality);

CREATE TABLE IF NOT EXISTS rule_attack (
  rule_id TEXT NOT NULL,
  raw TEXT NOT NULL,
  tactic TEXT,
  technique TEXT,
  other TEXT,
  name TEXT
);
CREATE INDEX IF NOT EXISTS rule_attack_rule ON rule_attack (rule_id);
CREATE INDEX IF NOT EXISTS rule_attack_technique ON rule_attack (technique);

CREATE TABLE IF NOT EXISTS rule_logsources (rule_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS rule_logsources_rule ON rule_logsources (rule_id);

-- One row per (predicate, value). value_norm is the value as the language compares it
-- (lower-cased where matching is case-insensitive): the key for corpus counts.
CREATE TABLE IF NOT EXISTS indicators (
  rule_id TEXT NOT NULL,
  field TEXT,
  kind TEXT NOT NULL,
  value TEXT,
  value_norm TEXT,
  negated INTEGER NOT NULL,
  scope INTEGER NOT NULL,
  case_sensitive INTEGER,
  all_values INTEGER NOT NULL,
  values_from TEXT,
  origin TEXT
);
CREATE INDEX IF NOT EXISTS indicators_rule ON indicators (rule_id);
CREATE INDEX IF NOT EXISTS indicators_key ON indicators (field, kind, value_norm);

CREATE TABLE IF NOT EXISTS output_fields (rule_id TEXT NOT NULL, position INTEGER NOT NULL, field TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS output_fields_rule ON output_fields (rule_id);

CREATE TABLE IF NOT EXISTS tests (
  rule_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  expected INTEGER NOT NULL,
  event_json TEXT NOT NULL,
  mocks_json TEXT,
  log_type TEXT,
  -- set when event_json holds a list of records of which at least this many must fire
  min_matches INTEGER
);
CREATE INDEX IF NOT EXISTS tests_rule ON tests (rule_id);

CREATE TABLE IF NOT EXISTS diagnostics (
  source TEXT NOT NULL,
  unit TEXT NOT NULL,
  rule_id TEXT,
  file TEXT NOT NULL,
  line INTEGER,
  col INTEGER,
  level TEXT NOT NULL,
  code TEXT NOT NULL,
  message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS diagnostics_unit ON diagnostics (source, unit);
CREATE INDEX IF NOT EXISTS diagnostics_rule ON diagnostics (rule_id);

CREATE VIRTUAL TABLE IF NOT EXISTS rules_fts USING fts5(
  id UNINDEXED, title, description, body, indicators, tokenize = 'unicode61 remove_diacritics 2'
);
`;
