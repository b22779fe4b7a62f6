import { type AttackView, type CorpusEntry, attackOf, corpusOf } from "../analytics/api.js";
import type { Logic } from "../model/expr.js";
import { printCondition } from "../model/print.js";
import type { Diagnostic, RuleRecord, RuleTest } from "../model/rule.js";
import { type ExclusionRow, type PredicateRow, exclusions, indicators } from "../model/views.js";
import type { Db } from "./open.js";

export interface IndicatorView extends PredicateRow {
  corpus: CorpusEntry[];
}

/** Everything a rule page (and `show --json`) carries. */
export interface RuleView extends Omit<RuleRecord, "attack" | "logic" | "tests" | "diagnostics"> {
  attack: AttackView[];
  logic: Logic & {
    conditionText: string[];
    exclusions: ExclusionRow[];
    indicators: IndicatorView[];
  };
  /** Rule body of the rule's main file, for clients that want one string. */
  body: string;
  logicHash: string;
  tests: RuleTest[];
  diagnostics: Diagnostic[];
}

type RuleRow = { record_json: string; logic_json: string; logic_hash: string; commit_sha: string | null };

export function ruleExists(db: Db, id: string): boolean {
  return db.prepare("SELECT 1 FROM rules WHERE id = ?").get(id) !== undefined;
}

export function getRecord(db: Db, id: string): (Omit<RuleRecord, "tests"> & { logicHash: string }) | undefined {
  const row = db.prepare("SELECT record_json, logic_json, logic_hash, commit_sha FROM rules WHERE id = ?").get(id) as RuleRow | undefined;
  if (!row) return undefined;
  const rec = { ...(JSON.parse(row.record_json) as Omit<RuleRecord, "tests" | "logic">), logic: JSON.parse(row.logic_json) as Logic };
  // The commit column follows the source's latest ingest; the stored record keeps the one it was compiled at.
  const source = { ...rec.source, ...(row.commit_sha ? { commit: row.commit_sha } : {}) };
  return { ...rec, source, logicHash: row.logic_hash };
}

export function getTests(db: Db, id: string): RuleTest[] {
  const rows = db
    .prepare("SELECT name, expected, event_json, mocks_json, log_type, min_matches FROM tests WHERE rule_id = ? ORDER BY position")
    .all(id) as {
    name: string;
    expected: number;
    event_json: string;
    mocks_json: string | null;
    log_type: string | null;
    min_matches: number | null;
  }[];
  return rows.map((r) => {
    const parsed = JSON.parse(r.event_json) as unknown;
    const t: RuleTest =
      r.min_matches !== null && Array.isArray(parsed)
        ? { name: r.name, expected: r.expected === 1, event: null, events: parsed, minMatches: r.min_matches }
        : { name: r.name, expected: r.expected === 1, event: parsed };
    if (r.mocks_json) t.mocks = JSON.parse(r.mocks_json);
    if (r.log_type) t.logType = r.log_type;
    return t;
  });
}

export function getRuleView(db: Db, id: string): RuleView | undefined {
  const rec = getRecord(db, id);
  if (!rec) return undefined;
  const inds = indicators(rec.logic);
  const corpus = corpusOf(db, id, inds);
  const diagnostics = db
    .prepare(
      `SELECT file, line, col, level, code, message FROM diagnostics
       WHERE rule_id = ? OR (rule_id IS NULL AND (source, unit) = (SELECT source, unit FROM rules WHERE id = ?))`,
    )
    .all(id, id) as { file: string; line: number | null; col: number | null; level: Diagnostic["level"]; code: string; message: string }[];
  return {
    ...rec,
    attack: attackOf(db, id),
    body: rec.bodies[0]?.text ?? "",
    logic: {
      ...rec.logic,
      conditionText: printCondition(rec.logic.condition),
      exclusions: exclusions(rec.logic),
      indicators: inds.map((r, i) => ({ ...r, corpus: corpus[i] ?? [] })),
    },
    tests: getTests(db, id),
    diagnostics: diagnostics.map((d) => ({
      file: d.file,
      ...(d.line !== null ? { line: d.line } : {}),
      ...(d.col !== null ? { column: d.col } : {}),
      level: d.level,
      code: d.code,
      message: d.message,
    })),
  };
}

export interface StatsFilter {
  vendor?: string;
  modality?: string;
}

export interface VendorStats {
  rules: number;
  /** Enabled, not deprecated/unsupported. */
  active: number;
  fidelity: { full: number; partial: number; none: number };
  diagnostics: number;
  tests: number;
  sources: { name: string; commit: string | null; ingestedAt: string }[];
}

const INACTIVE_STATUS = "('deprecated', 'unsupported', 'removed')";

export function stats(db: Db, f: StatsFilter = {}): { vendors: Record<string, VendorStats>; total: number } {
  const where: string[] = [];
  const args: string[] = [];
  if (f.vendor) {
    where.push("vendor = ?");
    args.push(f.vendor);
  }
  if (f.modality) {
    where.push("modality = ?");
    args.push(f.modality);
  }
  const w = where.length ? `WHERE ${where.join(" AND ")}` : "";
  const rows = db
    .prepare(
      `SELECT vendor, COUNT(*) AS rules,
         SUM(enabled = 1 AND COALESCE(status, '') NOT IN ${INACTIVE_STATUS}) AS active,
         SUM(fidelity = 'full') AS full, SUM(fidelity = 'partial') AS partial, SUM(fidelity = 'none') AS none
       FROM rules ${w} GROUP BY vendor ORDER BY vendor`,
    )
    .all(...args) as { vendor: string; rules: number; active: number; full: number; partial: number; none: number }[];
  const diag = new Map(
    (
      db
        .prepare(
          `SELECT COALESCE(r.vendor, s.format) AS vendor, COUNT(*) AS n FROM diagnostics d
           LEFT JOIN rules r ON r.id = d.rule_id LEFT JOIN sources s ON s.name = d.source GROUP BY 1`,
        )
        .all() as { vendor: string; n: number }[]
    ).map((r) => [r.vendor, r.n]),
  );
  const tests = new Map(
    (
      db.prepare(`SELECT r.vendor, COUNT(*) AS n FROM tests t JOIN rules r ON r.id = t.rule_id ${w ? w.replace(/vendor|modality/g, (m) => `r.${m}`) : ""} GROUP BY 1`).all(...args) as {
        vendor: string;
        n: number;
      }[]
    ).map((r) => [r.vendor, r.n]),
  );
  const sources = db
    .prepare(
      "SELECT DISTINCT r.vendor, s.name, s.commit_sha, s.ingested_at FROM sources s JOIN rules r ON r.source = s.name",
    )
    .all() as { vendor: string; name: string; commit_sha: string | null; ingested_at: string }[];
  const vendors: Record<string, VendorStats> = {};
  for (const r of rows) {
    vendors[r.vendor] = {
      rules: r.rules,
      active: r.active,
      fidelity: { full: r.full, partial: r.partial, none: r.none },
      diagnostics: diag.get(r.vendor) ?? 0,
      tests: tests.get(r.vendor) ?? 0,
      sources: sources
        .filter((s) => s.vendor === r.vendor)
        .map((s) => ({ name: s.name, commit: s.commit_sha, ingestedAt: s.ingested_at })),
    };
  }
  return { vendors, total: rows.reduce((n, r) => n + r.rules, 0) };
}
