import type { Db } from "../catalog/open.js";
import { canonicalKind, canonicalValue, fieldKey } from "./canonical.js";
import { analyticsReady } from "./fresh.js";

export interface IndicatorQuery {
  /** A vendor field (Image, eventName) or a canonical one (process.path). */
  field: string;
  kind?: string;
  value?: string;
  limit?: number;
}

export interface IndicatorMatch {
  field: string | null;
  kind: string;
  value: string;
}

export interface IndicatorRule {
  id: string;
  title: string;
  vendor: string;
  modality: string;
  matches: IndicatorMatch[];
}

export interface IndicatorResult {
  query: IndicatorQuery;
  /** Canonical fields searched. */
  fields: string[];
  kind: string | null;
  value: string | null;
  /** Rules with at least one non-negated match. */
  lookFor: IndicatorRule[];
  /** Rules whose every match is under a NOT: they suppress it. */
  onlyExclude: IndicatorRule[];
  counts: { lookFor: number; onlyExclude: number };
}

interface Row {
  rule_id: string;
  neg: number;
  src_field: string | null;
  src_kind: string;
  src_value: string;
  title: string;
  vendor: string;
  modality: string;
}

/** The rules that look for (field, kind, value) in canonical space, and those that only exclude it. */
export function indicatorRules(db: Db, q: IndicatorQuery): IndicatorResult {
  const key = fieldKey(q.field);
  const result: IndicatorResult = {
    query: q,
    fields: [key],
    kind: null,
    value: null,
    lookFor: [],
    onlyExclude: [],
    counts: { lookFor: 0, onlyExclude: 0 },
  };
  if (!analyticsReady(db)) return result;
  const mapped = db.prepare("SELECT DISTINCT canonical FROM canonical_aliases WHERE field = ?").all(key) as { canonical: string }[];
  const fields = [...new Set([key, ...mapped.map((m) => m.canonical)])].sort();
  result.fields = fields;
  const where = [`field IN (${fields.map(() => "?").join(", ")})`];
  const args: string[] = [...fields];
  if (q.kind !== undefined) {
    result.kind = canonicalKind(q.kind, q.value ?? "");
    where.push("kind = ?");
    args.push(result.kind);
  }
  if (q.value !== undefined) {
    result.value = canonicalValue(q.kind ?? "eq", q.value);
    where.push("value = ?");
    args.push(result.value);
  }
  const rows = db
    .prepare(
      `SELECT k.rule_id, k.neg, i.field AS src_field, i.kind AS src_kind, i.value AS src_value, r.title, r.vendor, r.modality
       FROM corpus_keys k JOIN rules r ON r.id = k.rule_id JOIN indicators i ON i.rowid = k.grp WHERE ${where.map((w) => `k.${w}`).join(" AND ")}
       ORDER BY k.rule_id`,
    )
    .all(...args) as Row[];
  const byRule = new Map<string, { rule: IndicatorRule; positive: boolean; seen: Set<string> }>();
  for (const r of rows) {
    let e = byRule.get(r.rule_id);
    if (!e) {
      e = { rule: { id: r.rule_id, title: r.title, vendor: r.vendor, modality: r.modality, matches: [] }, positive: false, seen: new Set() };
      byRule.set(r.rule_id, e);
    }
    if (r.neg === 0) e.positive = true;
    const sig = `${r.src_field}\u0000${r.src_kind}\u0000${r.src_value}\u0000${r.neg}`;
    if (!e.seen.has(sig)) {
      e.seen.add(sig);
      e.rule.matches.push({ field: r.src_field, kind: r.neg ? `not ${r.src_kind}` : r.src_kind, value: r.src_value });
    }
  }
  const limit = q.limit ?? 200;
  const all = [...byRule.values()];
  const look = all.filter((e) => e.positive).map((e) => e.rule);
  const excl = all.filter((e) => !e.positive).map((e) => e.rule);
  result.counts = { lookFor: look.length, onlyExclude: excl.length };
  result.lookFor = look.slice(0, limit);
  result.onlyExclude = excl.slice(0, limit);
  return result;
}
