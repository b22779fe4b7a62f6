import assert from "node:assert/strict";
import { test } from "node:test";
import { pred } from "../../../src/model/expr.js";
import { keyOf, mkAnd, mkNot, mkOr, same } from "../../../src/languages/python/exprs.js";

test("structural keys: equal trees share a key, different trees do not", () => {
  const a = () => mkAnd(pred("eventName", "eq", ["A"]), mkNot(pred("errorCode", "is_not_null")));
  assert.equal(keyOf(a()), keyOf(a()));
  assert.ok(same(a(), a()));
  assert.notEqual(keyOf(a()), keyOf(mkAnd(pred("eventName", "eq", ["B"]), mkNot(pred("errorCode", "is_not_null")))));
  assert.notEqual(keyOf(mkAnd(pred("x", "eq", [1]), pred("y", "eq", [1]))), keyOf(mkOr(pred("x", "eq", [1]), pred("y", "eq", [1]))));
  // Values of different types never collide.
  assert.notEqual(keyOf(pred("x", "eq", [1])), keyOf(pred("x", "eq", ["1"])));
});

test("dedup and contradiction use the keys: x and x → x, x and not x → false", () => {
  const x = () => pred("a", "eq", ["1"]);
  assert.deepEqual(mkAnd(x(), x()), x());
  assert.equal(mkAnd(x(), mkNot(x())).type, "false");
  assert.equal(mkOr(x(), mkNot(x())).type, "true");
});

test("keying a deep chain is linear in its size: 3,000 levels in well under a second", () => {
  let e = pred("f0", "eq", ["v"]) as ReturnType<typeof mkAnd>;
  for (let i = 1; i < 3_000; i++) e = { type: i % 2 ? "and" : "or", args: [pred(`f${i}`, "eq", ["v"]), e] };
  const t = performance.now();
  keyOf(e);
  assert.ok(performance.now() - t < 500);
});
