import assert from "node:assert/strict";
import { test } from "node:test";
import { loadModule } from "../../../src/formats/panther/context.js";
import { typeOracle } from "../../../src/formats/panther/tests.js";
import { initPython } from "../../../src/languages/python/parser.js";
import { emptyProgram } from "../../../src/languages/python/program.js";
import { pythonSemantics } from "../../../src/languages/python/semantics.js";
import { translateCondition } from "../../../src/languages/python/translate.js";
import { evaluate } from "../../../src/model/evaluate.js";
import type { Expr } from "../../../src/model/expr.js";
import { simplify } from "../../../src/model/simplify.js";

// str() of a field the samples show holding numbers: our own Panther-style fixtures.

await initPython();

/** Compiles `rule()` with field types learnt from the sample logs, as the Panther adapter does. */
function compile(py: string, samples: unknown[]): Expr {
  const mod = loadModule("rule:t.py", "t.py", py, []);
  const types = typeOracle(samples.map((event, i) => ({ name: `s${i}`, expected: false, event })));
  return simplify(translateCondition(mod, "rule", emptyProgram(), [], types).condition);
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

const STATUS_RULE = `def rule(event):
    return all(
        [
            event.deep_get("lb", "kind", default="") == "proxy",
            not any(
                [
                    str(event.deep_get("http", "code", default=000)).startswith("2"),
                    str(event.deep_get("http", "code", default=000)).startswith("3"),
                ]
            ),
        ]
    )
`;

test("str(number).startswith(digit) reads the number's text", () => {
  const e = compile(STATUS_RULE, [{ lb: { kind: "proxy" }, http: { code: 403 } }, { http: { code: 302 } }]);
  assert.deepEqual(opaqueReasons(e), []);
  assert.equal(run(e, { lb: { kind: "proxy" }, http: { code: 403 } }), true);
  assert.equal(run(e, { lb: { kind: "proxy" }, http: { code: 200 } }), false);
  assert.equal(run(e, { lb: { kind: "proxy" }, http: { code: "301" } }), false); // str("301") is "301"
  // Missing: str(0) is "0", which starts with neither.
  assert.equal(run(e, { lb: { kind: "proxy" } }), true);
});

const PHONE_RULE = `def rule(event):
    phone = str(event.deep_get("auth", "phone", default="<NONE>"))
    return event.get("kind") == "enroll" and bool(phone)
`;

test("truthiness of str(field): empty only for the empty string", () => {
  const e = compile(PHONE_RULE, [{ kind: "enroll", auth: { phone: 1234567 } }, { auth: { phone: "" } }]);
  assert.deepEqual(opaqueReasons(e), []);
  assert.equal(run(e, { kind: "enroll", auth: { phone: 1234567 } }), true);
  assert.equal(run(e, { kind: "enroll", auth: { phone: 0 } }), true); // str(0) == "0" is truthy
  assert.equal(run(e, { kind: "enroll", auth: { phone: "" } }), false);
  assert.equal(run(e, { kind: "enroll", auth: { phone: null } }), true); // deep_get default "<NONE>"
  assert.equal(run(e, { kind: "enroll" }), true);
});

test("str(number) == integer text matches the number and the string", () => {
  const e = compile('def rule(event):\n    return str(event.get("code")) in ["72", "6"]\n', [{ code: 72 }]);
  assert.deepEqual(opaqueReasons(e), []);
  assert.equal(run(e, { code: 72 }), true);
  assert.equal(run(e, { code: "6" }), true);
  assert.equal(run(e, { code: 7 }), false);
  assert.equal(run(e, {}), false); // str(None) == "None"
});

test("str(number) forms where a float's text may differ stay opaque", () => {
  const samples = [{ code: 72 }];
  assert.deepEqual(opaqueReasons(compile('def rule(event):\n    return str(event.get("code")) == "7.5"\n', samples)), [
    "str() of a number compared with a non-integer text",
  ]);
  assert.deepEqual(opaqueReasons(compile('def rule(event):\n    return str(event.get("code")).endswith("0")\n', samples)), ["str() of a number with endswith()"]);
  assert.deepEqual(opaqueReasons(compile('def rule(event):\n    return str(event.get("code")).lower() == "72"\n', samples)), [
    "string transforms after str() of a number",
  ]);
});

test("str() of a field the samples show as a list stays opaque", () => {
  const e = compile('def rule(event):\n    return str(event.get("code")).startswith("2")\n', [{ code: [200] }]);
  assert.deepEqual(opaqueReasons(e), ["str() of a non-string field"]);
});
