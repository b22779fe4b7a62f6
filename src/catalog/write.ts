import type { Value } from "../model/expr.js";
import { logicHash } from "../model/canonical.js";
import type { Diagnostic, RuleRecord } from "../model/rule.js";
import { conditionsOf, occurrences } from "../model/views.js";
import type { Db } from "./open.js";

/**
 * An indicator value as its language compares it: lower-cased unless the
 * predicate is case-sensitive. The key of corpus counts (indicators.value_norm).
 */
export function normValue(value: string | null, caseSensitive: boolean | undefined): string | null {
  return value === null ? null : caseSensitive === true ? value : value.toLowerCase();
}

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
    rules: RuleRecord[],
    diagnostics: Diagnostic[],
  ): { upserted: string[]; removed: string[] } {
    const removed = this.removeUnit(source, unit);
    const upserted: string[] = [];
    for (const d of diagnostics) this.insertDiagnostic(source, unit, null, d);
    for (const rule of rules) {
      const owner = this.s.ruleOwner.get(rule.id) as { source: string; unit: string } | undefined;
      if (owner) {
        this.insertDiagnostic(source, unit, null, {
          file: unit,
          level: "error",
          code: "catalog.duplicate-id",
          message: `rule id ${rule.id} is already defined by ${owner.source}:${owner.unit}; this copy is skipped`,
        });
        continue;
      }
      this.insertRule(source, unit, rule);
      upserted.push(rule.id);
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

  private insertRule(source: string, unit: string, r: RuleRecord): void {
    // The logic is stored once, in logic_json; the record holds everything else.
    const { tests, logic: _logic, ...rest } = r;
    const { lastInsertRowid } = this.s.insertRule.run({
      id: r.id,
      vendor: r.vendor,
      native_id: r.nativeId,
      format: r.format,
      language: r.language,
      source,
      unit,
      path: r.source.path,
      commit_sha: r.source.commit ?? null,
      title: r.title,
      description: r.description,
      severity: r.severity,
      status: r.status,
      modality: r.modality,
      enabled: r.enabled ? 1 : 0,
      fidelity: r.logic.fidelity,
      logic_hash: logicHash(r.logic),
      logic_json: JSON.stringify(r.logic),
      record_json: JSON.stringify(rest),
    });
    for (const a of r.attack) {
      this.s.insertAttack.run(r.id, a.raw, a.tactic ?? null, a.technique ?? null, a.other ?? null, a.name ?? null);
    }
    for (const l of r.logSources) this.s.insertLogSource.run(r.id, l.key, l.value);
    const indicatorText: string[] = [];
    for (const cond of conditionsOf(r.logic)) {
      for (const o of occurrences(cond)) {
        const values: (Value | undefined)[] = o.values.length > 0 ? o.values : [undefined];
        for (const v of values) {
          const value = v === undefined || v === null ? null : String(v);
          const norm = normValue(value, o.caseSensitive);
          if (value !== null && !o.negated) indicatorText.push(value);
          this.s.insertIndicator.run(
            r.id,
            o.field,
            o.kind,
            value,
            norm,
            o.negated ? 1 : 0,
            o.scope ? 1 : 0,
            o.caseSensitive === undefined ? null : o.caseSensitive ? 1 : 0,
            o.all ? 1 : 0,
            o.valuesFrom ?? null,
            o.origin ?? null,
          );
        }
      }
    }
    r.logic.outputFields.forEach((f, i) => this.s.insertOutput.run(r.id, i, f));
    tests.forEach((t, i) =>
      this.s.insertTest.run(
        r.id,
        i,
        t.name,
        t.expected ? 1 : 0,
        JSON.stringify((t.events ?? t.event) ?? null),
        t.mocks ? JSON.stringify(t.mocks) : null,
        t.logType ?? null,
        t.events ? (t.minMatches ?? 1) : null,
      ),
    );
    for (const d of r.diagnostics) this.insertDiagnostic(source, unit, r.id, d);
    const body = r.bodies.map((b) => b.text).join("\n");
    this.s.insertFts.run(lastInsertRowid, r.id, r.title, r.description, body, indicatorText.join(" "));
  }
}
