import assert from "node:assert/strict";
import { test } from "node:test";
import { compileRule as compile, opaqueReasons, run } from "./compile-helpers.js";

// Under `if t == "Root":` / `elif t in ("Role", "User"):` a variable holding a raw field holds one of
// those strings, so f-strings built from it are constants per case.

const ACTOR = `def actor(event):
    kind = event.get("kind")
    if kind == "Root":
        name = event.get("name", f"Unknown{kind}")
    elif kind in ("Role", "User"):
        name = event.get("name", f"Unknown{kind}")
        if name.startswith("SSO_"):
            name = event.get("principal", f"Unknown{kind}").split(":")[1]
    else:
        name = "UnknownUser"
    return name

def rule(event):
    return actor(event) in ("UnknownRole", "alice")
`;

test("an f-string of a narrowed variable is one constant per case", () => {
  const e = compile(ACTOR, [{ kind: "Role", name: "x", principal: "a:b" }]);
  assert.deepEqual(opaqueReasons(e), []);
  assert.equal(run(e, { kind: "Role" }), true);
  assert.equal(run(e, { kind: "User" }), false);
  assert.equal(run(e, { kind: "Root" }), false);
  assert.equal(run(e, { kind: "User", name: "alice" }), true);
  assert.equal(run(e, { kind: "Role", name: "SSO_x", principal: "id:alice" }), true);
  // "UnknownRole".split(":")[1] raises: no alert.
  assert.equal(run(e, { kind: "Role", name: "SSO_x" }), false);
  assert.equal(run(e, { kind: "Other" }), false);
});

test("the narrowing ends with the branch: code after the if sees the field again", () => {
  const py = 'def rule(event):\n    t = event.get("t")\n    if t == "a":\n        pass\n    return t == "b"\n';
  const e = compile(py);
  assert.deepEqual(e, { type: "pred", field: "t", kind: "eq", values: ["b"] });
});

test("f-strings with a conversion or format spec stay opaque", () => {
  const e = compile('X = "a"\n\ndef rule(event):\n    return event.get("k") == f"{X!r}"\n');
  assert.deepEqual(opaqueReasons(e), ["f-string with a conversion or format spec"]);
});
