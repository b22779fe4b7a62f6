import { opaque, pred, type Expr, type Value } from "../../model/expr.js";
import { mkAnd, mkNot, mkOr } from "../../languages/python/exprs.js";

// Panther Simple Detections: `Detection:` lists of {Key, Condition, Value}
// items, combined with All / Any / OnlyOne blocks.

const KIND: Record<string, (f: string, v: Value) => Expr> = {
  Equals: (f, v) => pred(f, "eq", [v], {}),
  DoesNotEqual: (f, v) => mkNot(pred(f, "eq", [v], {})),
  Contains: (f, v) => pred(f, "contains", [v]),
  DoesNotContain: (f, v) => mkNot(pred(f, "contains", [v])),
  StartsWith: (f, v) => pred(f, "startswith", [v]),
  EndsWith: (f, v) => pred(f, "endswith", [v]),
  IsGreaterThan: (f, v) => pred(f, "gt", [v]),
  IsLessThan: (f, v) => pred(f, "lt", [v]),
  IsNull: (f) => pred(f, "eq", [null]),
  IsNotNull: (f) => mkNot(pred(f, "eq", [null])),
};

export function simpleDetection(items: unknown, depth = 0): Expr {
  if (depth > 20) return opaque("Detection", "nesting too deep");
  if (!Array.isArray(items)) return opaque(JSON.stringify(items).slice(0, 200), "unrecognised Detection block");
  return mkAnd(...items.map((i) => item(i, depth)));
}

function item(i: unknown, depth: number): Expr {
  if (!i || typeof i !== "object") return opaque(String(i), "unrecognised Detection item");
  const r = i as Record<string, unknown>;
  if (Array.isArray(r.All)) return simpleDetection(r.All, depth + 1);
  if (Array.isArray(r.Any)) return mkOr(...r.Any.map((x) => item(x, depth + 1)));
  const key = typeof r.Key === "string" ? r.Key : typeof r.KeyPath === "string" ? r.KeyPath.replace(/^\$\./, "") : null;
  const cond = typeof r.Condition === "string" ? r.Condition : null;
  const value = r.Value as Value;
  if (key && cond && KIND[cond] && (value === undefined || value === null || ["string", "number", "boolean"].includes(typeof value))) {
    return KIND[cond](key, value ?? null);
  }
  if (key && cond === "IsIn" && Array.isArray(r.Values)) return pred(key, "in", r.Values as Value[]);
  return opaque(JSON.stringify(i).slice(0, 200), `Detection condition ${cond ?? "?"} not translated`);
}
