import assert from "node:assert/strict";
import { test } from "node:test";
import { compileRule as compile, opaqueReasons, run } from "./compile-helpers.js";

// `x[0]` of a list field (the samples show a list) is a path step "x.0".

const SAMPLES = [{ codes: [403, 500], ips: ["8.8.8.8"] }];

test("index into a list field: the element, IndexError past the end", () => {
  const e = compile('def rule(event):\n    codes = event.get("codes")\n    return bool(codes) and codes[0] == 403\n', SAMPLES);
  assert.deepEqual(opaqueReasons(e), []);
  assert.equal(run(e, { codes: [403] }), true);
  assert.equal(run(e, { codes: [500, 403] }), false);
  assert.equal(run(e, { codes: [] }), false);
  assert.equal(run(e, {}), false);
});

test("index into a list field with a constant default: the default's element when the field is missing", () => {
  const py = 'from ipaddress import ip_address\n\ndef rule(event):\n    ips = event.get("ips", ["0.0.0.0"])\n    return ip_address(ips[0]).is_global\n';
  const e = compile(py, SAMPLES);
  assert.deepEqual(opaqueReasons(e), []);
  assert.equal(run(e, { ips: ["8.8.8.8"] }), true);
  assert.equal(run(e, { ips: ["10.1.2.3", "8.8.8.8"] }), false);
  // ips missing: ip_address("0.0.0.0") is not global.
  assert.equal(run(e, {}), false);
  // Not an address: ValueError, no alert.
  assert.equal(run(e, { ips: ["nope"] }), false);
});

test("a field the samples do not show as a list stays opaque when indexed", () => {
  const e = compile('def rule(event):\n    return event.get("codes")[0] == 403\n', [{ codes: "403" }]);
  assert.deepEqual(opaqueReasons(e), ["index into an event array"]);
});

test("a negative index stays opaque", () => {
  const e = compile('def rule(event):\n    return event.get("codes", [])[-1] == 403\n', SAMPLES);
  assert.deepEqual(opaqueReasons(e), ["index into an event array"]);
});

test("properties of a constant address are decided at compile time", () => {
  const py = 'import ipaddress\n\ndef rule(event):\n    return ipaddress.ip_address("10.0.0.1").is_private and event.get("a") == 1\n';
  const e = compile(py, [{ a: 1 }]);
  assert.deepEqual(opaqueReasons(e), []);
  assert.equal(run(e, { a: 1 }), true);
  const g = compile('import ipaddress\n\ndef rule(event):\n    return ipaddress.ip_address("10.0.0.1").is_global\n');
  assert.equal(g.type, "false");
});
