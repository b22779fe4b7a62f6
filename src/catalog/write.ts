import type { Diagnostic } from "../model/rule.js";
import type { Db } from "./open.js";
import type { RuleRows } from "./rows.js";

export interface SourceRow {
  name: string;
  dir: string;
  format: string;
  commit: string | null;
  url: string | null;
}

/**
 * Prepared statements for writing one ingest. Built once per ingest: preparing
 * per rule would dominate the cost of small rules.
 */
export class CatalogWriter {
  private readonly s;

  constructor(db: Db) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      unitHashes: p("SELECT path, hash FROM units WHERE source = ?"),
      unitPaths: p("SELECT path FROM units WHERE source = ?"),
      upsertUnit: p(
        "INSERT INTO units (source, path, hash, rules) VALUES (?, ?, ?, ?) ON CONFLICT (source, path) DO UPDATE SET hash = excluded.hash, rules = excluded.rules",
      ),
      deleteUnit: p("DELETE FROM units WHERE source = ? AND path = ?"),
      unitRules: p("SELECT id FROM rules WHERE source = ? AND unit = ?"),
      ruleOwner: p("SELECT source, unit FROM rules WHERE id = ?"),
      insertRule: p(
        `INSERT INTO rules (id, vendor, native_id, format, language, source, unit, path, commit_sha, title, description,
          severity, status, modality, enabled, fidelity, logic_hash, logic_json, record_json)
         VALUES (@id, @vendor, @native_id, @format, @language, @source, @unit, @path, @commit_sha, @title, @description,
          @severity, @status, @modality, @enabled, @fidelity, @logic_hash, @logic_json, @record_json)`,
      ),
      insertAttack: p("INSERT INTO rule_attack (rule_id, raw, tactic, technique, other, name) VALUES (?, ?, ?, ?, ?, ?)"),
      insertLogSource: p("INSERT INTO rule_logsources (rule_id, key, value) VALUES (?, ?, ?)"),
      insertIndicator: p(
        `INSERT INTO indicators (rule_id, field, kind, value, value_norm, negated, scope, case_sensitive, all_values, values_from, origin)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertOutput: p("INSERT INTO output_fields (rule_id, position, field) VALUES (?, ?, ?)"),
      insertTest: p(
        "INSERT INTO tests (rule_id, position, name, expected, event_json, mocks_json, log_type, min_matches) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      ),
      insertDiag: p(
        "INSERT INTO diagnostics (source, unit, rule_id, file, line, col, level, code, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      ),
      // The FTS row shares the rule's rowid: deleting by the UNINDEXED id column would scan the whole index.
      insertFts: p("INSERT INTO rules_fts (rowid, id, title, description, body, indicators) VALUES (?, ?, ?, ?, ?, ?)"),
      deleteUnitDiags: p("DELETE FROM diagnostics WHERE source = ? AND unit = ?"),
      del: ["rules", "rule_attack", "rule_logsources", "indicators", "output_fields", "tests"].map((t) =>
        p(`DELETE FROM ${t} WHERE ${t === "rules" ? "id" : "rule_id"} = ?`),
      ),
      delFts: p("DELETE FROM rules_fts WHERE rowid = (SELECT rowid FROM rules WHERE id = ?)"),
      upsertSource: p(
        `INSERT INTO sources (name, dir, format, commit_sha, url, ingested_at) VALUES (@name, @dir, @format, @commit, @url, @at)
         ON CONFLICT (name) DO UPDATE SET dir = excluded.dir, format = excluded.format, commit_sha = excluded.commit_sha,
           url = COALESCE(excluded.url, sources.url), ingested_at = excluded.ingested_at`,
      ),
      // Unchanged units keep their rows, but every rule of a source is pinned to the source's current commit.
      pinCommit: p("UPDATE rules SET commit_sha = @commit WHERE source = @name AND commit_sha IS NOT @commit"),
      sourceCounts: p(
        `UPDATE sources SET units = (SELECT COUNT(*) FROM units WHERE source = @name),
           rules = (SELECT COUNT(*) FROM rules WHERE source = @name),
           failed_units = (SELECT COUNT(DISTINCT unit) FROM diagnostics WHERE source = @name AND level = 'error' AND rule_id IS NULL)
         WHERE name = @name`,
      ),
    };
  }

  private hashes = new Map<string, Map<string, string>>();

  /** The stored content hash of a unit; a source's hashes are read in one query. */
  unitHash(source: string, path: string): string | undefined {
    let m = this.hashes.get(source);
    if (!m) {
      m = new Map((this.s.unitHashes.all(source) as { path: string; hash: string }[]).map((r) => [r.path, r.hash]));
      this.hashes.set(source, m);
    }
    return m.get(path);
  }

  unitPaths(source: string): string[] {
    return (this.s.unitPaths.all(source) as { path: string }[]).map((r) => r.path);
  }

  upsertSource(src: SourceRow): void {
    this.s.upsertSource.run({ ...src, at: new Date().toISOString() });
  }

  refreshSourceCounts(name: string, commit: string | null): void {
    this.s.pinCommit.run({ name, commit });
    this.s.sourceCounts.run({ name });
  }

  /** Removes a unit and everything it produced; returns the ids of the rules removed. */
  removeUnit(source: string, unit: string): string[] {
    const ids = (this.s.unitRules.all(source, unit) as { id: string }[]).map((r) => r.id);
    for (const id of ids) this.deleteRule(id);
    this.s.deleteUnitDiags.run(source, unit);
    this.s.deleteUnit.run(source, unit);
    return ids;
  }

  /**
   * Replaces what a unit produced. A rule id already owned by another unit is
   * not overwritten: the newcomer gets a diagnostic instead (ids must be unique).
   */
  replaceUnit(
    source: string,
    unit: string,
    hash: string,
    rules: RuleRows[],
    diagnostics: Diagnostic[],
  ): { upserted: string[]; removed: string[] } {
    const removed = this.removeUnit(source, unit);
    const upserted: string[] = [];
    for (const d of diagnostics) this.insertDiagnostic(source, unit, null, d);
    for (const rule of rules) {
      const id = rule.rule.id;
      const owner = this.s.ruleOwner.get(id) as { source: string; unit: string } | undefined;
      if (owner) {
        this.insertDiagnostic(source, unit, null, {
          file: unit,
          level: "error",
          code: "catalog.duplicate-id",
          message: `rule id ${id} is already defined by ${owner.source}:${owner.unit}; this copy is skipped`,
        });
        continue;
      }
      this.insertRule(source, unit, rule);
      upserted.push(id);
    }
    this.s.upsertUnit.run(source, unit, hash, upserted.length);
    return { upserted, removed: removed.filter((id) => !upserted.includes(id)) };
  }

  private deleteRule(id: string): void {
    this.s.delFts.run(id);
    for (const st of this.s.del) st.run(id);
  }

  private insertDiagnostic(source: string, unit: string, ruleId: string | null, d: Diagnostic): void {
    this.s.insertDiag.run(source, unit, ruleId, d.file, d.line ?? null, d.column ?? null, d.level, d.code, d.message);
  }

  private insertRule(source: string, unit: string, r: RuleRows): void {
    const id = r.rule.id;
    const { lastInsertRowid } = this.s.insertRule.run({ ...r.rule, source, unit });
    for (const a of r.attack) this.s.insertAttack.run(id, ...a);
    for (const l of r.logSources) this.s.insertLogSource.run(id, ...l);
    for (const i of r.indicators) this.s.insertIndicator.run(id, ...i);
    r.outputFields.forEach((f, i) => this.s.insertOutput.run(id, i, f));
    r.tests.forEach((t, i) => this.s.insertTest.run(id, i, ...t));
    for (const d of r.diagnostics) this.insertDiagnostic(source, unit, id, d);
    this.s.insertFts.run(lastInsertRowid, id, r.rule.title, r.rule.description, r.fts.body, r.fts.indicators);
  }
}
