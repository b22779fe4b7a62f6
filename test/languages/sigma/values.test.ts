import assert from "node:assert/strict";
import { test } from "node:test";
import { classify, parseSigmaString, renderGlob } from "../../../src/languages/sigma/values.js";

// Sigma escaping: a backslash escapes only `*`, `?` and `\` (sigma.md §4 trap 1).
test("'\\\\Users\\\\*\\\\Downloads\\\\' is \\Users\\ + wildcard + \\Downloads\\", () => {
  const parts = parseSigmaString("\\\\Users\\\\*\\\\Downloads\\\\");
  assert.deepEqual(parts, [{ lit: "\\Users\\" }, { any: true }, { lit: "\\Downloads\\" }]);
  assert.deepEqual(classify(parts), { kind: "wildcard", value: "\\Users\\\\*\\Downloads\\" });
});

test("'\\\\\\*\\IPC$' is a backslash, a literal star, then \\IPC$", () => {
  const parts = parseSigmaString("\\\\\\*\\IPC$");
  assert.deepEqual(parts, [{ lit: "\\*\\IPC$" }]);
  assert.deepEqual(classify(parts), { kind: "eq", value: "\\*\\IPC$" });
});

test("a backslash before another character stays literal: \\. in '\\\\Modules\\\\*\\.ps'", () => {
  const parts = parseSigmaString("\\\\WindowsPowerShell\\\\Modules\\\\*\\.ps");
  assert.deepEqual(parts, [{ lit: "\\WindowsPowerShell\\Modules\\" }, { any: true }, { lit: "\\.ps" }]);
});

test("a trailing backslash is literal: 'dir \\'", () => {
  assert.deepEqual(parseSigmaString("dir \\"), [{ lit: "dir \\" }]);
});

test("escaped ? is literal, unescaped ? matches one character", () => {
  assert.deepEqual(classify(parseSigmaString("*momyshark\\?key=*")), { kind: "contains", value: "momyshark?key=" });
  assert.deepEqual(classify(parseSigmaString("*.php?*")), { kind: "wildcard", value: "*.php?*" });
});

test("globs classify: *x* contains, x* startswith, *x endswith, inner wildcard", () => {
  assert.deepEqual(classify(parseSigmaString("*\\rundll32.exe")), { kind: "endswith", value: "\\rundll32.exe" });
  assert.deepEqual(classify(parseSigmaString("C:\\Windows\\\\*")), { kind: "startswith", value: "C:\\Windows\\" });
  assert.deepEqual(classify(parseSigmaString("* -enc *")), { kind: "contains", value: " -enc " });
  assert.deepEqual(classify(parseSigmaString("cat /dev/null >*sh_history")), { kind: "wildcard", value: "cat /dev/null >*sh_history" });
  assert.deepEqual(classify(parseSigmaString("")), { kind: "eq", value: "" });
});

test("wildcard values keep escapes in the model's glob syntax", () => {
  // literal star inside a pattern, and a literal backslash right before a wildcard
  assert.equal(renderGlob(parseSigmaString("a\\*b*c")), "a\\*b*c");
  assert.equal(renderGlob(parseSigmaString("C:\\\\*\\\\x")), "C:\\\\*\\x");
});

test("whitespace is never trimmed", () => {
  assert.deepEqual(parseSigmaString(" -enc "), [{ lit: " -enc " }]);
});
