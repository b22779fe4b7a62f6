import assert from "node:assert/strict";
import { test } from "node:test";
import { type Logic, and, not, opaque, or, pred } from "../../src/model/expr.js";
import { exclusions, indicators, occurrences } from "../../src/model/views.js";

const logic = (condition: Logic["condition"], extra: Partial<Logic> = {}): Logic => ({
  condition,
  outputFields: [],
  fidelity: "full",
  ...extra,
});

test("NOT(a OR b) splits into one exclusion row per operand", () => {
  const l = logic(and(not(or(pred("errorCode", "is_not_null"), pred("errorMessage", "is_not_null"))), pred("eventName", "in", ["A"])));
  assert.deepEqual(exclusions(l), [
    { field: "errorCode", kind: "is_not_null", values: [] },
    { field: "errorMessage", kind: "is_not_null", values: [] },
  ]);
  assert.deepEqual(indicators(l), [{ field: "eventName", kind: "in", values: ["A"] }]);
});

test("NOT(a AND b) keeps its rows together under one group", () => {
  const l = logic(and(pred("x", "eq", ["1"]), not(and(pred("a", "eq", ["1"]), pred("b", "eq", ["2"])))));
  const rows = exclusions(l);
  assert.equal(rows.length, 2);
  assert.equal(rows[0].group, 1);
  assert.equal(rows[1].group, 1);
  assert.equal(rows[0].expr, 'a eq "1" and b eq "2"');
});

test("a NOT nested below the top level is no exclusion, and its predicates are no indicators", () => {
  const l = logic(and(pred("x", "eq", ["1"]), or(pred("y", "eq", ["2"]), not(pred("z", "eq", ["3"])))));
  assert.deepEqual(exclusions(l), []);
  assert.deepEqual(
    indicators(l).map((r) => r.field),
    ["x", "y"],
  );
});

test("occurrences carry polarity; double negation is positive; opaque yields nothing", () => {
  const occ = occurrences(and(not(not(pred("a", "eq", ["1"]))), not(pred("b", "eq", ["2"])), opaque("f()", "r")));
  assert.deepEqual(
    occ.map((o) => [o.field, o.negated]),
    [
      ["a", false],
      ["b", true],
    ],
  );
});

test("quantified predicates are prefixed with the array path", () => {
  const occ = occurrences({ type: "quant", quantifier: "any", over: "items", cond: pred("name", "eq", ["x"]) });
  assert.equal(occ[0].field, "items.name");
});

test("indicators include each event of a multi-event rule, deduplicated", () => {
  const p = pred("metadata.event_type", "eq", ["USER_LOGIN"]);
  const l = logic(p, {
    aggregation: {
      kind: "join",
      events: [
        { name: "e1", condition: p },
        { name: "e2", condition: pred("metadata.event_type", "eq", ["PROCESS_LAUNCH"]) },
      ],
    },
  });
  assert.deepEqual(
    indicators(l).map((r) => r.values[0]),
    ["USER_LOGIN", "PROCESS_LAUNCH"],
  );
});

test("scope and origin are kept on rows", () => {
  const l = logic(and(pred("EventID", "eq", [1], { scope: true }), not(pred("Image", "endswith", ["\\x.exe"], { origin: "filter_main" }))));
  assert.equal(indicators(l)[0].scope, true);
  assert.equal(exclusions(l)[0].origin, "filter_main");
});
