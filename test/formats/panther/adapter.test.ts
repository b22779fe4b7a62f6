import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { pantherAdapter } from "../../../src/formats/panther/adapter.js";
import { pythonSemantics } from "../../../src/languages/python/semantics.js";
import { evaluate } from "../../../src/model/evaluate.js";
import { printCondition } from "../../../src/model/print.js";
import type { RuleRecord } from "../../../src/model/rule.js";
import { FIXTURES, ingestDir } from "./load.js";

const CORPUS = fileURLToPath(new URL("../../../../shared/corpora/panther/", import.meta.url));
const EXAMPLES = fileURLToPath(new URL("../../../examples/panther/", import.meta.url));

function replay(r: RuleRecord): (boolean | null)[] {
  return r.tests.map((t) => evaluate(r.logic.condition, pythonSemantics.prepareEvent!(t.event, t), pythonSemantics));
}

// The reference rule lives once, in examples/panther (our own text in the image of the original).
test("reference rule reproduced from fixtures: condition, output fields, tests, ATT&CK", async () => {
  const { rules } = await ingestDir(EXAMPLES);
  const r = rules.find((x) => x.id === "panther:AWS.ConfigService.Created");
  assert.ok(r);
  assert.deepEqual(printCondition(r.logic.condition), [
    "not (errorCode is_not_null or errorMessage is_not_null)",
    'eventName in ["PutDeliveryChannel", "PutConfigurationRecorder", "StartConfigurationRecorder"]',
  ]);
  assert.equal(r.logic.fidelity, "full");
  assert.deepEqual(r.logic.outputFields, ["eventName", "eventSource", "awsRegion", "recipientAccountId", "sourceIPAddress", "userAgent", "userIdentity"]);
  assert.deepEqual(r.tests.map((t) => t.expected), [true, false, false]);
  assert.deepEqual(replay(r), [true, false, false]);
  assert.deepEqual(r.attack, [{ raw: "TA0007:T1526", tactic: "TA0007", technique: "T1526" }]);
  assert.deepEqual(r.extra.Reports, { CIS: [3.9] });
  assert.equal(r.severity, "informational");
  assert.deepEqual(r.bodies.map((b) => b.language), ["yaml", "python"]);
});

test("without the .py the rule keeps metadata and tests, fidelity none", async () => {
  const { rules } = await ingestDir(EXAMPLES, false);
  const r = rules.find((x) => x.id === "panther:AWS.ConfigService.Created");
  assert.ok(r);
  assert.equal(r.logic.fidelity, "none");
  assert.equal(r.logic.condition.type === "opaque" && r.logic.condition.reason, "Python body not available");
  assert.equal(r.tests.length, 3);
});

test("bad input yields diagnostics, bounded time, no crash", async () => {
  const { rules, ms } = await ingestDir(FIXTURES);
  assert.ok(ms < 5000);
  const by = (id: string) => rules.find((x) => x.id === id) as RuleRecord;
  const syntax = by("panther:Fixture.SyntaxError");
  assert.ok(syntax.diagnostics.some((d) => d.code === "python.syntax" && d.line === 2));
  const nofile = by("panther:Fixture.NoFilename");
  assert.ok(nofile.diagnostics.some((d) => d.code === "panther.missing-filename"));
  assert.equal(nofile.logic.fidelity, "none");
  const helper = by("panther:Fixture.MissingHelper");
  assert.equal(helper.logic.fidelity, "partial");
  assert.match(JSON.stringify(helper.logic.condition), /not available/);
  const rec = by("panther:Fixture.Recursion");
  assert.match(JSON.stringify(rec.logic.condition), /recursive function|inlining too deep|budget/);
});

test("a 10,000-line function compiles in bounded time", () => {
  const lines = ["def rule(event):", "    x = 0"];
  for (let i = 0; i < 10_000; i++) lines.push(i % 2 ? `    if event.get("f${i}") == "v": x = ${i}` : `    x = x + 1`);
  lines.push("    return x == 3");
  const yml = "AnalysisType: rule\nFilename: big.py\nRuleID: Fixture.Big\nLogTypes: [Fixture.Log]\nSeverity: Low\n";
  const start = performance.now();
  const out = pantherAdapter.compile({ root: { name: "t", dir: "/nonexistent" }, path: "rules/big.yml", text: yml, deps: { "rules/big.py": lines.join("\n") } }, undefined);
  assert.ok(performance.now() - start < 20_000);
  assert.equal(out.rules.length, 1);
  assert.notEqual(out.rules[0].logic.fidelity, "full");
});

test("modalities: signal, threshold aggregation, scheduled query, correlation, policy", () => {
  const c = (yml: string) => pantherAdapter.compile({ root: { name: "t", dir: "/x" }, path: "rules/x.yml", text: yml, deps: {} }, undefined).rules[0];
  const sig = c("AnalysisType: rule\nFilename: a.py\nRuleID: S\nCreateAlert: false\nThreshold: 5\nDedupPeriodMinutes: 60\n");
  assert.equal(sig.modality, "signal");
  assert.deepEqual(sig.logic.aggregation, { kind: "threshold", threshold: "5", window: "60m" });
  const q = c("AnalysisType: scheduled_query\nQueryName: Q1\nQuery: select 1\n");
  assert.equal(q.id, "panther:Q1");
  assert.equal(q.modality, "scheduled_query");
  assert.ok(q.bodies.some((b) => b.language === "sql" && b.text === "select 1"));
  const corr = c("AnalysisType: correlation_rule\nRuleID: C1\nDetection:\n  - Sequence: []\n");
  assert.equal(corr.modality, "correlation");
  assert.equal(corr.logic.aggregation?.kind, "correlation");
  const pol = c("AnalysisType: policy\nPolicyID: P1\nFilename: p.py\nResourceTypes: [AWS.S3.Bucket]\n");
  assert.equal(pol.id, "panther:P1");
  assert.equal(pol.modality, "policy");
});

test("YAML 1.2: `off` stays a string in test logs", () => {
  const yml = "AnalysisType: rule\nRuleID: Y\nDetection:\n  - Key: policy\n    Condition: Equals\n    Value: \"off\"\nTests:\n  - Name: t\n    ExpectedResult: true\n    Log: {policy: off}\n";
  const r = pantherAdapter.compile({ root: { name: "t", dir: "/x" }, path: "rules/y.yml", text: yml, deps: {} }, undefined).rules[0];
  assert.equal((r.tests[0].event as Record<string, unknown>).policy, "off");
  assert.deepEqual(replay(r), [true]);
  assert.equal(r.logic.fidelity, "full");
});

test("examples/panther ingests with full fidelity and passing tests", { skip: !existsSync(EXAMPLES) && "examples absent" }, async () => {
  const { rules } = await ingestDir(EXAMPLES);
  assert.ok(rules.length >= 1);
  for (const r of rules) {
    assert.equal(r.logic.fidelity, "full", r.id);
    assert.deepEqual(replay(r), r.tests.map((t) => t.expected), r.id);
  }
});

test("shared corpus (YAML only): every detection ingests with tests", { skip: !existsSync(CORPUS) && "shared corpora absent" }, async () => {
  const { rules } = await ingestDir(CORPUS);
  assert.ok(rules.length > 1000);
  const ref = rules.find((r) => r.id === "panther:AWS.ConfigService.Created");
  assert.ok(ref);
  assert.equal(ref.tests.length, 3);
  assert.deepEqual(ref.attack.map((a) => [a.tactic, a.technique]), [["TA0007", "T1526"]]);
  const simple = rules.find((r) => r.source.path.endsWith("github_repo_archived.yml"));
  assert.equal(simple?.logic.fidelity, "full");
});
