import assert from "node:assert/strict";
import { test } from "node:test";
import type { Expr } from "../../../src/model/expr.js";
import { compileRule, opaqueReasons, run } from "./compile-helpers.js";

// event.deep_walk(...) through an array of objects compared with a string. Our own fixtures;
// the expected verdicts follow Panther's deep_walk: each element contributes its leaf (or the
// default), duplicates collapse, a single distinct value is returned bare, several as a list.

const SAMPLES: unknown[] = [{ payload: { status: { details: [{ reason: "DENIED", kind: "x" }] } } }];
const compile = (py: string, samples: unknown[] = SAMPLES): Expr => compileRule(py, samples);

const ev = (details: unknown) => ({ payload: { status: { details } } });

test('deep_walk(..., default="") == s: every element contributes, all must equal s', () => {
  const e = compile('def rule(event):\n    reason = event.deep_walk("payload", "status", "details", "reason", default="")\n    return reason == "DENIED"\n');
  assert.deepEqual(opaqueReasons(e), []);
  assert.equal(run(e, ev([{ reason: "DENIED" }])), true);
  assert.equal(run(e, ev([{ reason: "DENIED" }, { reason: "DENIED" }])), true); // duplicates collapse
  assert.equal(run(e, ev([{ reason: "DENIED" }, { reason: "OTHER" }])), false); // a list, not a string
  assert.equal(run(e, ev([{ reason: "DENIED" }, { kind: "x" }])), false); // "" joins the values
  assert.equal(run(e, ev({ reason: "DENIED" })), true); // an object is walked like deep_get
  assert.equal(run(e, ev([])), false);
  assert.equal(run(e, {}), false);
});

test("deep_walk(...) without a default: elements without the leaf contribute nothing", () => {
  const e = compile('def rule(event):\n    return event.deep_walk("payload", "status", "details", "reason") != "DENIED"\n');
  assert.deepEqual(opaqueReasons(e), []);
  assert.equal(run(e, ev([{ reason: "DENIED" }, { kind: "x" }])), false);
  assert.equal(run(e, ev([{ reason: "DENIED" }, { reason: "OTHER" }])), true);
  assert.equal(run(e, ev([])), true); // None != "DENIED"
});

test("a default equal to the compared string holds on an empty array", () => {
  const e = compile('def rule(event):\n    return event.deep_walk("payload", "status", "details", "reason", default="DENIED") == "DENIED"\n');
  assert.equal(run(e, ev([])), true);
  assert.equal(run(e, ev([{ kind: "x" }, { reason: "DENIED" }])), true);
  assert.equal(run(e, ev([{ reason: "OTHER" }])), false);
});

test("other uses of a walk through an array stay opaque", () => {
  const reason = "deep_walk through values of unknown or list type";
  // `in` is substring on one value and membership on several.
  assert.deepEqual(opaqueReasons(compile('def rule(event):\n    return "DEN" in event.deep_walk("payload", "status", "details", "reason", default="")\n')), [reason]);
  assert.deepEqual(opaqueReasons(compile('def rule(event):\n    return bool(event.deep_walk("payload", "status", "details", "reason"))\n')), [reason]);
  // return_val="first" and leaves the samples do not show as strings.
  assert.deepEqual(
    opaqueReasons(compile('def rule(event):\n    return event.deep_walk("payload", "status", "details", "reason", return_val="first") == "DENIED"\n')),
    [reason],
  );
  const listLeaf = [{ payload: { status: { details: [{ reason: ["DENIED"] }] } } }];
  assert.deepEqual(opaqueReasons(compile('def rule(event):\n    return event.deep_walk("payload", "status", "details", "reason") == "DENIED"\n', listLeaf)), [reason]);
});
