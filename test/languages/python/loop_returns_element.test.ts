import assert from "node:assert/strict";
import { test } from "node:test";
import type { Expr } from "../../../src/model/expr.js";
import { compileRule as compile, opaqueReasons, run } from "./compile-helpers.js";

// `for e in event[...]: if P(e): return e` — a lookup helper whose result is only tested for truth.

const LOOKUP = `def lookup(kind, names, event):
    for item in event.get("items", []):
        if item.get("kind") == kind and item.get("name") in names:
            return item
    return {}

`;

test("truthiness of the element a loop returns: some element matched", () => {
  const e = compile(`${LOOKUP}def rule(event):\n    if lookup("login", ["failure"], event):\n        return True\n    return False\n`);
  assert.deepEqual(opaqueReasons(e), []);
  assert.equal(run(e, { items: [{ kind: "x" }, { kind: "login", name: "failure" }] }), true);
  assert.equal(run(e, { items: [{ kind: "login", name: "success" }] }), false);
  assert.equal(run(e, { items: [] }), false);
  assert.equal(run(e, {}), false);
});

test("any other use of the returned element stays opaque", () => {
  const e = compile(`${LOOKUP}def rule(event):\n    return lookup("login", ["failure"], event).get("user") == "root"\n`);
  assert.ok(opaqueReasons(e).length > 0);
});

test("a condition a falsy element can satisfy leaves the truth unknown", () => {
  // "" satisfies `not item`, so the returned element may be falsy.
  const py = 'def rule(event):\n    for item in event.get("items", []):\n        if not item:\n            return item\n    return False\n';
  assert.deepEqual(opaqueReasons(compile(py)), ["loop returns element-dependent values"]);
});
