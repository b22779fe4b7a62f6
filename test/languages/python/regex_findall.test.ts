import assert from "node:assert/strict";
import { test } from "node:test";
import { compileRule as compile, opaqueReasons, run } from "./compile-helpers.js";

// re.findall(p, field): non-empty exactly when a search matches; its length is known only to be >= 1.

test("len(re.findall(...)) > 0 over a constant set of patterns", () => {
  const py = `import re

PATTERNS = {"arn:aws:iam::[0-9]+:role/Admin"}

def rule(event):
    for p in PATTERNS:
        if len(re.findall(p, event.get("arn"))) > 0:
            return False
    return True
`;
  const e = compile(py, [{ arn: "arn:aws:iam::1:role/Admin" }]);
  assert.deepEqual(opaqueReasons(e), []);
  assert.equal(run(e, { arn: "arn:aws:iam::123:role/AdminX" }), false);
  assert.equal(run(e, { arn: "arn:aws:iam::123:role/Dev" }), true);
  // findall(p, None) raises: no alert.
  assert.equal(run(e, {}), false);
});

test("truthiness of re.findall() is a search", () => {
  const e = compile('import re\n\ndef rule(event):\n    return bool(re.findall("ab+", event.get("s", "")))\n');
  assert.deepEqual(opaqueReasons(e), []);
  assert.equal(run(e, { s: "xabbb" }), true);
  assert.equal(run(e, { s: "xa" }), false);
});

test("a count above one is not known", () => {
  const e = compile('import re\n\ndef rule(event):\n    return len(re.findall("a", event.get("s", ""))) > 1\n');
  assert.deepEqual(opaqueReasons(e), ["len() of a list of unknown length"]);
});
