import assert from "node:assert/strict";
import { test } from "node:test";
import { compileRule as compile, opaqueReasons, run } from "./compile-helpers.js";

// `x.split(sep)[i][m:]` compared with literals: one regex over x.

const PY = `KEYWORDS = ["admin", "owner"]

def rule(event):
    parts = event.get("id", "").split("_")
    if len(parts) > 2 and parts[0] == "role":
        part = parts[2]
        if part.startswith("role-"):
            name = part[5:].lower()
            return any(k in name for k in KEYWORDS)
    return False
`;

test("a slice of a split segment, lower-cased, tested for substrings", () => {
  const e = compile(PY, [{ id: "role_x_role-Admin_u" }]);
  assert.deepEqual(opaqueReasons(e), []);
  assert.equal(run(e, { id: "role_x_role-org-ADMIN_user" }), true);
  assert.equal(run(e, { id: "role_x_role-reader_user" }), false);
  // "role-" itself is skipped: the keyword must lie after it.
  assert.equal(run(e, { id: "role_x_owner-role-x" }), false);
  assert.equal(run(e, { id: "role_x" }), false);
  assert.equal(run(e, {}), false);
});

test("equality and prefixes of a sliced segment", () => {
  const eq = compile('def rule(event):\n    return event.get("p", "").split("/")[1][2:] == "abc"\n', [{ p: "a/xxabc" }]);
  assert.deepEqual(opaqueReasons(eq), []);
  assert.equal(run(eq, { p: "a/xxabc/z" }), true);
  assert.equal(run(eq, { p: "a/xxabcd" }), false);
  assert.equal(run(eq, { p: "a/abc" }), false);
  const empty = compile('def rule(event):\n    return event.get("p", "").split("/")[1][3:] == ""\n', [{ p: "a/b" }]);
  assert.equal(run(empty, { p: "a/xyz" }), true);
  assert.equal(run(empty, { p: "a/xyzw" }), false);
});

test("slicing None raises; other slices of event values stay opaque", () => {
  assert.deepEqual(opaqueReasons(compile('def rule(event):\n    return event.get("p")[2:] == "x"\n', [{ p: "abx" }])), ["slice of an event value"]);
});
