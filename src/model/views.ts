import type { Expr, Logic, PredKind, Predicate, Value } from "./expr.js";
import { canonicalJson } from "./canonical.js";
import { printExpr } from "./print.js";

/** A (field, kind, values) row of the derived views. */
export interface PredicateRow {
  field: string | null;
  kind: PredKind;
  values: Value[];
  all?: boolean;
  caseSensitive?: boolean;
  valuesFrom?: string;
  scope?: boolean;
  origin?: string;
}

export interface ExclusionRow extends PredicateRow {
  /**
   * Rows of one NOT(a AND b) share a group and are excluded only together;
   * rows split from NOT(a OR b) each stand alone (group absent).
   */
  group?: number;
  /** The whole excluded sub-condition, printed, when it is not a single predicate. */
  expr?: string;
}

export interface PredicateOccurrence extends PredicateRow {
  /** Under an odd number of NOTs: the rule suppresses it rather than looks for it. */
  negated: boolean;
}

function row(p: Predicate, prefix: string): PredicateRow {
  const r: PredicateRow = { field: p.field === null ? null : prefix + p.field, kind: p.kind, values: p.values };
  if (p.all) r.all = true;
  if (p.caseSensitive !== undefined) r.caseSensitive = p.caseSensitive;
  if (p.valuesFrom !== undefined) r.valuesFrom = p.valuesFrom;
  if (p.scope) r.scope = true;
  if (p.origin !== undefined) r.origin = p.origin;
  return r;
}

/** Every predicate with its polarity; quantified fields are prefixed with the array path. */
export function occurrences(e: Expr, negated = false, prefix = ""): PredicateOccurrence[] {
  switch (e.type) {
    case "pred":
      return [{ ...row(e, prefix), negated }];
    case "not":
      return occurrences(e.arg, !negated, prefix);
    case "and":
    case "or":
      return e.args.flatMap((a) => occurrences(a, negated, prefix));
    case "quant":
      return occurrences(e.cond, negated, `${prefix}${e.over}.`);
    default:
      return [];
  }
}

/** Conditions a rule evaluates: the main filter and, for multi-event rules, each event's. */
export function conditionsOf(logic: Logic): Expr[] {
  const out = [logic.condition];
  for (const ev of logic.aggregation?.events ?? []) out.push(ev.condition);
  return out;
}

function dedupe<R>(rows: R[]): R[] {
  const seen = new Set<string>();
  return rows.filter((r) => {
    const k = canonicalJson(r);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Indicators: every predicate not under a NOT, across all of the rule's conditions. */
export function indicators(logic: Logic): PredicateRow[] {
  return dedupe(
    conditionsOf(logic)
      .flatMap((c) => occurrences(c))
      .filter((o) => !o.negated)
      .map(({ negated: _n, ...r }) => r),
  );
}

/** Exclusions: the top-level conjuncts NOT(x); NOT(a OR b) splits into one row per operand. */
export function exclusions(logic: Logic): ExclusionRow[] {
  const out: ExclusionRow[] = [];
  let group = 0;
  for (const cond of conditionsOf(logic)) {
    const conjuncts = cond.type === "and" ? cond.args : [cond];
    for (const c of conjuncts) {
      if (c.type !== "not") continue;
      const alternatives = c.arg.type === "or" ? c.arg.args : [c.arg];
      for (const alt of alternatives) {
        if (alt.type === "pred") {
          out.push(row(alt, ""));
          continue;
        }
        // NOT(a AND b ...) or a deeper shape: every predicate inside, tied by a group.
        group++;
        const text = printExpr(alt, false);
        for (const o of occurrences(alt)) {
          const { negated: _n, ...r } = o;
          out.push({ ...r, group, expr: text });
        }
      }
    }
  }
  return dedupe(out);
}
