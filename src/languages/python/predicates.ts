import { F, T, opaque, pred, type Expr, type Value } from "../../model/expr.js";
import { isNullPred, mkAnd, mkNot, mkOr, valuesPred } from "./exprs.js";
import { intTextPred } from "./intText.js";
import type { Transform } from "./values.js";

// Predicates over one field's raw (present, non-null) value after transforms.
// The caller handles the missing/None case separately.

export type FieldType = "str" | "list" | "dict" | "num" | "bool";
/** What is known about a field's type (from the log's test samples): undefined = unknown. */
export interface TypeOracle {
  (name: string): FieldType | undefined;
  /** Every type seen at the path, when several were. */
  seen?(name: string): FieldType[] | undefined;
}

export type StrOp = "eq" | "startswith" | "endswith" | "contains";

function caseOf(tx: Transform[]): { fold: "lower" | "upper" | null; rest: Transform[] } {
  let fold: "lower" | "upper" | null = null;
  const rest: Transform[] = [];
  for (const t of tx) {
    if (t.op === "lower" || t.op === "upper") {
      if (rest.length === 0) fold = t.op;
      else rest.push(t);
    } else rest.push(t);
  }
  return { fold, rest };
}

function fits(fold: "lower" | "upper" | null, s: string): boolean {
  return fold === null || (fold === "lower" ? s.toLowerCase() === s : s.toUpperCase() === s);
}

export function reEscape(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, (c) => `\\${c}`).replace(/\n/g, "\\n").replace(/\t/g, "\\t");
}

/**
 * Transformed string value compared with string literals (any of them).
 * Case transforms become caseSensitive: false; split/strip become an anchored regex.
 */
export function strPred(name: string, tx: Transform[], op: StrOp, lits: string[]): Expr {
  if (tx.some((t) => t.op === "int")) return opaque(`int(${name}) ${op} ${JSON.stringify(lits)}`, "string operation on int()");
  if (tx.some((t) => t.op === "str")) return strOfNumPred(name, tx, op, lits);
  const { fold, rest } = caseOf(tx);
  // Only the transforms before the first non-case one fold into the predicate's case.
  const usable = lits.filter((l) => fits(fold, l) && rest.every((t) => t.op !== "lower" && t.op !== "upper" || fits(t.op, l)));
  const cs = fold === null && !rest.some((t) => t.op === "lower" || t.op === "upper");
  if (usable.length === 0) return F;
  if (rest.length === 0) {
    if (op === "eq") return valuesPred(name, "in", usable, cs);
    return pred(name, op, usable, cs ? {} : { caseSensitive: false });
  }
  const core = rest.filter((t) => t.op !== "lower" && t.op !== "upper");
  if (core.some((t) => (t.op === "split" || t.op === "rsplit") && Number.isNaN(t.index))) return opaque(`${name}.split(...)`, "split() result used as a string");
  if (core.length === 2 && op === "eq") {
    const e = splitPartStripEq(name, core, usable, cs);
    if (e) return e;
  }
  if (core.length === 2 && core[1].op === "slice") {
    const e = splitSlicePred(name, core[0], core[1].start, op, usable, cs);
    if (e) return e;
  }
  if (core.length !== 1) return opaque(`${name} ${op} ${JSON.stringify(lits)}`, "chained string transforms");
  const t = core[0];
  const alts = usable.map((l) => reEscape(l));
  const body = (inner: string): string => {
    switch (op) {
      case "eq":
        return inner;
      case "startswith":
        return `${inner}${t.op === "split" ? `${sepRe(t).NS}*` : "[\\s\\S]*"}`;
      case "endswith":
        return `${t.op === "split" ? `${sepRe(t).NS}*` : "[\\s\\S]*"}${inner}`;
      case "contains":
        return `${t.op === "split" ? `${sepRe(t).NS}*` : "[\\s\\S]*"}${inner}${t.op === "split" ? `${sepRe(t).NS}*` : "[\\s\\S]*"}`;
    }
  };
  const alt = `(?:${alts.join("|")})`;
  if (t.op === "strip") {
    if (usable.some((l) => /^\s|\s$/.test(l))) return opaque(`${name}.strip() ${op} ${JSON.stringify(lits)}`, "strip() compared with a padded literal");
    return pred(name, "regex", [`^\\s*${body(alt)}\\s*$`], cs ? {} : { caseSensitive: false });
  }
  if (t.op === "rstrip") return rstripPred(name, t.chars, op, usable, cs);
  if (t.op === "rsplit") {
    if (t.sep.length !== 1 || t.index !== 0 || op !== "eq") return opaque(`${name}.rsplit(...)`, "rsplit() compared in this way");
    const S = reEscape(t.sep);
    return pred(name, "regex", [`^${alt}(?:${S}[^${S}]*)?$`], cs ? {} : { caseSensitive: false });
  }
  if (t.op === "split") {
    if (t.sep.length !== 1) return opaque(`${name}.split(${JSON.stringify(t.sep)})`, "split on a multi-character separator");
    const { S, NS } = sepRe(t);
    const ok = usable.filter((l) => !hasSep(l, t));
    if (ok.length === 0) return F;
    const a = `(?:${ok.map(reEscape).join("|")})`;
    if (t.index >= 0) return pred(name, "regex", [`^(?:${NS}*${S}){${t.index}}${body(a)}(?:${S}|$)`], cs ? {} : { caseSensitive: false });
    return pred(name, "regex", [`(?:^|${S})${body(a)}(?:${S}${NS}*){${-t.index - 1}}$`], cs ? {} : { caseSensitive: false });
  }
  return opaque(`${name} ${op} ${JSON.stringify(lits)}`, "string transform");
}

/**
 * The characters Python's str.strip() removes (str.isspace), as a class both Python
 * and RE2 read: RE2's `\s` lacks \v and the Unicode spaces.
 */
export const PY_WS = "[\\t-\\r\\x1c-\\x20\\x85\\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]";

/**
 * `x.split(sep)[i].strip() == lit`: the part's whitespace is absorbed by `\s*`,
 * which cannot cross a non-whitespace separator. A padded literal never equals
 * a stripped string. Null when the form is not this one.
 */
function splitPartStripEq(name: string, core: Transform[], lits: string[], cs: boolean): Expr | null {
  const [sp, st] = core;
  if (sp.op !== "split" || sp.alt !== undefined || st.op !== "strip" || Number.isNaN(sp.index) || sp.sep.length !== 1 || new RegExp(PY_WS).test(sp.sep)) return null;
  const ok = lits.filter((l) => !l.includes(sp.sep) && !new RegExp(`^${PY_WS}|${PY_WS}$`).test(l));
  if (ok.length === 0) return F;
  const S = reEscape(sp.sep);
  const part = `${PY_WS}*(?:${ok.map(reEscape).join("|")})${PY_WS}*`;
  const re = sp.index >= 0 ? `^(?:[^${S}]*${S}){${sp.index}}${part}(?:${S}|$)` : `(?:^|${S})${part}(?:${S}[^${S}]*){${-sp.index - 1}}$`;
  return pred(name, "regex", [re], cs ? {} : { caseSensitive: false });
}

/** A regex class of the characters rstrip(chars) removes, and its complement. */
function stripClass(chars: string | null): { c: string; nc: string } {
  if (chars === null) return { c: PY_WS, nc: `[^${PY_WS.slice(1)}` };
  const body = [...new Set(chars)].map((ch) => (/[\\\]\[^-]/.test(ch) ? `\\${ch}` : ch === "\n" ? "\\n" : ch === "\t" ? "\\t" : ch)).join("");
  return { c: `[${body}]`, nc: `[^${body}]` };
}

/**
 * `x.rstrip(chars) op lits`. A literal that does not end in a stripped character
 * is never cut by the strip, so startswith/contains read the raw value; eq and
 * endswith allow the stripped run after it. A literal that ends in one can never
 * end the stripped value (eq/endswith: no match); startswith/contains stay opaque.
 */
function rstripPred(name: string, chars: string | null, op: StrOp, lits: string[], cs: boolean): Expr {
  const { c } = stripClass(chars);
  const endsInC = (l: string): boolean => l !== "" && new RegExp(`${c}$`, "u").test(l);
  const clean = lits.filter((l) => !endsInC(l));
  if ((op === "startswith" || op === "contains") && clean.length !== lits.length) {
    return opaque(`${name}.rstrip(...) ${op} ${JSON.stringify(lits)}`, "rstrip() compared with a literal ending in a stripped character");
  }
  if (clean.length === 0) return F;
  const alt = `(?:${clean.map(reEscape).join("|")})`;
  const re = op === "eq" ? `^${alt}${c}*$` : op === "endswith" ? `${alt}${c}*$` : op === "startswith" ? `^${alt}` : alt;
  return pred(name, "regex", [re], cs ? {} : { caseSensitive: false });
}

const CANONICAL_INT = /^-?(?:0|[1-9]\d*)$/;

/**
 * `str(x) op lits` where x holds integers or strings. Python's str() of an int
 * is the evaluator's text of it, so a string predicate reads both kinds; equality
 * with an integer's text also accepts the integer itself ("5" in [5, "5"]).
 * Forms where a float's text could differ ("5.0" vs "5") stay opaque.
 */
function strOfNumPred(name: string, tx: Transform[], op: StrOp, lits: string[]): Expr {
  const text = `str(${name}) ${op} ${JSON.stringify(lits)}`;
  if (tx.length !== 1) return opaque(text, "string transforms after str() of a number");
  // Text no number prints as: only strings can equal or start with it.
  const notNumeric = (l: string): boolean => /^[^-+.\d]/.test(l) && !/^(?:inf|nan)/i.test(l);
  if (op === "eq") {
    const values: Value[] = [];
    for (const l of lits) {
      if (CANONICAL_INT.test(l) && Number.isSafeInteger(Number(l))) values.push(l, Number(l));
      else if (notNumeric(l) || l === "") values.push(l);
      else return opaque(text, "str() of a number compared with a non-integer text");
    }
    return valuesPred(name, "in", values, true);
  }
  if (op === "startswith" && lits.every((l) => /^-?\d*$/.test(l) || notNumeric(l))) return pred(name, "startswith", lits);
  return opaque(text, `str() of a number with ${op}()`);
}

/**
 * A split's separator as a regex (S) and the class of the other characters (NS).
 * With `alt` (replace(alt, sep) before the split) either character separates.
 */
function sepRe(t: { sep: string; alt?: string }): { S: string; NS: string } {
  const chars = reEscape(t.sep) + (t.alt !== undefined ? reEscape(t.alt) : "");
  return { S: t.alt !== undefined ? `[${chars}]` : chars, NS: `[^${chars}]` };
}

/**
 * `x.split(sep)[i][m:]` compared with literals, as one anchored regex over x:
 * the segment's first m characters are skipped (a shorter segment leaves "").
 */
function splitSlicePred(name: string, t: Transform, m: number, op: StrOp, lits: string[], cs: boolean): Expr | null {
  if (t.op !== "split" || t.sep.length !== 1 || t.alt !== undefined || t.index < 0 || t.index > 50 || m > 1000) return null;
  const { S, NS } = sepRe(t);
  const head = `^(?:${NS}*${S}){${t.index}}`;
  const opts = cs ? {} : { caseSensitive: false };
  const parts: Expr[] = [];
  const full = lits.filter((l) => l !== "" && !hasSep(l, t));
  if (full.length > 0) {
    const a = `(?:${full.map(reEscape).join("|")})`;
    const tail =
      op === "eq" ? `${a}(?:${S}|$)`
      : op === "startswith" ? a
      : op === "endswith" ? `${NS}*${a}(?:${S}|$)`
      : `${NS}*${a}`;
    parts.push(pred(name, "regex", [`${head}${NS}{${m}}${tail}`], opts));
  }
  if (lits.includes("")) {
    // Every string contains, starts and ends with ""; it equals "" when the segment is at most m long.
    parts.push(op === "eq" ? pred(name, "regex", [`${head}${NS}{0,${m}}(?:${S}|$)`]) : T);
  }
  return parts.length === 0 ? F : mkOr(...parts);
}

/** No part of the split contains a separator (nor, after the replace, `alt`). */
function hasSep(l: string, t: { sep: string; alt?: string }): boolean {
  return l.includes(t.sep) || (t.alt !== undefined && l.includes(t.alt));
}

/** Whether `split(sep)[index]` exists (else Python raises IndexError). */
export function splitInRange(name: string, tx: Transform[]): Expr {
  const sp = tx.find((t) => t.op === "split");
  if (!sp || sp.op !== "split" || sp.index === 0 || sp.index === -1 || Number.isNaN(sp.index)) return T;
  if (sp.sep.length !== 1) return opaque(`${name}.split(...)`, "split on a multi-character separator");
  const { S, NS } = sepRe(sp);
  const n = sp.index >= 0 ? sp.index : -sp.index - 1;
  return pred(name, "regex", [`^(?:${NS}*${S}){${n}}`]);
}

/** Python truthiness of a present, non-null field after transforms. */
export function truthPred(name: string, tx: Transform[]): Expr {
  if (tx.length === 0) return pred(name, "is_not_null");
  // str() of a present number or string is empty only for "".
  if (tx.length === 1 && tx[0].op === "int") return intTextPred(name, "!=", 0) ?? opaque(`int(${name})`, "truthiness of int()");
  if (tx.length === 1 && tx[0].op === "str") return mkAnd(mkNot(isNullPred(name)), mkNot(pred(name, "eq", [""])));
  if (tx.some((t) => t.op === "str")) return opaque(`str(${name}) (transformed)`, "string transforms after str() of a number");
  const { rest } = caseOf(tx);
  if (rest.every((t) => t.op === "lower" || t.op === "upper")) return pred(name, "is_not_null");
  if (rest.length === 1 && rest[0].op === "strip") return pred(name, "regex", ["\\S"]);
  if (rest.length === 1 && rest[0].op === "rstrip") return pred(name, "regex", [stripClass(rest[0].chars).nc]);
  const sp = rest.filter((t) => t.op !== "lower" && t.op !== "upper");
  if (sp.length === 1 && sp[0].op === "split" && Number.isNaN(sp[0].index)) return T; // a split list is never empty
  if (sp.length === 1 && sp[0].op === "split" && sp[0].sep.length === 1 && !Number.isNaN(sp[0].index)) {
    const { S, NS } = sepRe(sp[0]);
    const i = sp[0].index;
    return pred(name, "regex", [i >= 0 ? `^(?:${NS}*${S}){${i}}${NS}` : `${NS}(?:${S}${NS}*){${-i - 1}}$`]);
  }
  return opaque(`${name} (transformed)`, "truthiness of a split value");
}

/** Raw equality with a scalar (no transforms). */
export function eqScalar(name: string, tx: Transform[], v: Value): Expr {
  if (typeof v === "string") return strPred(name, tx, "eq", [v]);
  if (tx.length > 0) return F; // a string never equals a number/bool
  if (v === null) return F; // present values are not None
  return pred(name, "eq", [v]);
}

export function inScalars(name: string, tx: Transform[], vs: Value[]): Expr {
  const strs = vs.filter((v): v is string => typeof v === "string");
  const others = vs.filter((v) => typeof v !== "string" && v !== null);
  const parts: Expr[] = [];
  if (strs.length > 0) parts.push(strPred(name, tx, "eq", strs));
  if (others.length > 0 && tx.length === 0) parts.push(valuesPred(name, "in", others));
  return mkOr(...parts);
}

export function orderPred(name: string, tx: Transform[], op: "lt" | "gt" | "lte" | "gte", v: Value): Expr {
  if (tx.length > 0 || typeof v !== "number") return opaque(`${name} ${op} ${JSON.stringify(v)}`, "ordering on a non-number");
  return pred(name, op, [v]);
}

/** `lit in field`: substring for strings, membership for lists, key for dicts. */
export function containsLit(name: string, tx: Transform[], lit: Value, known: FieldType | undefined): Expr {
  const last = tx[tx.length - 1];
  if (last && (last.op === "split" || last.op === "rsplit") && Number.isNaN(last.index)) {
    // Membership in x.split(sep): some part equals the literal.
    if (typeof lit !== "string") return F;
    if (last.op !== "split" || last.sep.length !== 1) return opaque(`${JSON.stringify(lit)} in ${name}.split()`, "membership in a split with this separator");
    if (hasSep(lit, last)) return F;
    const { fold, rest } = caseOf(tx.slice(0, -1));
    if (rest.length > 0) return opaque(`${JSON.stringify(lit)} in ${name}.split()`, "chained string transforms");
    if (!fits(fold, lit)) return F;
    const { S } = sepRe(last);
    return pred(name, "regex", [`(?:^|${S})${reEscape(lit)}(?:${S}|$)`], fold === null ? {} : { caseSensitive: false });
  }
  const t: FieldType | undefined = tx.length > 0 ? "str" : known;
  if (t === "str") return typeof lit === "string" ? strPred(name, tx, "contains", [lit]) : F;
  if (t === "list") return lit === null ? opaque(`None in ${name}`, "None membership") : valuesPred(name, "eq", [lit]);
  if (t === "dict") return typeof lit === "string" ? mkNot(isNullPred(name === "" || name.endsWith("\u0001") ? `${name}${lit}` : `${name}.${lit}`)) : F;
  return opaque(`${JSON.stringify(lit)} in ${name}`, "'in' on a field of unknown type (substring or membership)");
}

