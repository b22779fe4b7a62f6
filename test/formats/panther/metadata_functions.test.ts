import assert from "node:assert/strict";
import { test } from "node:test";
import { pantherAdapter } from "../../../src/formats/panther/adapter.js";
import { pythonSemantics } from "../../../src/languages/python/semantics.js";
import { evaluate } from "../../../src/model/evaluate.js";

// title()/dedup()/... are metadata: the adapter does not build their syntax trees unless the
// rule's own code mentions them. A rule() that calls title() must still translate it.

const YML = "AnalysisType: rule\nFilename: r.py\nRuleID: Fixture.Meta\nLogTypes: [Fixture.Log]\nSeverity: Low\n";

function compile(py: string) {
  const out = pantherAdapter.compile({ root: { name: "t", dir: "/nonexistent" }, path: "rules/r.yml", text: YML, deps: { "rules/r.py": py } }, undefined);
  assert.equal(out.rules.length, 1);
  return out.rules[0];
}

test("metadata functions are listed and do not change the condition", () => {
  const r = compile('def rule(event):\n    return event.get("a") == "x"\n\ndef title(event):\n    return f"{event.get(\'a\')} did {1 + 2}"\n\ndef dedup(event):\n    return event.get("b")\n');
  assert.equal(r.logic.fidelity, "full");
  assert.deepEqual(r.extra.pythonFunctions, ["rule", "title", "dedup"]);
  assert.deepEqual(r.logic.condition, { type: "pred", field: "a", kind: "eq", values: ["x"] });
});

test("a rule() that calls title() gets title()'s body translated", () => {
  const r = compile('def title(event):\n    return event.get("name", "")\n\ndef rule(event):\n    return title(event).startswith("adm")\n');
  assert.equal(r.logic.fidelity, "full");
  assert.equal(evaluate(r.logic.condition, { name: "admin" }, pythonSemantics), true);
  assert.equal(evaluate(r.logic.condition, { name: "user" }, pythonSemantics), false);
});
