import assert from "node:assert/strict";
import { test } from "node:test";
import type { Expr } from "../../../src/model/expr.js";
import { compileRule as compile, opaqueReasons, run } from "./compile-helpers.js";

// split()[i].strip() and rstrip(chars) folded into regexes: our own Panther-style fixtures.

const SETTING_RULE = `def rule(event):
    setting = (
        event.deep_get("params", "SETTING", default="NO_SETTING")
        .split("-")[0]
        .strip()
    )
    return event.get("name") == "CREATE_SETTING" and setting == "Strict Mode Settings"
`;

test("split(sep)[0].strip() == literal", () => {
  const e = compile(SETTING_RULE);
  assert.deepEqual(opaqueReasons(e), []);
  const ev = (s: unknown) => ({ name: "CREATE_SETTING", params: { SETTING: s } });
  assert.equal(run(e, ev("Strict Mode Settings - org unit")), true);
  assert.equal(run(e, ev("Strict Mode Settings")), true);
  assert.equal(run(e, ev("  Strict Mode Settings\t")), true);
  assert.equal(run(e, ev("Strict Mode Settings\u00a0-x")), true); // NBSP is whitespace to str.strip()
  assert.equal(run(e, ev("Strict Mode Settings X - y")), false);
  assert.equal(run(e, ev("x - Strict Mode Settings")), false);
  assert.equal(run(e, { name: "CREATE_SETTING" }), false); // "NO_SETTING"
});

test("split(sep)[-1].strip() == literal", () => {
  const e = compile('def rule(event):\n    return event.get("path", "").split("/")[-1].strip() == "run.sh"\n');
  assert.deepEqual(opaqueReasons(e), []);
  assert.equal(run(e, { path: "/tmp/run.sh " }), true);
  assert.equal(run(e, { path: "run.sh" }), true);
  assert.equal(run(e, { path: "/tmp/run.sh/x" }), false);
  assert.equal(run(e, { path: "/tmp/xrun.sh" }), false);
});

const DNS_RULE = `BAD = {"pool.example", "mine.example"}

def rule(event):
    query = event.get("query")
    if not query:
        return False
    for domain in BAD:
        if query.rstrip(".").endswith(domain):
            return True
    return False
`;

test("rstrip(chars).endswith(literal) inside a loop over a constant", () => {
  const e = compile(DNS_RULE);
  assert.deepEqual(opaqueReasons(e), []);
  assert.equal(run(e, { query: "x.pool.example." }), true);
  assert.equal(run(e, { query: "x.pool.example" }), true);
  assert.equal(run(e, { query: "mine.example..." }), true);
  assert.equal(run(e, { query: "mine.example.com." }), false);
  assert.equal(run(e, { query: "" }), false);
  assert.equal(run(e, {}), false);
});

test("rstrip(): eq, startswith, truthiness; a literal ending in a stripped character", () => {
  const eq = compile('def rule(event):\n    return event.get("v", "").rstrip("x") == "ab"\n');
  assert.equal(run(eq, { v: "abxx" }), true);
  assert.equal(run(eq, { v: "ab" }), true);
  assert.equal(run(eq, { v: "abxy" }), false);
  // A stripped value never ends with the stripped character.
  assert.equal(run(compile('def rule(event):\n    return event.get("v", "").rstrip("x") == "abx"\n'), { v: "abx" }), false);
  const truth = compile('def rule(event):\n    return bool(event.get("v", "").rstrip())\n');
  assert.equal(run(truth, { v: " \t " }), false);
  assert.equal(run(truth, { v: " a " }), true);
  assert.deepEqual(opaqueReasons(compile('def rule(event):\n    return event.get("v", "").rstrip("x").startswith("ax")\n')), [
    "rstrip() compared with a literal ending in a stripped character",
  ]);
  const sw = compile('def rule(event):\n    return event.get("v", "").rstrip("x").startswith("ab")\n');
  assert.equal(run(sw, { v: "abxx" }), true);
  assert.equal(run(sw, { v: "axb" }), false);
});
