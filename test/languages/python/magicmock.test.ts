import assert from "node:assert/strict";
import { test } from "node:test";
import { loadModule } from "../../../src/formats/panther/context.js";
import { initPython } from "../../../src/languages/python/parser.js";
import { emptyProgram } from "../../../src/languages/python/program.js";
import { translateCondition } from "../../../src/languages/python/translate.js";
import { printCondition } from "../../../src/model/print.js";
import { simplify } from "../../../src/model/simplify.js";

// `isinstance(X, MagicMock)`: only the test harness makes MagicMocks. Our own fixture.

await initPython();

function lines(py: string): string[] {
  const mod = loadModule("rule:t.py", "t.py", py, []);
  return printCondition(simplify(translateCondition(mod, "rule", emptyProgram(), [], () => undefined).condition));
}

test("no constant or event value is a MagicMock", () => {
  const py = `from unittest.mock import MagicMock

ALLOWED = ["a"]

def rule(event):
    if isinstance(ALLOWED, MagicMock) or isinstance(event.get("x"), MagicMock):
        return False
    return event.get("user") not in ALLOWED
`;
  assert.deepEqual(lines(py), ['not (user eq "a")']);
});
