import { type IndicatorResult, type IndicatorRule, indicatorRules } from "../../analytics/indicators.js";
import type { Db } from "../../catalog/open.js";
import type { PredKind } from "../../model/expr.js";

export interface IndicatorQuery {
  /** null: a keyword (any-field) indicator. */
  field: string | null;
  kind: PredKind;
  value: string;
}

export type VendorGroup = { vendor: string; rules: IndicatorRule[] };

export interface IndicatorData {
  query: IndicatorQuery;
  /** Canonical fields searched (the vendor field and the canonical names it maps to). */
  fields: string[];
  /** Rules that look for the value, by vendor. */
  looksFor: VendorGroup[];
  /** Rules whose every match is under a NOT: they exclude it. */
  excludes: VendorGroup[];
  counts: IndicatorResult["counts"];
}

const KINDS: PredKind[] = ["eq", "in", "contains", "startswith", "endswith", "wildcard", "regex", "is_null", "is_not_null", "gt", "gte", "lt", "lte", "cidr", "fieldref"];

export class IndicatorQueryError extends Error {}

export function parseIndicatorQuery(p: URLSearchParams): IndicatorQuery {
  const kind = p.get("kind") ?? "";
  if (!(KINDS as string[]).includes(kind)) throw new IndicatorQueryError(`kind must be one of ${KINDS.join(", ")}`);
  const field = p.get("field");
  const value = p.get("value");
  if (value === null) throw new IndicatorQueryError("value is missing (use value= for an empty value)");
  return { field: field === null || field === "" ? null : field, kind: kind as PredKind, value };
}

function byVendor(rules: IndicatorRule[]): VendorGroup[] {
  const out = new Map<string, IndicatorRule[]>();
  for (const r of rules) {
    const l = out.get(r.vendor) ?? [];
    l.push(r);
    out.set(r.vendor, l);
  }
  return [...out].sort(([a], [b]) => a.localeCompare(b)).map(([vendor, rs]) => ({ vendor, rules: rs }));
}

/** The rules holding one (field, kind, value) indicator, split by polarity, in canonical space. */
export function indicatorData(db: Db, q: IndicatorQuery): IndicatorData {
  const r = indicatorRules(db, { field: q.field ?? "", kind: q.kind, value: q.value });
  return { query: q, fields: r.fields, looksFor: byVendor(r.lookFor), excludes: byVendor(r.onlyExclude), counts: r.counts };
}
