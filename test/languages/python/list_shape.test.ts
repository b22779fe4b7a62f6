import assert from "node:assert/strict";
import { test } from "node:test";
import { compileRule as compile, opaqueReasons, run } from "./compile-helpers.js";

// Comparisons on the shape of a list field (the samples show a list), through index steps.

const SAMPLES = [{ ips: ["10.0.0.1"], emails: ["a@x", "b@x"] }];

test("a list field equal to a literal list: element by element, nothing after", () => {
  const e = compile('def rule(event):\n    ips = event.get("ips", ["0.0.0.0"])\n    return ips != ["127.0.0.1"]\n', SAMPLES);
  assert.deepEqual(opaqueReasons(e), []);
  assert.equal(run(e, { ips: ["127.0.0.1"] }), false);
  assert.equal(run(e, { ips: ["127.0.0.1", "10.0.0.1"] }), true);
  assert.equal(run(e, { ips: ["10.0.0.1"] }), true);
  assert.equal(run(e, {}), true);
});

test("len() of a list field compared with a number", () => {
  const e = compile('def rule(event):\n    return len(event.get("emails", [])) > 1\n', SAMPLES);
  assert.deepEqual(opaqueReasons(e), []);
  assert.equal(run(e, { emails: ["a@x", "b@x"] }), true);
  assert.equal(run(e, { emails: ["a@x"] }), false);
  assert.equal(run(e, { emails: [] }), false);
  assert.equal(run(e, {}), false);
  const two = compile('def rule(event):\n    return len(event.get("emails", [])) == 2\n', SAMPLES);
  assert.equal(run(two, { emails: ["a", "b"] }), true);
  assert.equal(run(two, { emails: ["a", "b", "c"] }), false);
});

test("hasattr() of an ipaddress object is known", () => {
  const py = 'from ipaddress import ip_address\n\ndef rule(event):\n    ip = ip_address(event.get("ip"))\n    return hasattr(ip, "is_global") and ip.is_global\n';
  const e = compile(py, [{ ip: "8.8.8.8" }]);
  assert.deepEqual(opaqueReasons(e), []);
  assert.equal(run(e, { ip: "8.8.8.8" }), true);
  assert.equal(run(e, { ip: "10.0.0.1" }), false);
  assert.deepEqual(opaqueReasons(compile('def rule(event):\n    return hasattr(event, "x")\n')), ["builtin hasattr()"]);
});
