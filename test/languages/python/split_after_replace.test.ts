import assert from "node:assert/strict";
import { test } from "node:test";
import type { Expr } from "../../../src/model/expr.js";
import { compileRule as compile, opaqueReasons, run } from "./compile-helpers.js";

// x.replace(a, b).split(b): either character separates. Our own Panther-style fixture.

const TOOL_RULE = `TOOLS = ["dump.exe", "grab.exe"]

def rule(event):
    data = event.get("Extra", {})
    image = data.get("NewProcessName", "") or data.get("Image", "")
    if not image:
        return False
    filename = image.lower().replace("/", "\\\\").split("\\\\")[-1]
    return filename in TOOLS
`;

test("replace(a, b).split(b)[-1] in constants: last part after either separator", () => {
  const e = compile(TOOL_RULE);
  assert.deepEqual(opaqueReasons(e), []);
  assert.equal(run(e, { Extra: { NewProcessName: "C:\\Tools\\DUMP.exe" } }), true);
  assert.equal(run(e, { Extra: { Image: "/mnt/c/tools/grab.exe" } }), true);
  assert.equal(run(e, { Extra: { Image: "c:\\x/dump.exe" } }), true);
  assert.equal(run(e, { Extra: { Image: "grab.exe" } }), true);
  assert.equal(run(e, { Extra: { Image: "c:\\dump.exe\\x" } }), false);
  assert.equal(run(e, { Extra: { Image: "c:\\notdump.exe" } }), false);
  assert.equal(run(e, { Extra: { NewProcessName: "", Image: "/bin/grab.exe" } }), true);
  assert.equal(run(e, {}), false);
});

test("replace() not followed by a split on the new character stays opaque", () => {
  assert.deepEqual(opaqueReasons(compile('def rule(event):\n    return event.get("p", "").replace("/", "-") == "a-b"\n')), ["string transform"]);
  assert.deepEqual(opaqueReasons(compile('def rule(event):\n    return event.get("p", "").replace("/", "-").split(".")[0] == "a"\n')), [
    "split() after replace() on another separator",
  ]);
});
