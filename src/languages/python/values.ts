import type { Expr } from "../../model/expr.js";
import type { PyNode } from "./ast.js";

/**
 * A transform applied to a field's raw value before it is compared
 * (`x.lower()`, `x.split("/")[-1]`). Comparisons fold them into the predicate.
 */
export type Transform =
  | { op: "lower" }
  | { op: "upper" }
  | { op: "strip" }
  /** alt: a second separator character, from `replace(alt, sep)` just before the split */
  | { op: "split"; sep: string; index: number; alt?: string }
  /** `rsplit(sep, 1)[index]` */
  | { op: "rsplit"; sep: string; index: number }
  /**
   * `str(x)` of a field the samples show holding numbers (and maybe strings):
   * only ever the first transform, and only folded where Python's and the
   * evaluator's text of an integer agree (see predicates.ts).
   */
  | { op: "str" }
  /** `int(x)` of a field holding integer text or integers: the only transform, compared with integers */
  | { op: "int" }
  /** `replace(from, to)` of single characters: folded only into a following split on `to` */
  | { op: "replace"; from: string; to: string }
  /** `rstrip(chars)`; chars null = whitespace */
  | { op: "rstrip"; chars: string | null }
  /** `x[start:]` right after `split(sep)[i]` (i >= 0): folded only into string comparisons */
  | { op: "slice"; start: number };

/**
 * What the symbolic evaluator knows about a Python value.
 * - field: the event value at `path` (relative to `base`: 0 = the event, n = the
 *   element bound by quantifier n) after `tx`; `nullv` is the value when the
 *   field is missing or None (the accessor's default, already transformed).
 * - ite: value-level if-then-else (if/return chains, `a or b`).
 * - bot: Python would raise here; the rule does not alert.
 * - opq: unknown value; its truth becomes an opaque leaf.
 */
export type SymVal =
  | { k: "none" }
  | { k: "bool"; v: boolean }
  | { k: "num"; v: number }
  | { k: "str"; v: string }
  | { k: "seq"; kind: "list" | "tuple" | "set"; items: SymVal[] }
  | { k: "dict"; keys: SymVal[]; vals: SymVal[] }
  | { k: "field"; base: number; path: string[]; tx: Transform[]; nullv: SymVal; json?: boolean }
  | { k: "cond"; e: Expr }
  | { k: "ite"; c: Expr; a: SymVal; b: SymVal }
  | { k: "bot" }
  /**
   * truth: known Python truthiness of the otherwise unknown value (an element a loop returned).
   * walk: a deep_walk through one event array, readable only by `==`/`!=` with a string.
   * setOf: `set(field)`, readable only by an intersection with constants (sets.ts).
   * minLen: a number known to be at least this (len() of a list known to be non-empty).
   */
  | { k: "opq"; text: string; reason: string; truth?: boolean; walk?: WalkThroughList; setOf?: SymVal & { k: "field" }; minLen?: number }
  | { k: "func"; mod: PyModuleRef; def: PyNode }
  | { k: "builtin"; name: string; self?: SymVal }
  | { k: "module"; name: string }
  | { k: "regex"; pattern: string; flags: number }
  | { k: "gen"; items: { g: Expr; v: SymVal }[] }
  | { k: "qgen"; base: number; over: SymVal & { k: "field" }; g: Expr; v: SymVal }
  /** len() of a field */
  | { k: "len"; of: SymVal & { k: "field" } };

/**
 * deep_walk(event, *prefix, *leaf) where the value at `prefix` is an array of
 * objects: every element contributes its `leaf` (or `dflt` where that is None),
 * de-duplicated; one distinct value is returned bare. Elements use quantifier `base`.
 */
export interface WalkThroughList {
  over: SymVal & { k: "field" };
  base: number;
  leaf: string[];
  /** A string constant or None. */
  dflt: SymVal;
}

/** Path step that parses the JSON string at that point (json.loads). */
export const JSON_STEP = "json()";

/** Just enough of a module for a function value to find its globals. */
export interface PyModuleRef {
  name: string;
}

export const NONE: SymVal = { k: "none" };
export const BOT: SymVal = { k: "bot" };
export const TRUE_V: SymVal = { k: "bool", v: true };
export const FALSE_V: SymVal = { k: "bool", v: false };
export const str = (v: string): SymVal => ({ k: "str", v });
export const num = (v: number): SymVal => ({ k: "num", v });
export const bool = (v: boolean): SymVal => ({ k: "bool", v });
export const cond = (e: Expr): SymVal =>
  e.type === "true" ? TRUE_V : e.type === "false" ? FALSE_V : { k: "cond", e };
export const opq = (text: string, reason: string): SymVal => ({ k: "opq", text: text.slice(0, 300), reason });

/** A constant: a Python value with no event dependence. */
export function isConst(v: SymVal): boolean {
  switch (v.k) {
    case "none":
    case "bool":
    case "num":
    case "str":
      return true;
    case "seq":
      return v.items.every(isConst);
    case "dict":
      return v.vals.every(isConst);
    default:
      return false;
  }
}

/** Python truthiness of a constant, or undefined when `v` is not constant. */
export function constTruth(v: SymVal): boolean | undefined {
  switch (v.k) {
    case "none":
      return false;
    case "bool":
      return v.v;
    case "num":
      return v.v !== 0;
    case "str":
      return v.v !== "";
    case "seq":
      return v.items.length > 0;
    case "dict":
      return v.keys.length > 0;
    case "func":
    case "builtin":
    case "module":
    case "regex":
      return true;
    case "opq":
      return v.truth;
    default:
      return undefined;
  }
}

/** Python `==` between two constants; undefined when either is not a constant. */
export function constEq(a: SymVal, b: SymVal): boolean | undefined {
  if (!isConst(a) || !isConst(b)) return undefined;
  const sa = scalar(a);
  const sb = scalar(b);
  if (sa !== undefined && sb !== undefined) {
    // Python: True == 1, 1 == 1.0; "1" != 1.
    const na = typeof sa === "boolean" ? Number(sa) : sa;
    const nb = typeof sb === "boolean" ? Number(sb) : sb;
    return na === nb;
  }
  if (a.k === "seq" && b.k === "seq") {
    if ((a.kind === "set") !== (b.kind === "set")) return false;
    if (a.kind === "set") return a.items.length === b.items.length && a.items.every((x) => b.items.some((y) => constEq(x, y)));
    if (a.kind !== b.kind || a.items.length !== b.items.length) return false;
    return a.items.every((x, i) => constEq(x, b.items[i]) === true);
  }
  if (a.k === "dict" && b.k === "dict") {
    return a.keys.length === b.keys.length && a.keys.every((k, i) => {
      const j = b.keys.findIndex((y) => constEq(k, y));
      return j >= 0 && constEq(a.vals[i], b.vals[j]) === true;
    });
  }
  return false;
}

/** The JSON scalar of a constant (null for None), undefined for containers. */
export function scalar(v: SymVal): string | number | boolean | null | undefined {
  switch (v.k) {
    case "none":
      return null;
    case "bool":
    case "num":
    case "str":
      return v.v;
    default:
      return undefined;
  }
}

/** Converts a JSON-like value (test mocks, YAML data) to a constant. */
export function fromJson(x: unknown): SymVal {
  if (x === null || x === undefined) return NONE;
  if (typeof x === "boolean") return bool(x);
  if (typeof x === "number") return num(x);
  if (typeof x === "string") return str(x);
  if (Array.isArray(x)) return { k: "seq", kind: "list", items: x.map(fromJson) };
  if (typeof x === "object") {
    const e = Object.entries(x as Record<string, unknown>);
    return { k: "dict", keys: e.map(([k]) => str(k)), vals: e.map(([, v]) => fromJson(v)) };
  }
  return NONE;
}
