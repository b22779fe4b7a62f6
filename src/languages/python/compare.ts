import { F, T, pred, type Expr, type Value } from "../../model/expr.js";
import { evaluate } from "../../model/evaluate.js";
import type { PyNode } from "./ast.js";
import { fieldName, isNullPred, mkAnd, mkNot, mkOr, mkQuant } from "./exprs.js";
import type { Interp } from "./interp.js";
import { truthy } from "./interp.js";
import { containsLit, eqScalar, inScalars, orderPred, reEscape, splitInRange } from "./predicates.js";
import { pythonSemantics } from "./semantics.js";
import { ipInNetwork } from "./ipaddr.js";
import { intTextPred, type IntOp } from "./intText.js";
import { BOT, FALSE_V, TRUE_V, bool, cond, constEq, isConst, opq, scalar, type SymVal, type WalkThroughList } from "./values.js";

type FieldVal = SymVal & { k: "field" };

/** Wraps a raw-value predicate with the field's missing/None case. */
export function withNull(it: Interp, f: FieldVal, raw: Expr, nullCase: () => SymVal): SymVal {
  const name = fieldName(f.base, f.path);
  const guarded = f.tx.some((t) => t.op === "split") ? it.ite(splitInRange(name, f.tx), cond(raw), BOT) : cond(raw);
  if (f.base === 0 && f.path.length === 0) return guarded;
  if (f.base !== 0 && f.path.length === 0) return guarded;
  const nc = nullCase();
  if (nc.k === "bool" && guarded.k !== "ite" && onMissing(raw) === nc.v) return guarded;
  return it.ite(isNullPred(name), nc, guarded);
}

/** Verdict of a raw predicate on an event where its fields are missing. */
function onMissing(e: Expr): boolean | null {
  return evaluate(e, {}, pythonSemantics);
}

function pyCompare(op: string, a: Value, b: Value): boolean | undefined {
  if (op === "==") return a === b || (typeof a !== "string" && typeof b !== "string" && a !== null && b !== null && Number(a) === Number(b));
  if (op === "!=") {
    const r = pyCompare("==", a, b);
    return r === undefined ? undefined : !r;
  }
  if (op === "is") return a === b;
  if (op === "is not") return a !== b;
  const comparable = (typeof a === "number" || typeof a === "boolean") && (typeof b === "number" || typeof b === "boolean") || (typeof a === "string" && typeof b === "string");
  if (!comparable) return undefined;
  const x = a as number | string;
  const y = b as number | string;
  switch (op) {
    case "<": return x < y;
    case ">": return x > y;
    case "<=": return x <= y;
    case ">=": return x >= y;
  }
  return undefined;
}

const FLIP: Record<string, string> = { "<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "==", "!=": "!=", is: "is", "is not": "is not" };
const ORDER: Record<string, "lt" | "gt" | "lte" | "gte"> = { "<": "lt", ">": "gt", "<=": "lte", ">=": "gte" };

export function compareVals(it: Interp, op: string, x: SymVal, y: SymVal, n: PyNode): SymVal {
  if (x.k === "bot" || y.k === "bot") return BOT;
  if (x.k === "ite" || y.k === "ite") return it.compare(op, x, y, n);
  // A length known only to be at least m, against a number: decided where the bound decides it.
  if (x.k === "opq" && x.minLen !== undefined && y.k === "num") {
    const m = x.minLen;
    const k = y.v;
    const r = op === ">" ? (k < m ? true : undefined) : op === ">=" ? (k <= m ? true : undefined) : op === "<" ? (k <= m ? false : undefined) : op === "<=" ? (k < m ? false : undefined) : op === "==" ? (k < m ? false : undefined) : op === "!=" ? (k < m ? true : undefined) : undefined;
    if (r !== undefined) return bool(r);
  }
  const walked = x.k === "opq" && x.walk ? { w: x.walk, c: y } : y.k === "opq" && y.walk ? { w: y.walk, c: x } : null;
  if (walked && walked.c.k === "str" && (op === "==" || op === "!=")) {
    const e = walkEquals(walked.w, walked.c.v);
    return cond(op === "==" ? e : mkNot(e));
  }
  if (isConst(x) && isConst(y)) {
    if (op === "==" || op === "!=") {
      const r = constEq(x, y);
      return r === undefined ? opq(n.text, "comparison") : bool(op === "==" ? r : !r);
    }
    if (op === "is" || op === "is not") {
      const same = (x.k === "none" && y.k === "none") || (x.k === "bool" && y.k === "bool" && x.v === y.v);
      return bool(op === "is" ? same : !same);
    }
    const sa = scalar(x);
    const sb = scalar(y);
    if (sa === undefined || sb === undefined) return opq(n.text, "ordering of containers");
    const r = pyCompare(op, sa, sb);
    return r === undefined ? BOT : bool(r);
  }
  if (isConst(x) && !isConst(y)) return compareVals(it, FLIP[op] ?? op, y, x, n);
  // Objects (match objects, functions, modules) are never None and never equal to a literal.
  if (["builtin", "func", "module", "regex"].includes(x.k) && isConst(y)) {
    if (op === "is" || op === "==") return FALSE_V;
    if (op === "is not" || op === "!=") return TRUE_V;
  }
  if (x.k === "opq") return opq(n.text, x.reason);
  if (y.k === "opq") return opq(n.text, y.reason);
  if (x.k === "cond" && (y.k === "bool" || y.k === "none")) {
    if (op === "==" || op === "is") return y.k === "bool" ? cond(y.v ? x.e : mkNot(x.e)) : FALSE_V;
    if (op === "!=" || op === "is not") return y.k === "bool" ? cond(y.v ? mkNot(x.e) : x.e) : TRUE_V;
  }
  if (x.k === "field" && isConst(y)) return fieldVsConst(it, op, x, y, n);
  if (x.k === "len" && y.k === "num") return lenVsNum(it, op, x.of, y.v, n);
  if (x.k === "field" && y.k === "field" && (op === "==" || op === "!=")) {
    if (x.tx.length > 0 || y.tx.length > 0 || x.json || y.json) return opq(n.text, "comparison of transformed fields");
    const a = fieldName(x.base, x.path);
    const b = fieldName(y.base, y.path);
    const nullEq = constEq(x.nullv, y.nullv) === true;
    const e = mkOr(nullEq ? mkAnd(isNullPred(a), isNullPred(b)) : F, pred(a, "fieldref", [b]));
    return cond(op === "==" ? e : mkNot(e));
  }
  return opq(n.text, "comparison of computed values");
}

/**
 * deep_walk(...) == s through an array of objects. With a string default every
 * element contributes (its leaf, or the default), so all of them must equal s;
 * an absent or empty array gives the default. With None, elements without the
 * leaf contribute nothing: some leaf equals s and every present leaf does.
 */
function walkEquals(w: WalkThroughList, s: string): Expr {
  const name = fieldName(w.over.base, w.over.path);
  const leaf = fieldName(w.base, w.leaf);
  const nonEmpty = pred(name, "is_not_null");
  const leafEq = pred(leaf, "eq", [s]);
  if (w.dflt.k === "str") {
    const dEq = w.dflt.v === s;
    const each = dEq ? mkOr(isNullPred(leaf), leafEq) : leafEq;
    return mkOr(dEq ? mkNot(nonEmpty) : F, mkAnd(nonEmpty, mkQuant("all", name, w.base, each, nonEmpty)));
  }
  return mkAnd(mkQuant("any", name, w.base, leafEq, nonEmpty), mkQuant("all", name, w.base, mkOr(isNullPred(leaf), leafEq), nonEmpty));
}

/** int(field) compared with a constant: an int never equals a string or None. */
function intVsConst(it: Interp, op: string, f: FieldVal, c: SymVal, n: PyNode, nullCase: () => SymVal): SymVal {
  const name = fieldName(f.base, f.path);
  const k = c.k === "num" ? c.v : c.k === "bool" ? Number(c.v) : undefined;
  if (k === undefined) {
    // Text int() rejects raises before the comparison.
    const valid = mkOr(intTextPred(name, ">=", 0) ?? F, intTextPred(name, "<", 0) ?? F);
    if (op === "==" || op === "!=") return withNull(it, f, op === "==" ? F : valid, nullCase);
    return opq(n.text, "int() compared with a non-number");
  }
  if (!(op in INT_OPS)) return opq(n.text, `int() compared with ${op}`);
  const e = intTextPred(name, op as IntOp, k);
  return e ? withNull(it, f, e, nullCase) : opq(n.text, "int() compared with a negative or fractional number");
}

const INT_OPS: Record<string, true> = { "==": true, "!=": true, "<": true, ">": true, "<=": true, ">=": true };

/** len(field) compared with a number: emptiness for any type, a length regex for strings. */
function lenVsNum(it: Interp, op: string, f: FieldVal, k: number, n: PyNode): SymVal {
  const name = fieldName(f.base, f.path);
  const nullCase = (): SymVal => {
    const l = lenOfConst(f.nullv);
    return l === undefined ? BOT : compareVals(it, op, { k: "num", v: l }, { k: "num", v: k }, n);
  };
  const nonEmpty = (op === ">" && k === 0) || (op === ">=" && k === 1) || (op === "!=" && k === 0);
  const empty = (op === "==" && k === 0) || (op === "<" && k === 1) || (op === "<=" && k === 0);
  if (f.tx.length === 0 && (nonEmpty || empty)) {
    const t = pred(name, "is_not_null");
    return withNull(it, f, nonEmpty ? t : mkNot(t), nullCase);
  }
  const last = f.tx[f.tx.length - 1];
  if (last && (last.op === "split") && last.alt === undefined && !f.tx.some((t) => t.op === "str") && Number.isNaN(last.index) && last.sep.length === 1 && Number.isInteger(k) && k >= 0 && k < 1000) {
    // Number of split() parts = separators + 1.
    const S = reEscape(last.sep);
    const atLeast = (m: number): Expr => (m <= 1 ? T : pred(name, "regex", [`^(?:[^${S}]*${S}){${m - 1}}`]));
    const exactly = (m: number): Expr => (m < 1 ? F : pred(name, "regex", [`^(?:[^${S}]*${S}){${m - 1}}[^${S}]*$`]));
    const e: Expr | null =
      op === ">" ? atLeast(k + 1) : op === ">=" ? atLeast(k) : op === "<" ? mkNot(atLeast(k)) : op === "<=" ? mkNot(atLeast(k + 1)) : op === "==" ? exactly(k) : op === "!=" ? mkNot(exactly(k)) : null;
    if (e) return withNull(it, { ...f, tx: [] }, e, nullCase);
  }
  const isStr = f.tx.length > 0 || it.typeOf(f.base, f.path) === "str";
  if (isStr && Number.isInteger(k) && k >= 0 && k < 1000 && f.tx.every((t) => t.op === "lower" || t.op === "upper")) {
    const atLeast = (m: number): Expr => (m <= 0 ? T : pred(name, "regex", [`^[\\s\\S]{${m}}`]));
    const exactly = (m: number): Expr => pred(name, "regex", [`^[\\s\\S]{${m}}$`]);
    const e: Expr | null =
      op === ">" ? atLeast(k + 1) : op === ">=" ? atLeast(k) : op === "<" ? mkNot(atLeast(k)) : op === "<=" ? mkNot(atLeast(k + 1)) : op === "==" ? exactly(k) : op === "!=" ? mkNot(exactly(k)) : null;
    if (e) return withNull(it, f, e, nullCase);
  }
  if (f.tx.length === 0 && !f.json && Number.isInteger(k) && k >= 0 && k <= 50 && it.typeOf(f.base, f.path) === "list") {
    // A list has at least m elements when element m-1 exists (an index step; a null element reads as missing).
    const atLeast = (m: number): Expr => (m <= 0 ? T : mkNot(isNullPred(fieldName(f.base, [...f.path, String(m - 1)]))));
    const exactly = (m: number): Expr => mkAnd(atLeast(m), mkNot(atLeast(m + 1)));
    const e: Expr | null =
      op === ">" ? atLeast(k + 1) : op === ">=" ? atLeast(k) : op === "<" ? mkNot(atLeast(k)) : op === "<=" ? mkNot(atLeast(k + 1)) : op === "==" ? exactly(k) : op === "!=" ? mkNot(exactly(k)) : null;
    if (e) return withNull(it, f, e, nullCase);
  }
  return opq(n.text, "len() of an event value compared with a number");
}

export function lenOfConst(v: SymVal): number | undefined {
  if (v.k === "str") return [...v.v].length;
  if (v.k === "seq") return v.items.length;
  if (v.k === "dict") return v.keys.length;
  return undefined;
}

function fieldVsConst(it: Interp, op: string, f: FieldVal, c: SymVal, n: PyNode): SymVal {
  if (f.json) return opq(n.text, "comparison on parsed JSON");
  const name = fieldName(f.base, f.path);
  const nullCase = (): SymVal => compareVals(it, op, f.nullv, c, n);
  if (f.tx.some((t) => t.op === "int")) return intVsConst(it, op, f, c, n, nullCase);
  const v = scalar(c);
  if (op === "is" || op === "is not") {
    if (c.k !== "none" && c.k !== "bool") return opq(n.text, "identity comparison");
    if (c.k === "none") {
      // A present value is never None.
      return withNull(it, f, op === "is" ? F : T, nullCase);
    }
    const raw = eqScalar(name, f.tx, v as Value);
    return withNull(it, f, op === "is" ? raw : mkNot(raw), nullCase);
  }
  if (op === "==" || op === "!=") {
    if (v === undefined) {
      // `x == {}` / `x == []`: emptiness, when the samples say the field holds that kind of container.
      const empty = (c.k === "dict" && c.keys.length === 0) || (c.k === "seq" && c.kind === "list" && c.items.length === 0);
      const want = c.k === "dict" ? "dict" : "list";
      if (empty && f.tx.length === 0 && it.typeOf(f.base, f.path) === want) {
        const raw = mkNot(pred(name, "is_not_null"));
        return withNull(it, f, op === "==" ? raw : mkNot(raw), nullCase);
      }
      // `x == ["a", "b"]` of a list field: element by element (index steps), and nothing after the last.
      if (c.k === "seq" && c.kind === "list" && c.items.length <= 10 && f.tx.length === 0 && it.typeOf(f.base, f.path) === "list") {
        const lits = c.items.map(scalar);
        if (lits.every((l): l is Value => l !== undefined && l !== null)) {
          const at = (i: number): string => fieldName(f.base, [...f.path, String(i)]);
          const raw = mkAnd(...lits.map((l, i) => eqScalar(at(i), [], l)), isNullPred(at(lits.length)));
          return withNull(it, f, op === "==" ? raw : mkNot(raw), nullCase);
        }
      }
      return opq(n.text, "comparison of a field with a container");
    }
    const raw = eqScalar(name, f.tx, v);
    return withNull(it, f, op === "==" ? raw : mkNot(raw), nullCase);
  }
  const ord = ORDER[op];
  if (ord && typeof v === "number" && f.tx.length === 0) it.noteUse(f.base, f.path, "num");
  if (ord && v !== undefined) return withNull(it, f, orderPred(name, f.tx, ord, v), nullCase);
  return opq(n.text, `comparison ${op}`);
}

/** Python `x in y`. */
export function containsVal(it: Interp, y: SymVal, x: SymVal, n: PyNode): SymVal {
  if (y.k === "bot" || x.k === "bot") return BOT;
  if (y.k === "builtin" && y.name === "ipaddress.Network" && y.self?.k === "str") {
    if (x.k === "builtin" && x.name === "ipaddress.IP" && x.self?.k === "field" && x.self.tx.length === 0) return ipInNetwork(x.self, y.self.v);
    return opq(n.text, "network membership of a computed value");
  }
  if (y.k === "opq") return opq(n.text, y.reason);
  if (x.k === "opq") return opq(n.text, x.reason);
  if (x.k === "seq" && x.kind === "tuple" && !isConst(x) && (y.k === "seq" || y.k === "dict") && (y.k === "seq" ? y.items : y.keys).every(isConst)) {
    // `(a, b) in {("x", "y"), ...}`: tuples are equal element by element (a list never equals a tuple).
    const alts = (y.k === "seq" ? y.items : y.keys).filter((t): t is SymVal & { k: "seq" } => t.k === "seq" && t.kind === "tuple" && t.items.length === x.items.length);
    return cond(mkOr(...alts.map((t) => mkAnd(...t.items.map((c, j) => truthy(compareVals(it, "==", x.items[j], c, n)))))));
  }
  if (isConst(y) && isConst(x)) {
    if (y.k === "str") return x.k === "str" ? bool(y.v.includes(x.v)) : BOT;
    if (y.k === "seq") return bool(y.items.some((i) => constEq(i, x) === true));
    if (y.k === "dict") return bool(y.keys.some((i) => constEq(i, x) === true));
    return BOT;
  }
  if ((y.k === "seq" || y.k === "dict") && x.k === "field") {
    const items = y.k === "seq" ? y.items : y.keys;
    if (!items.every(isConst)) return memberOfMixed(it, items, x, n);
    if (x.tx.some((t) => t.op === "int")) return memberOfMixed(it, items, x, n);
    const vals = items.map(scalar).filter((v): v is Value => v !== undefined);
    if (x.json) return opq(n.text, "membership of parsed JSON");
    const name = fieldName(x.base, x.path);
    return withNull(it, x, inScalars(name, x.tx, vals), () => containsVal(it, y, x.nullv, n));
  }
  if (y.k === "seq") return memberOfMixed(it, y.items, x, n);
  if (y.k === "str" && x.k === "field") return opq(n.text, "field tested as a substring of a literal");
  if (y.k === "field" && isConst(x)) {
    if (y.json) return opq(n.text, "membership in parsed JSON");
    const lit = scalar(x);
    if (lit === undefined) return opq(n.text, "container membership in a field");
    const name = fieldName(y.base, y.path);
    // The accessor's default says what the author expects the field to hold when the samples do not.
    const root = y.base === 0 && y.path.length === 0;
    const hint = root ? "dict" : y.nullv.k === "str" ? "str" : y.nullv.k === "seq" ? "list" : y.nullv.k === "dict" ? "dict" : undefined;
    if (root && typeof lit === "string") return cond(mkNot(isNullPred(lit)));
    return withNull(it, y, containsLit(name, y.tx, lit, it.typeOf(y.base, y.path) ?? hint), () => containsVal(it, y.nullv, x, n));
  }
  if (y.k === "gen") {
    return cond(mkOr(...y.items.map((i) => mkAnd(i.g, truthy(stripEq(it, x, i.v, n))))));
  }
  if (y.k === "qgen") {
    const name = fieldName(y.over.base, y.over.path);
    return cond(mkQuant("any", name, y.base, mkAnd(y.g, truthy(stripEq(it, x, y.v, n))), pred(name, "is_not_null")));
  }
  if (y.k === "cond" || y.k === "bool" || y.k === "num" || y.k === "none") return BOT;
  return opq(n.text, "membership test on computed values");
}

function stripEq(it: Interp, a: SymVal, b: SymVal, n: PyNode): SymVal {
  return it.compare("==", a, b, n);
}

function memberOfMixed(it: Interp, items: SymVal[], x: SymVal, n: PyNode): SymVal {
  if (items.length > 100) return opq(n.text, "membership in a large computed list");
  let r: SymVal = FALSE_V;
  for (const i of items) r = it.boolOp("or", r, it.compare("==", x, i, n));
  return r;
}

