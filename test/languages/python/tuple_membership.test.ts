import assert from "node:assert/strict";
import { test } from "node:test";
import { compileRule as compile, opaqueReasons, run } from "./compile-helpers.js";

// `(a, b) in {("x", "y"), ...}`: a pair of event values against constant pairs.

const PY = `PAIRS = {("winword.exe", "cmd.exe"), ("excel.exe", "powershell.exe"), ["excel.exe", "cmd.exe"]}

def rule(event):
    parent = event.get("parent", "").lower()
    child = event.get("child", "").lower()
    return (parent, child) in PAIRS
`;

test("tuple membership: element-wise equality with one of the constant tuples", () => {
  const e = compile(PY.replace(', ["excel.exe", "cmd.exe"]', ""), [{ parent: "WINWORD.EXE", child: "cmd.exe" }]);
  assert.deepEqual(opaqueReasons(e), []);
  assert.equal(run(e, { parent: "WINWORD.EXE", child: "CMD.exe" }), true);
  assert.equal(run(e, { parent: "excel.exe", child: "powershell.exe" }), true);
  assert.equal(run(e, { parent: "excel.exe", child: "cmd.exe" }), false);
  assert.equal(run(e, { parent: "winword.exe" }), false);
});

test("a list in the container never equals the tuple", () => {
  // A set cannot hold a list, so use a tuple of candidates instead.
  const py = 'CANDIDATES = (("excel.exe", "cmd.exe"), ["winword.exe", "cmd.exe"])\n\ndef rule(event):\n    return (event.get("parent", ""), event.get("child", "")) in CANDIDATES\n';
  const e = compile(py, [{ parent: "x", child: "y" }]);
  assert.deepEqual(opaqueReasons(e), []);
  assert.equal(run(e, { parent: "excel.exe", child: "cmd.exe" }), true);
  assert.equal(run(e, { parent: "winword.exe", child: "cmd.exe" }), false);
});
