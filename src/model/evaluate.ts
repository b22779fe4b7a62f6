import type { Expr, Predicate, Value } from "./expr.js";
import { matchCidr } from "./match/cidr.js";
import { globMatch } from "./match/glob.js";
import { regexTest } from "./match/regex.js";
import type { Semantics } from "./semantics.js";

/** Kleene three-valued truth: null is UNKNOWN. */
export type Truth = boolean | null;

export interface EvalTrace {
  /** Called for every predicate evaluated, with its verdict. */
  onPredicate?(p: Predicate, verdict: Truth): void;
  /** Called for every opaque node met (its verdict is always unknown). */
  onOpaque?(text: string, reason: string): void;
}

/** Evaluates a condition on one event. Opaque nodes are UNKNOWN; and/or follow Kleene logic. */
export function evaluate(expr: Expr, event: unknown, sem: Semantics, trace?: EvalTrace): Truth {
  switch (expr.type) {
    case "true":
      return true;
    case "false":
      return false;
    case "opaque":
      trace?.onOpaque?.(expr.text, expr.reason);
      return null;
    case "not": {
      const v = evaluate(expr.arg, event, sem, trace);
      return v === null ? null : !v;
    }
    case "and": {
      let unknown = false;
      for (const a of expr.args) {
        const v = evaluate(a, event, sem, trace);
        if (v === false) return false;
        if (v === null) unknown = true;
      }
      return unknown ? null : true;
    }
    case "or": {
      let unknown = false;
      for (const a of expr.args) {
        const v = evaluate(a, event, sem, trace);
        if (v === true) return true;
        if (v === null) unknown = true;
      }
      return unknown ? null : false;
    }
    case "quant": {
      const items = sem.resolve(event, expr.over) ?? [];
      let unknown = false;
      for (const item of items) {
        const v = evaluate(expr.cond, item, sem, trace);
        if (expr.quantifier === "any" && v === true) return true;
        if (expr.quantifier === "all" && v === false) return false;
        if (v === null) unknown = true;
      }
      if (unknown) return null;
      return expr.quantifier === "all";
    }
    case "pred": {
      const v = evalPredicate(expr, event, sem);
      trace?.onPredicate?.(expr, v);
      return v;
    }
  }
}

function evalPredicate(p: Predicate, event: unknown, sem: Semantics): Truth {
  if (p.valuesFrom !== undefined && p.values.length === 0) return null; // the list's contents are not known
  const found = p.field === null ? keywordValues(event, sem) : sem.resolve(event, p.field);
  const present = sem.present ?? ((v: unknown) => v !== null && v !== undefined);
  if (p.kind === "is_null") return found === undefined || !found.some(present);
  if (p.kind === "is_not_null") return found !== undefined && found.some(present);
  if (found === undefined || found.length === 0) {
    // A missing field matches only a null value (Sigma `field: null` inside a list).
    return p.values.some((v) => v === null) ? true : false;
  }
  if (p.kind === "fieldref") {
    const others = p.values.map((f) => (typeof f === "string" ? sem.resolve(event, f) : undefined));
    const test = (o: unknown[] | undefined) =>
      o !== undefined && found.some((a) => o.some((b) => equals(a, b as Value, p, sem)));
    return p.all ? others.every(test) : others.some(test);
  }
  const matchOne = (value: Value): Truth => {
    let unknown = false;
    for (const actual of found) {
      const r = matchValue(p, actual, value, sem);
      if (r === true) return true;
      if (r === null) unknown = true;
    }
    return unknown ? null : false;
  };
  if (p.all) {
    let unknown = false;
    for (const v of p.values) {
      const r = matchOne(v);
      if (r === false) return false;
      if (r === null) unknown = true;
    }
    return unknown ? null : true;
  }
  let unknown = false;
  for (const v of p.values) {
    const r = matchOne(v);
    if (r === true) return true;
    if (r === null) unknown = true;
  }
  return unknown ? null : false;
}

function keywordValues(event: unknown, sem: Semantics): unknown[] {
  if (sem.keywords) return sem.keywords(event);
  const out: unknown[] = [];
  const walk = (n: unknown): void => {
    if (n === null || n === undefined) return;
    if (Array.isArray(n)) n.forEach(walk);
    else if (typeof n === "object") Object.values(n as object).forEach(walk);
    else out.push(n);
  };
  walk(event);
  return out;
}

function isCaseSensitive(p: Predicate, sem: Semantics): boolean {
  return p.caseSensitive ?? sem.caseSensitive;
}

function asText(v: unknown): string | null {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return null;
}

const NUMERIC = /^-?\d+(\.\d+)?$/;

function equals(actual: unknown, value: Value, p: Predicate, sem: Semantics): boolean {
  if (value === null) return actual === null || actual === undefined;
  if (actual === null || actual === undefined) return false;
  if (typeof value === "boolean" || typeof actual === "boolean") {
    if (typeof value === typeof actual) return value === actual;
    if (!sem.looseNumbers) return false;
    return String(actual).toLowerCase() === String(value).toLowerCase();
  }
  if (typeof actual === "object") return false;
  if (typeof value === "number" || typeof actual === "number") {
    if (typeof value === typeof actual) return value === actual;
    if (!sem.looseNumbers) return false;
    const s = String(typeof value === "number" ? actual : value);
    return NUMERIC.test(s.trim()) && Number(s) === Number(typeof value === "number" ? value : actual);
  }
  return isCaseSensitive(p, sem) ? actual === value : fold(actual as string) === fold(value);
}

function fold(s: string): string {
  return s.toLowerCase();
}

function matchValue(p: Predicate, actual: unknown, value: Value, sem: Semantics): Truth {
  switch (p.kind) {
    case "eq":
    case "in":
      return equals(actual, value, p, sem);
    case "contains":
    case "startswith":
    case "endswith": {
      const a = asText(actual);
      const v = asText(value);
      if (a === null || v === null) return false;
      const [x, y] = isCaseSensitive(p, sem) ? [a, v] : [fold(a), fold(v)];
      if (p.kind === "contains") return x.includes(y);
      return p.kind === "startswith" ? x.startsWith(y) : x.endsWith(y);
    }
    case "wildcard": {
      const a = asText(actual);
      const v = asText(value);
      if (a === null || v === null) return false;
      return globMatch(v, a, !isCaseSensitive(p, sem));
    }
    case "regex": {
      const a = asText(actual);
      if (a === null || typeof value !== "string") return false;
      return regexTest(value, a, !isCaseSensitive(p, sem), p.regexFlags ?? "", sem.regexDialect);
    }
    case "gt":
    case "gte":
    case "lt":
    case "lte": {
      const a = typeof actual === "number" ? actual : typeof actual === "string" && NUMERIC.test(actual.trim()) ? Number(actual) : NaN;
      const v = typeof value === "number" ? value : typeof value === "string" && NUMERIC.test(value.trim()) ? Number(value) : NaN;
      if (Number.isNaN(a) || Number.isNaN(v)) return false;
      if (p.kind === "gt") return a > v;
      if (p.kind === "gte") return a >= v;
      return p.kind === "lt" ? a < v : a <= v;
    }
    case "cidr": {
      const a = asText(actual);
      if (a === null || typeof value !== "string") return false;
      return matchCidr(a, value);
    }
    default:
      return null;
  }
}
