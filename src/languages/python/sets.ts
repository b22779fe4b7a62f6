import { mkAnd, mkNot, mkOr, fieldName, isNullPred } from "./exprs.js";
import type { PyNode } from "./ast.js";
import { containsVal } from "./compare.js";
import type { Interp } from "./interp.js";
import { botCond, stripBot, truthy } from "./interp.js";
import { BOT, constEq, constTruth, isConst, num, opq, type SymVal } from "./values.js";
import type { Expr } from "../../model/expr.js";

// Sets of event values: `set(field)` is only read through an intersection with a
// constant set (`ADMIN_ROLES & set(roles)`, `set(X).intersection(roles)`), which is
// the constants the field's elements include. Anything else stays opaque.

type FieldVal = SymVal & { k: "field" };

/** Elements a set() of these samples may hold: hashable scalars. */
const HASHABLE = new Set(["str", "num", "bool"]);

/** The elements of `v` as set() sees them, or null when set() of it is not modelled. */
function elementsOf(it: Interp, v: SymVal): FieldVal | null {
  if (v.k !== "field" || v.json || v.path.length === 0) return null;
  const last = v.tx[v.tx.length - 1];
  // A split list: strings.
  if (v.tx.length > 0) return last?.op === "split" && Number.isNaN(last.index) && v.tx.length === 1 ? v : null;
  if (it.typeOf(v.base, v.path) !== "list") return null;
  // A list of dicts or lists makes set() raise: the samples must show scalar elements only.
  const seen = it.typesSeen(v.base, [...v.path, "[]"]);
  return seen && seen.length > 0 && seen.every((t) => HASHABLE.has(t)) ? v : null;
}

/** `set(v)`: a constant set, BOT where Python raises, or an opaque value that remembers its field. */
export function setOfValue(it: Interp, v: SymVal, n: PyNode): SymVal | null {
  const f = elementsOf(it, v);
  if (!f) return null;
  const set: SymVal = { k: "opq", text: n.text, reason: "set() of an event value", setOf: f };
  // A split list: its missing case is in the field's own default, which the membership tests read.
  if (f.tx.length > 0) return set;
  // The predicates read an empty list as missing, so the missing case must behave as an empty
  // list does: only a default of [] (set(None) raises, which an empty list does not).
  if (f.nullv.k !== "seq" || f.nullv.items.length > 0) return null;
  return it.ite(isNullPred(fieldName(f.base, f.path)), { k: "seq", kind: "set", items: [] }, set);
}

/**
 * `consts & set(field)`: each constant under the condition that the field's
 * elements include it. Only with truthy constants, so that the result's
 * truthiness (non-empty) is the disjunction of the conditions.
 */
export function intersectConst(it: Interp, consts: SymVal, other: SymVal, n: PyNode): SymVal | null {
  if (consts.k !== "seq" || !consts.items.every((i) => isConst(i) && constTruth(i) === true)) return null;
  if (other.k === "seq" && other.items.every(isConst)) {
    return { k: "seq", kind: "set", items: consts.items.filter((c) => other.items.some((o) => constEq(o, c) === true)) };
  }
  const f = other.k === "opq" && other.setOf ? other.setOf : other.k === "field" ? elementsOf(it, other) : null;
  if (!f) return null;
  const tests = consts.items.map((c) => containsVal(it, f, c, n));
  if (tests.some((t) => t.k === "opq")) return null;
  const items = tests.map((t, i) => ({ g: truthy(stripBot(t)), v: consts.items[i] })).filter((i) => i.g.type !== "false");
  // Where reading the field raised (None.split()), the whole expression raised.
  const raised = mkOr(...tests.map(botCond));
  const gen: SymVal = { k: "gen", items };
  return raised.type === "false" ? gen : it.ite(raised, BOT, gen);
}

const MAX_COUNT_ITEMS = 10;

/** len() of a generated collection (a comprehension or an intersection): the count, as a value over the conditions. */
export function lenOfGen(it: Interp, g: SymVal & { k: "gen" }, n: PyNode): SymVal {
  if (g.items.some((i) => i.v.k === "bot" || i.v.k === "opq")) return opq(n.text, "len() of values that may raise");
  if (g.items.length > MAX_COUNT_ITEMS) return opq(n.text, "len() of a long generated list");
  // dist[k]: the condition that exactly k items are present.
  let dist: Expr[] = [mkAnd()];
  for (const { g: c } of g.items) {
    const next: Expr[] = [];
    for (let k = 0; k <= dist.length; k++) {
      const stay = k < dist.length ? mkAnd(dist[k], mkNot(c)) : mkOr();
      const grow = k > 0 ? mkAnd(dist[k - 1], c) : mkOr();
      next.push(mkOr(stay, grow));
    }
    dist = next;
  }
  let v: SymVal = num(dist.length - 1);
  for (let k = dist.length - 2; k >= 0; k--) v = it.ite(dist[k], num(k), v);
  return v;
}
