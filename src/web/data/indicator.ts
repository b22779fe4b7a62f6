import type { Db } from "../../catalog/open.js";
import type { PredKind } from "../../model/expr.js";
import { callAnalytics } from "./analytics.js";

export interface IndicatorQuery {
  field: string | null;
  kind: PredKind;
  value: string;
}

export interface IndicatorRule {
  id: string;
  title: string;
  vendor: string;
  /** The value as the rule wrote it. */
  value: string | null;
  origin: string | null;
}

export interface IndicatorData {
  query: IndicatorQuery;
  /** Rules that look for the value, by vendor. */
  looksFor: { vendor: string; rules: IndicatorRule[] }[];
  /** Rules that exclude it (the value sits under a NOT). */
  excludes: { vendor: string; rules: IndicatorRule[] }[];
  /** What the analytics module says, when it is available (canonical field matches). */
  analytics: unknown;
}

const KINDS: PredKind[] = ["eq", "in", "contains", "startswith", "endswith", "wildcard", "regex", "is_null", "is_not_null", "gt", "gte", "lt", "lte", "cidr", "fieldref"];

export class IndicatorQueryError extends Error {}

export function parseIndicatorQuery(p: URLSearchParams): IndicatorQuery {
  const kind = p.get("kind") ?? "";
  if (!(KINDS as string[]).includes(kind)) throw new IndicatorQueryError(`kind must be one of ${KINDS.join(", ")}`);
  const field = p.get("field");
  return { field: field === null || field === "" ? null : field, kind: kind as PredKind, value: p.get("value") ?? "" };
}

/**
 * The rules holding one (field, kind, value) indicator, split by polarity.
 * Values match as stored (value_norm is lower-cased where the rule compares
 * without case), so both spellings are looked up.
 */
export function indicatorData(db: Db, q: IndicatorQuery): IndicatorData {
  const rows = db
    .prepare(
      `SELECT DISTINCT r.id, r.title, r.vendor, i.value, i.origin, i.negated FROM indicators i JOIN rules r ON r.id = i.rule_id
       WHERE i.field IS ? AND i.kind = ? AND (i.value_norm = ? OR i.value_norm = ? OR (? = '' AND i.value IS NULL))
       ORDER BY r.vendor, r.title COLLATE NOCASE LIMIT 2000`,
    )
    .all(q.field, q.kind, q.value, q.value.toLowerCase(), q.value) as (IndicatorRule & { negated: number })[];
  const group = (neg: number) => {
    const out = new Map<string, IndicatorRule[]>();
    const seen = new Set<string>();
    for (const { negated, ...r } of rows) {
      if (negated !== neg || seen.has(r.id)) continue;
      seen.add(r.id);
      const l = out.get(r.vendor) ?? [];
      l.push(r);
      out.set(r.vendor, l);
    }
    return [...out].map(([vendor, rules]) => ({ vendor, rules }));
  };
  const a = callAnalytics("indicatorRules", (fn) => fn(db as never, q as never));
  return { query: q, looksFor: group(0), excludes: group(1), analytics: a.available ? a.data : null };
}
