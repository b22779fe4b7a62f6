import { pred, type Expr } from "../../model/expr.js";
import { mkAnd, mkNot } from "./exprs.js";
import { PY_WS } from "./predicates.js";

// Python's int() of a string as regexes: `int(x) > 1000` holds exactly when x's
// text is an integer literal int() accepts (Unicode whitespace around, one
// sign, Unicode decimal digits with single underscores between them) whose
// value is above 1000. Digits are grouped by value so that the comparison can
// be spelled digit by digit. An integer JSON value reads as its decimal text.

let classes: string[] | null = null;

/** The Unicode decimal digits (Nd) of each value 0..9; Nd comes in runs of ten, 0 first. */
function digitsByValue(): string[] {
  if (classes) return classes;
  const byValue: string[][] = Array.from({ length: 10 }, () => []);
  const nd = /\p{Nd}/u;
  let runStart = -1;
  for (let cp = 0; cp < 0x20000; cp++) {
    const ch = String.fromCodePoint(cp);
    if (!nd.test(ch)) {
      runStart = -1;
      continue;
    }
    if (runStart < 0) runStart = cp;
    byValue[(cp - runStart) % 10].push(ch);
  }
  classes = byValue.map((chars) => chars.join(""));
  return classes;
}

/** A class of the digits of value lo..hi. */
function digit(lo: number, hi = lo): string {
  return `[${digitsByValue().slice(lo, hi + 1).join("")}]`;
}

/** int() allows one underscore between two digits. */
const SEP = "_?";

function text(name: string, sign: string, body: string): Expr {
  return pred(name, "regex", [`^${PY_WS}*${sign}${body}${PY_WS}*$`]);
}

function anyDigits(): string {
  return `${digit(0, 9)}(?:${SEP}${digit(0, 9)})*`;
}

const LEAD_ZEROS = (): string => `(?:${digit(0)}${SEP})*`;

/** A magnitude above n (n ≥ 0), leading zeros allowed. */
function above(n: bigint): string {
  const ds = n.toString().split("").map(Number);
  const L = ds.length;
  // More significant digits than n, or as many and larger at the first difference.
  const alts = [`${digit(1, 9)}(?:${SEP}${digit(0, 9)}){${L},}`];
  for (let i = 0; i < L; i++) {
    if (ds[i] === 9) continue;
    alts.push([...ds.slice(0, i).map((x) => digit(x)), digit(ds[i] + 1, 9), ...Array<string>(L - 1 - i).fill(digit(0, 9))].join(SEP));
  }
  return `${LEAD_ZEROS()}(?:${alts.join("|")})`;
}

/** A magnitude equal to n (n ≥ 0), leading zeros allowed. */
function equal(n: bigint): string {
  if (n === 0n) return `${digit(0)}(?:${SEP}${digit(0)})*`;
  return `${LEAD_ZEROS()}${n.toString().split("").map((x) => digit(Number(x))).join(SEP)}`;
}

export type IntOp = "==" | "!=" | "<" | ">" | "<=" | ">=";

/**
 * `int(x) op k` on the text (or integer) at field `name`, for a non-negative
 * integer k (else null). Text int() rejects raises, so no predicate holds on it.
 */
export function intTextPred(name: string, op: IntOp, k: number): Expr | null {
  if (!Number.isSafeInteger(k) || k < 0) return null;
  const n = BigInt(k);
  const valid = text(name, "[+-]?", anyDigits());
  const negative = text(name, "-", above(0n));
  const gt = (m: bigint): Expr => text(name, "\\+?", above(m));
  const gte = (m: bigint): Expr => (m === 0n ? mkAnd(valid, mkNot(negative)) : gt(m - 1n));
  const eq = text(name, n === 0n ? "[+-]?" : "\\+?", equal(n));
  switch (op) {
    case ">":
      return gt(n);
    case ">=":
      return gte(n);
    case "<":
      return n === 0n ? negative : mkAnd(valid, mkNot(gte(n)));
    case "<=":
      return mkAnd(valid, mkNot(gt(n)));
    case "==":
      return eq;
    case "!=":
      return mkAnd(valid, mkNot(eq));
  }
}
