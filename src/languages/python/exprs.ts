import { F, T, opaque, pred, type Expr, type Predicate, type Value } from "../../model/expr.js";

// Expr constructors that fold constants as they build, so symbolic
// evaluation of long if-chains does not grow trees it will throw away.

// Structural identity by hash-consing: every distinct structure gets a number, and a
// node's descriptor is built from its children's numbers, so keying a tree costs time
// linear in its size (nested key strings would grow quadratically with depth).
const KEYS = new WeakMap<Expr, number>();
const IDS = new Map<string, number>();
let nextId = 1;
/** Ids below this belong to a cleared table and are recomputed. */
let liveFrom = 1;
const MAX_IDS = 200_000;

/**
 * Drops the structure table when it has grown large. Called only between
 * evaluations: ids from before the reset are never compared with ids after it.
 */
export function resetKeysIfLarge(): void {
  if (IDS.size < MAX_IDS) return;
  IDS.clear();
  liveFrom = nextId;
}

const VALUES = new WeakMap<readonly unknown[], number>();

function valuesId(values: readonly unknown[]): number {
  const hit = VALUES.get(values);
  if (hit !== undefined && hit >= liveFrom) return hit;
  const k = idOf(`v${JSON.stringify(values)}`);
  VALUES.set(values, k);
  return k;
}

/** The number of a structure description, the same for the same description. */
function idOf(d: string): number {
  let k = IDS.get(d);
  if (k === undefined) {
    k = nextId++;
    IDS.set(d, k);
  }
  return k;
}

function flag(b: boolean | undefined): string {
  return b === undefined ? "u" : b ? "1" : "0";
}

/** Structural key of an expression: equal keys ⇔ equal trees. Memoised per node (trees are immutable). */
export function keyOf(e: Expr): number {
  const hit = KEYS.get(e);
  if (hit !== undefined && hit >= liveFrom) return hit;
  let d: string;
  switch (e.type) {
    case "and":
    case "or":
      d = `${e.type}(${e.args.map(keyOf).join(",")})`;
      break;
    case "not":
      d = `not(${keyOf(e.arg)})`;
      break;
    case "quant":
      d = `${e.quantifier}[${JSON.stringify(e.over)}](${keyOf(e.cond)})`;
      break;
    case "pred":
      // Value lists are shared between the many predicates built from one constant: keyed once.
      d = `p${JSON.stringify(e.field)}${e.kind}|${valuesId(e.values)}|${flag(e.caseSensitive)}${flag(e.scope)}${flag(e.all)}|${e.regexFlags === undefined ? "~" : JSON.stringify(e.regexFlags)}`;
      break;
    case "opaque":
      d = JSON.stringify(["opaque", e.text, e.reason]);
      break;
    default:
      d = e.type;
  }
  const k = idOf(d);
  KEYS.set(e, k);
  return k;
}

export function mkNot(e: Expr): Expr {
  if (e.type === "true") return F;
  if (e.type === "false") return T;
  if (e.type === "not") return e.arg;
  return { type: "not", arg: e };
}

export function mkAnd(...xs: Expr[]): Expr {
  const out: Expr[] = [];
  for (const x of xs) {
    if (x.type === "false") return F;
    if (x.type === "true") continue;
    if (x.type === "and") out.push(...x.args);
    else out.push(x);
  }
  return dedup("and", out);
}

export function mkOr(...xs: Expr[]): Expr {
  const out: Expr[] = [];
  for (const x of xs) {
    if (x.type === "true") return T;
    if (x.type === "false") continue;
    if (x.type === "or") out.push(...x.args);
    else out.push(x);
  }
  return dedup("or", out);
}

function dedup(type: "and" | "or", xs: Expr[]): Expr {
  const seen = new Set<number>();
  const out: Expr[] = [];
  const negs = new Set<number>();
  for (const x of xs) {
    const k = keyOf(x);
    if (seen.has(k)) continue;
    seen.add(k);
    if (x.type === "not") negs.add(keyOf(x.arg));
    out.push(x);
  }
  // x and not x → false; x or not x → true
  for (const x of out) if (negs.has(keyOf(x))) return type === "and" ? F : T;
  if (out.length === 0) return type === "and" ? T : F;
  if (out.length === 1) return out[0];
  return { type, args: out };
}

export function same(a: Expr, b: Expr): boolean {
  return a === b || keyOf(a) === keyOf(b);
}

/** if c then a else b, as a boolean formula. */
export function mkIte(c: Expr, a: Expr, b: Expr): Expr {
  if (c.type === "true") return a;
  if (c.type === "false") return b;
  // Under c, c is true; under not c, c is false.
  if (same(a, c)) a = T;
  if (same(b, c)) b = F;
  if (same(a, b)) return a;
  if (a.type === "true" && b.type === "false") return c;
  if (a.type === "false" && b.type === "true") return mkNot(c);
  if (a.type === "true") return mkOr(c, b);
  if (a.type === "false") return mkAnd(mkNot(c), b);
  if (b.type === "true") return mkOr(mkNot(c), a);
  if (b.type === "false") return mkAnd(c, a);
  return mkOr(mkAnd(c, a), mkAnd(mkNot(c), b));
}

/** Field names carry the quantifier they are relative to while the tree is built. */
const MARK = "\u0001";
export function fieldName(base: number, path: string[]): string {
  return base === 0 ? path.join(".") : `${MARK}${base}${MARK}${path.join(".")}`;
}

/** The quantifier base of a built field name (0: the event). */
export function baseOf(name: string): number {
  if (!name.startsWith(MARK)) return 0;
  return Number(name.slice(1, name.indexOf(MARK, 1)));
}

function stripBase(name: string): string {
  return name.slice(name.indexOf(MARK, 1) + 1);
}

/** Every quantifier base an expression refers to. */
export function basesOf(e: Expr, out = new Set<number>()): Set<number> {
  switch (e.type) {
    case "and":
    case "or":
      for (const a of e.args) basesOf(a, out);
      break;
    case "not":
      basesOf(e.arg, out);
      break;
    case "pred":
      if (e.field !== null) out.add(baseOf(e.field));
      if (e.kind === "fieldref") for (const v of e.values) if (typeof v === "string") out.add(baseOf(v));
      break;
    case "quant": {
      out.add(baseOf(e.over));
      // Unmarked fields in the body are relative to the element; marked ones still refer outward.
      for (const b of basesOf(e.cond)) if (b !== 0) out.add(b);
      break;
    }
    case "opaque":
      for (const f of e.fields ?? []) out.add(baseOf(f));
      break;
    default:
      break;
  }
  return out;
}

/** Rewrites fields of quantifier `base` to element-relative names. */
function relocate(e: Expr, base: number): Expr {
  switch (e.type) {
    case "and":
    case "or":
      return { type: e.type, args: e.args.map((a) => relocate(a, base)) };
    case "not":
      return { type: "not", arg: relocate(e.arg, base) };
    case "pred": {
      const r = e.field !== null && baseOf(e.field) === base ? { ...e, field: stripBase(e.field) } : e;
      return r.kind === "fieldref" ? { ...r, values: r.values.map((v) => (typeof v === "string" && baseOf(v) === base ? stripBase(v) : v)) } : r;
    }
    case "quant":
      return { ...e, over: baseOf(e.over) === base ? stripBase(e.over) : e.over, cond: relocate(e.cond, base) };
    case "opaque":
      return e.fields ? { ...e, fields: e.fields.map((f) => (baseOf(f) === base ? stripBase(f) : f)) } : e;
    default:
      return e;
  }
}

/**
 * any/all over the array at `over` of `cond` (written with fields of `base`).
 * Parts that do not depend on the element are pulled out; a part that mixes
 * element and outer fields below the top level cannot be expressed.
 */
export function mkQuant(q: "any" | "all", over: string, base: number, c: Expr, nonEmpty: Expr): Expr {
  const bs = basesOf(c);
  if (!bs.has(base)) {
    // No element dependence: any → non-empty and c; all → empty or c.
    return q === "any" ? mkAnd(nonEmpty, c) : mkOr(mkNot(nonEmpty), c);
  }
  const split = q === "any" ? "or" : "and";
  if (c.type === split) {
    const parts = c.args.map((a) => mkQuant(q, over, base, a, nonEmpty));
    return split === "or" ? mkOr(...parts) : mkAnd(...parts);
  }
  const pull = q === "any" ? "and" : "or";
  if (c.type === pull) {
    const inner = c.args.filter((a) => basesOf(a).has(base));
    const outer = c.args.filter((a) => !basesOf(a).has(base));
    if (outer.length > 0) {
      const qi = mkQuant(q, over, base, pull === "and" ? mkAnd(...inner) : mkOr(...inner), nonEmpty);
      return pull === "and" ? mkAnd(...outer, qi) : mkOr(...outer, qi);
    }
  }
  if (bs.size > 1 || ![...bs].every((b) => b === base)) {
    return opaque("loop over " + over, "loop condition mixes the element with other values");
  }
  const cond = relocate(c, base);
  // any element equal/matching: a predicate on the element itself is a predicate on the array (fan-out).
  if (q === "any" && cond.type === "pred" && cond.field === "" && cond.kind !== "is_null" && cond.kind !== "is_not_null") {
    return { ...cond, field: over };
  }
  return { type: "quant", quantifier: q, over, cond };
}

export function isNullPred(name: string): Predicate {
  return pred(name, "eq", [null]);
}

export function valuesPred(name: string, kind: "eq" | "in", values: Value[], cs?: boolean): Expr {
  if (values.length === 0) return F;
  const k = values.length === 1 ? "eq" : kind;
  const strs = values.some((v) => typeof v === "string");
  return pred(name, k, values, strs && cs === false ? { caseSensitive: false } : {});
}

/** Any marker left in a finished tree is a bug guard: it becomes opaque instead of a wrong field. */
export function finalizeFields(e: Expr): Expr {
  switch (e.type) {
    case "and":
    case "or":
      return { type: e.type, args: e.args.map(finalizeFields) };
    case "not":
      return { type: "not", arg: finalizeFields(e.arg) };
    case "pred":
      return (e.field !== null && e.field.includes(MARK)) || e.values.some((v) => typeof v === "string" && v.includes(MARK))
        ? opaque((e.field ?? "").replaceAll(MARK, ""), "loop variable used outside its loop")
        : e;
    case "quant":
      return e.over.includes(MARK) ? opaque(e.over.replaceAll(MARK, ""), "loop variable used outside its loop") : { ...e, cond: finalizeFields(e.cond) };
    case "opaque":
      return e.fields ? { ...e, fields: e.fields.map((f) => f.replaceAll(MARK, "")) } : e;
    default:
      return e;
  }
}
