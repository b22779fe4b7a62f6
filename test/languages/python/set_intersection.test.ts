import assert from "node:assert/strict";
import { test } from "node:test";
import { compileRule as compile, opaqueReasons, run } from "./compile-helpers.js";

// `CONSTS & set(field)` and `set(CONSTS).intersection(...)`: the constants the field's elements include.

test("a constant set & set() of a split field: any part is one of the constants", () => {
  const py = 'ADMIN = {"admin", "owner"}\n\ndef rule(event):\n    roles = event.get("roles", "").split(",")\n    return bool(ADMIN & set(roles))\n';
  const e = compile(py, [{ roles: "viewer,admin" }]);
  assert.deepEqual(opaqueReasons(e), []);
  assert.equal(run(e, { roles: "viewer,admin" }), true);
  assert.equal(run(e, { roles: "viewer,administrator" }), false);
  assert.equal(run(e, { roles: "owner" }), true);
  assert.equal(run(e, {}), false);
});

test("len() of an intersection with a list field whose default is []", () => {
  const py =
    'PERMS = ["UserModify", "TokenModify"]\n\ndef rule(event):\n    granted = set(event.deep_get("input", "permissions", default=[]))\n    return len(set(PERMS).intersection(granted)) > 0 and event.get("result") == "OK"\n';
  const e = compile(py, [{ input: { permissions: ["UserRead", "UserModify"] }, result: "OK" }]);
  assert.deepEqual(opaqueReasons(e), []);
  assert.equal(run(e, { input: { permissions: ["UserRead", "UserModify"] }, result: "OK" }), true);
  assert.equal(run(e, { input: { permissions: ["UserRead"] }, result: "OK" }), false);
  assert.equal(run(e, { input: { permissions: [] }, result: "OK" }), false);
  assert.equal(run(e, { result: "OK" }), false);
  assert.equal(run(e, { input: { permissions: ["TokenModify"] }, result: "FAILED" }), false);
});

test("len() of an intersection counts the constants present", () => {
  const py = 'PERMS = {"a", "b", "c"}\n\ndef rule(event):\n    return len(PERMS & set(event.get("p", []))) >= 2\n';
  const e = compile(py, [{ p: ["a"] }]);
  assert.deepEqual(opaqueReasons(e), []);
  assert.equal(run(e, { p: ["a", "x"] }), false);
  assert.equal(run(e, { p: ["a", "c"] }), true);
  assert.equal(run(e, { p: ["c", "b", "a"] }), true);
});

test("set() of a field whose missing case raises stays opaque (an empty list reads as missing)", () => {
  const py = 'PERMS = {"a"}\n\ndef rule(event):\n    return not (PERMS & set(event.get("p")))\n';
  assert.deepEqual(opaqueReasons(compile(py, [{ p: ["a"] }])), ["operator & on event values"]);
});

test("set() of a list of objects stays opaque (set() would raise on dicts)", () => {
  const py = 'PERMS = {"a"}\n\ndef rule(event):\n    return bool(PERMS & set(event.get("p", [])))\n';
  assert.ok(opaqueReasons(compile(py, [{ p: [{ n: "a" }] }])).length > 0);
});
