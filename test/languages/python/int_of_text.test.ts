import assert from "node:assert/strict";
import { test } from "node:test";
import type { Expr } from "../../../src/model/expr.js";
import { compileRule as compile, opaqueReasons, run } from "./compile-helpers.js";

// int() of a field holding integer text: exact regexes over what Python's int() accepts.
// Our own Panther-style fixtures; expected verdicts checked against CPython's int().

const SCAN_RULE = `LIMIT = 1073741824

def rule(event):
    return event.get("kind") == "QUERY" and int(event.deep_get("stats", "billed", default=0)) > LIMIT
`;

test("int(text) > N: digit-by-digit comparison", () => {
  const e = compile(SCAN_RULE, [{ kind: "QUERY", stats: { billed: "100000" } }]);
  assert.deepEqual(opaqueReasons(e), []);
  const ev = (billed: unknown) => ({ kind: "QUERY", stats: { billed } });
  for (const [v, want] of [
    ["3097493504", true],
    ["1073741825", true],
    ["1073741824", false],
    ["1073741823", false],
    ["999999999", false],
    ["0001073741825", true], // leading zeros
    ["+2_000_000_000", true], // sign and underscores
    [" 2000000000\n", true], // whitespace
    ["2__000000000", false], // int() raises
    ["2000000000.0", false], // int() raises
    ["-3097493504", false],
    ["\u0664\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660", true], // Arabic-Indic 4000000000
    ["abc", false],
    [3097493504, true], // an integer reads as its text
  ] as const) {
    assert.equal(run(e, ev(v)), want, JSON.stringify(v));
  }
  assert.equal(run(e, { kind: "QUERY" }), false); // int(0)
});

test("int(text) == 0 / < / != and truthiness", () => {
  const samples = [{ cols: { state: "0" } }];
  const eq0 = compile('def rule(event):\n    return int(event.deep_get("cols", "state")) == 0\n', samples);
  assert.deepEqual(opaqueReasons(eq0), []);
  for (const [v, want] of [["0", true], ["-0", true], ["0_0", true], ["1", false], ["", false], ["x", false], [0, true]] as const) {
    assert.equal(run(eq0, { cols: { state: v } }), want, JSON.stringify(v));
  }
  assert.equal(run(eq0, {}), false); // int(None) raises
  const lt = compile('def rule(event):\n    return int(event.deep_get("cols", "state")) < 10\n', samples);
  for (const [v, want] of [["9", true], ["10", false], ["-50", true], ["x", false]] as const) assert.equal(run(lt, { cols: { state: v } }), want, v);
  const ne = compile('def rule(event):\n    return int(event.deep_get("cols", "state")) != 3\n', samples);
  for (const [v, want] of [["4", true], ["3", false], ["03", false], ["x", false]] as const) assert.equal(run(ne, { cols: { state: v } }), want, v);
  const truth = compile('def rule(event):\n    return bool(int(event.deep_get("cols", "state", default="0")))\n', samples);
  for (const [v, want] of [["7", true], ["0", false], ["x", false]] as const) assert.equal(run(truth, { cols: { state: v } }), want, v);
});

test("int() of a ternary fallback and membership", () => {
  const py = 'def rule(event):\n    n = event.get("n")\n    return int(n if n else 0) in [5, 6]\n';
  const e = compile(py, [{ n: "5" }, { n: 2 }]);
  assert.deepEqual(opaqueReasons(e), []);
  assert.equal(run(e, { n: "6" }), true);
  assert.equal(run(e, { n: 5 }), true);
  assert.equal(run(e, { n: "7" }), false);
  assert.equal(run(e, {}), false);
});

test("int() forms that stay opaque", () => {
  const samples = [{ n: "5" }];
  assert.deepEqual(opaqueReasons(compile('def rule(event):\n    return int(event.get("n")) > -3\n', samples)), [
    "int() compared with a negative or fractional number",
  ]);
  assert.deepEqual(opaqueReasons(compile('def rule(event):\n    return int(event.get("n")) > 2\n', [{ n: ["5"] }])), ["int() of an event value"]);
});
