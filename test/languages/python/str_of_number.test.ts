import assert from "node:assert/strict";
import { test } from "node:test";
import type { Expr } from "../../../src/model/expr.js";
import { compileRule as compile, opaqueReasons, run } from "./compile-helpers.js";

// str() of a field the samples show holding numbers: our own Panther-style fixtures.

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
