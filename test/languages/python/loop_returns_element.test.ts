import assert from "node:assert/strict";
import { test } from "node:test";
import { loadModule } from "../../../src/formats/panther/context.js";
import { initPython } from "../../../src/languages/python/parser.js";
import { emptyProgram } from "../../../src/languages/python/program.js";
import { pythonSemantics } from "../../../src/languages/python/semantics.js";
import { translateCondition } from "../../../src/languages/python/translate.js";
import { evaluate } from "../../../src/model/evaluate.js";
import type { Expr } from "../../../src/model/expr.js";
import { simplify } from "../../../src/model/simplify.js";

// `for e in event[...]: if P(e): return e` — a lookup helper whose result is only tested for truth.

await initPython();

function compile(py: string): Expr {
  const mod = loadModule("rule:t.py", "t.py", py, []);
  return simplify(translateCondition(mod, "rule", emptyProgram(), [], () => undefined).condition);
}

const run = (e: Expr, ev: unknown) => evaluate(e, ev, pythonSemantics);

function opaqueReasons(e: Expr): string[] {
  const out: string[] = [];
  const w = (x: Expr): void => {
    if (x.type === "opaque") out.push(x.reason);
    else if (x.type === "and" || x.type === "or") x.args.forEach(w);
    else if (x.type === "not") w(x.arg);
    else if (x.type === "quant") w(x.cond);
  };
  w(e);
  return out;
}

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
