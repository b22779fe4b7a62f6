import type { Expr, Predicate, Value } from "./expr.js";

/**
 * Renders a condition the way the reference page does: one top-level
 * conjunct per line, `field kind value(s)`, strings JSON-quoted.
 */
export function printCondition(e: Expr): string[] {
  if (e.type === "and") return e.args.map((a) => printExpr(a, false));
  return [printExpr(e, false)];
}

export function printExpr(e: Expr, nested = true): string {
  switch (e.type) {
    case "true":
      return "true";
    case "false":
      return "false";
    case "pred":
      return printPredicate(e);
    case "opaque":
      return `opaque(${JSON.stringify(oneLine(e.text))})`;
    case "not":
      return `not (${printExpr(e.arg, false)})`;
    case "quant":
      return `${e.quantifier}(${e.over}[] : ${printExpr(e.cond, false)})`;
    case "and":
    case "or": {
      const inner = e.args.map((a) => printExpr(a, true)).join(` ${e.type} `);
      return nested ? `(${inner})` : inner;
    }
  }
}

export function printPredicate(p: Predicate): string {
  const field = p.field ?? "keywords";
  if (p.kind === "is_null" || p.kind === "is_not_null") return `${field} ${p.kind}`;
  const kind = p.all ? `${p.kind} all` : p.kind;
  const flags = p.kind === "regex" ? regexSuffix(p) : p.caseSensitive ? " (cased)" : "";
  if (p.valuesFrom !== undefined && p.values.length === 0) return `${field} ${kind} ${p.valuesFrom}${flags}`;
  const vals =
    p.values.length === 1 && p.kind !== "in" ? printValue(p.values[0]) : `[${p.values.map(printValue).join(", ")}]`;
  const from = p.valuesFrom !== undefined ? ` + ${p.valuesFrom}` : "";
  return `${field} ${kind} ${vals}${from}${flags}`;
}

function regexSuffix(p: Predicate): string {
  const f = `${p.caseSensitive === false ? "i" : ""}${p.regexFlags ?? ""}`;
  return f ? ` (flags ${f})` : "";
}

export function printValue(v: Value): string {
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}

function oneLine(s: string): string {
  const t = s.replace(/\s+/g, " ").trim();
  return t.length > 160 ? `${t.slice(0, 157)}...` : t;
}
