import assert from "node:assert/strict";
import { test } from "node:test";
import { F, T, and, not, opaque, or, pred } from "../../src/model/expr.js";
import { fidelityOf, simplify } from "../../src/model/simplify.js";

const a = pred("A", "eq", ["1"]);
const b = pred("B", "eq", ["2"]);
const c = pred("C", "eq", ["3"]);

test("flattens nested and/or", () => {
  assert.deepEqual(simplify(and(a, and(b, c))), and(a, b, c));
  assert.deepEqual(simplify(or(or(a, b), c)), or(a, b, c));
});

test("keeps a nested or inside an and", () => {
  assert.deepEqual(simplify(and(a, or(b, c))), and(a, or(b, c)));
});

test("drops double negation", () => {
  assert.deepEqual(simplify(not(not(a))), a);
  assert.deepEqual(simplify(not(not(not(a)))), not(a));
});

test("folds constants", () => {
  assert.deepEqual(simplify(and(a, T)), a);
  assert.deepEqual(simplify(and(a, F)), F);
  assert.deepEqual(simplify(or(a, T)), T);
  assert.deepEqual(simplify(or(a, F)), a);
  assert.deepEqual(simplify(not(T)), F);
  assert.deepEqual(simplify(and()), T);
  assert.deepEqual(simplify(or()), F);
});

test("removes duplicate operands, keeping the first in source order", () => {
  assert.deepEqual(simplify(or(b, a, pred("B", "eq", ["2"]))), or(b, a));
});

test("unwraps single-operand and/or", () => {
  assert.deepEqual(simplify(and(or(a))), a);
});

test("fidelity: none, partial, full", () => {
  assert.equal(fidelityOf(opaque("x()", "unknown call")), "none");
  assert.equal(fidelityOf(and(a, opaque("x()", "unknown call"))), "partial");
  assert.equal(fidelityOf(and(a, b)), "full");
});

test("dedupe keys tell composites apart by operand order, quantifier and array", () => {
  const q = { type: "quant" as const, quantifier: "any" as const, over: "items", cond: a };
  const kept = or(and(a, b), and(b, a), q, { ...q, over: "other" }, { ...q, quantifier: "all" as const }, not(and(a, b)));
  assert.deepEqual(simplify(kept), kept);
});

test("dedupe keys of composite nodes equal their canonical JSON", async () => {
  const { canonicalJson } = await import("../../src/model/canonical.js");
  const q = { type: "quant" as const, quantifier: "any" as const, over: "items", cond: and(a, not(b)) };
  // Two structurally equal composites (built separately) are one operand after simplify.
  const twice = simplify(or(and(a, not(b)), q, and(pred("A", "eq", ["1"]), not(pred("B", "eq", ["2"]))), { ...q }));
  assert.deepEqual(twice, or(and(a, not(b)), q));
  assert.equal(canonicalJson(twice), canonicalJson(or(and(a, not(b)), q)));
});

