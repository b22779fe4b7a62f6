import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import type { LoadedUnit } from "../../../src/formats/adapter.js";
import { sigmaAdapter } from "../../../src/formats/sigma/adapter.js";
import { decodeConcatenatedJson } from "../../../src/formats/sigma/regression.js";
import { readTags } from "../../../src/formats/sigma/tags.js";
import { evaluate } from "../../../src/model/evaluate.js";
import { sigmaSemantics as sem } from "../../../src/languages/sigma/semantics.js";

const EXAMPLES = fileURLToPath(new URL("../../../examples/sigma/", import.meta.url));
const root = { name: "sigma", dir: "/nowhere", commit: "8eaafff1f2845a696050e05e72ba1140ee190698" };
const unit = (path: string, text: string, deps: Record<string, string | undefined> = {}): LoadedUnit => ({ root, path, text, deps });
const compile = (path: string, text: string, deps: Record<string, string | undefined> = {}) =>
  sigmaAdapter.compile(unit(path, text, deps), { license: "DRL-1.1" });

// rules/windows/process_creation/proc_creation_win_explorer_nouaccheck.yml (SigmaHQ, DRL 1.1)
const NOUACCHECK = `title: Explorer NOUACCHECK Flag
id: 534f2ef7-e8a2-4433-816d-c91bccde289b
status: test
description: Detects suspicious starts of explorer.exe that use the /NOUACCHECK flag
author: Florian Roth (Nextron Systems)
date: 2022-02-23
modified: 2022-04-21
tags:
    - attack.privilege-escalation
    - attack.t1548.002
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        Image|endswith: '\\explorer.exe'
        CommandLine|contains: '/NOUACCHECK'
    filter_dc_logon:
        - ParentCommandLine: 'C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule'
        - ParentImage: 'C:\\Windows\\System32\\svchost.exe' # coarse filter needed for ID 4688 Events
    condition: selection and not 1 of filter_*
falsepositives:
    - Domain Controller User Logon
level: high
`;

test("selection and not 1 of filter_* compiles to exactly this tree", () => {
  const { rules, diagnostics } = compile("rules/windows/process_creation/proc_creation_win_explorer_nouaccheck.yml", NOUACCHECK);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(rules[0].logic.condition, {
    type: "and",
    args: [
      { type: "pred", field: "Image", kind: "endswith", values: ["\\explorer.exe"], caseSensitive: false, origin: "selection" },
      { type: "pred", field: "CommandLine", kind: "contains", values: ["/NOUACCHECK"], caseSensitive: false, origin: "selection" },
      {
        type: "not",
        arg: {
          type: "or",
          args: [
            { type: "pred", field: "ParentCommandLine", kind: "eq", values: ["C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule"], caseSensitive: false, origin: "filter_dc_logon" },
            { type: "pred", field: "ParentImage", kind: "eq", values: ["C:\\Windows\\System32\\svchost.exe"], caseSensitive: false, origin: "filter_dc_logon" },
          ],
        },
      },
    ],
  });
  assert.equal(rules[0].logic.fidelity, "full");
});

test("metadata: id, title, level, status, ATT&CK, logsource, licence, source, body", () => {
  const r = compile("rules/windows/process_creation/proc_creation_win_explorer_nouaccheck.yml", NOUACCHECK).rules[0];
  assert.equal(r.id, "sigma:534f2ef7-e8a2-4433-816d-c91bccde289b");
  assert.equal(r.title, "Explorer NOUACCHECK Flag");
  assert.equal(r.severity, "high");
  assert.equal(r.status, "test");
  assert.equal(r.modality, "detection");
  assert.equal(r.enabled, true);
  assert.deepEqual(r.attack, [
    { raw: "attack.privilege-escalation", tactic: "privilege-escalation" },
    { raw: "attack.t1548.002", technique: "T1548.002" },
  ]);
  assert.deepEqual(r.logSources, [{ key: "product", value: "windows" }, { key: "category", value: "process_creation" }]);
  assert.equal(r.license, "DRL-1.1");
  assert.deepEqual(r.source, { repo: "sigma", commit: root.commit, path: "rules/windows/process_creation/proc_creation_win_explorer_nouaccheck.yml" });
  assert.deepEqual(r.bodies, [{ language: "yaml", path: r.source.path, text: NOUACCHECK }]);
  assert.deepEqual(r.falsePositives, ["Domain Controller User Logon"]);
  assert.equal(r.date, "2022-02-23");
  assert.deepEqual(r.logic.outputFields, ["Image", "CommandLine", "ParentCommandLine", "ParentImage", "User"]);
});

test("tags: techniques, tactics, groups/software/data sources, legacy underscores, other tags", () => {
  assert.deepEqual(readTags(["attack.t1059.001", "attack.discovery", "attack.g0016", "attack.s0154", "attack.ds0005", "attack.defense_evasion", "cve.2021-44228", "detection.threat-hunting"]), {
    attack: [
      { raw: "attack.t1059.001", technique: "T1059.001" },
      { raw: "attack.discovery", tactic: "discovery" },
      { raw: "attack.g0016", other: "G0016" },
      { raw: "attack.s0154", other: "S0154" },
      { raw: "attack.ds0005", other: "DS0005" },
      { raw: "attack.defense_evasion", tactic: "defense-evasion" },
    ],
    tags: ["cve.2021-44228", "detection.threat-hunting"],
  });
});

test("modality and status follow the folder: hunting, deprecated", () => {
  const hunting = compile("rules-threat-hunting/windows/x.yml", NOUACCHECK).rules[0];
  assert.equal(hunting.modality, "hunting");
  const dep = compile("deprecated/windows/x.yml", NOUACCHECK.replace("status: test\n", "")).rules[0];
  assert.equal(dep.status, "deprecated");
  assert.equal(dep.enabled, false);
});

test("regression tests: info.yml + concatenated events with a BOM become the rule's tests", () => {
  const info = `id: 1\nrule_metadata:\n    - id: 534f2ef7-e8a2-4433-816d-c91bccde289b\nregression_tests_info:\n    - name: Positive Detection Test\n      type: evtx\n      match_count: 2\n      path: regression_data/rules/x/534f2ef7-e8a2-4433-816d-c91bccde289b.evtx\n`;
  const ev = (cmd: string) => JSON.stringify({ Event: { System: { EventID: 1, Channel: "Microsoft-Windows-Sysmon/Operational" }, EventData: { Image: "C:\\Windows\\explorer.exe", CommandLine: cmd, ParentImage: "C:\\x.exe" } } }, null, 2);
  const events = `\ufeff${ev("explorer.exe /NOUACCHECK")}\n${ev("explorer /nouaccheck x")}\n`;
  const r = compile("rules/x.yml", NOUACCHECK, {
    "regression_data/rules/x/info.yml": info,
    "regression_data/rules/x/534f2ef7-e8a2-4433-816d-c91bccde289b.json": events,
  }).rules[0];
  assert.equal(r.tests.length, 2);
  for (const t of r.tests) assert.equal(evaluate(r.logic.condition, sem.prepareEvent!(t.event, t), sem), true);
});

test("concatenated JSON decoding handles braces inside strings", () => {
  assert.deepEqual(decodeConcatenatedJson('\ufeff{"a": "}{"}\n{"b": [1, {"c": "\\"}"}]}').values, [{ a: "}{" }, { b: [1, { c: '"}' }] }]);
});

test("a correlation document counts the events of a rule of the same file", () => {
  const text = readFileSync(`${EXAMPLES}win_failed_logons_correlation.yml`, "utf8");
  const { rules, diagnostics } = compile("examples/win_failed_logons_correlation.yml", text);
  assert.deepEqual(diagnostics, []);
  assert.equal(rules.length, 2);
  const corr = rules[1];
  assert.equal(corr.modality, "correlation");
  assert.deepEqual(corr.logSources, [{ key: "product", value: "windows" }, { key: "service", value: "security" }]);
  assert.deepEqual(corr.logic.condition, { type: "pred", field: "EventID", kind: "eq", values: [4625], origin: "selection", scope: true });
  assert.deepEqual(
    { ...corr.logic.aggregation, events: undefined, note: undefined },
    { kind: "correlation", by: ["TargetUserName"], window: "5m", threshold: "count >= 10", events: undefined, note: undefined },
  );
});

test("a correlation of rules defined elsewhere keeps an opaque node naming them", () => {
  const text = "title: c\nid: c1\ncorrelation:\n    type: temporal\n    rules:\n        - other_rule\n    timespan: 1h\n";
  const r = compile("rules/c.yml", text).rules[0];
  assert.equal(r.logic.condition.type, "opaque");
  assert.equal(r.logic.fidelity, "none");
});

test("action: global documents merge into each following rule", () => {
  const text = `action: global
title: Legacy Multi
id: 11111111-2222-3333-4444-555555555555
level: high
detection:
    selection:
        CommandLine|contains: 'evil'
    condition: selection
---
logsource:
    product: windows
    category: process_creation
---
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID: 4688
        CommandLine|contains: 'evil'
`;
  const { rules } = compile("unsupported/x.yml", text);
  assert.equal(rules.length, 2);
  assert.deepEqual(rules.map((r) => r.nativeId), ["11111111-2222-3333-4444-555555555555", "11111111-2222-3333-4444-555555555555#2"]);
  assert.equal(rules[0].status, "unsupported");
  assert.equal(rules[1].logic.condition.type, "and");
});

test("bad YAML gives a diagnostic with a line, never a throw", () => {
  const { rules, diagnostics } = compile("rules/bad.yml", "title: x\ndetection:\n  selection: [a\n");
  assert.equal(rules.length, 0);
  assert.equal(diagnostics[0].code, "yaml.syntax");
  assert.ok(typeof diagnostics[0].line === "number");
});

test("the example rules compile fully, with no diagnostics", async () => {
  const units = await sigmaAdapter.listUnits(EXAMPLES);
  assert.equal(units.length, 4);
  assert.ok((await sigmaAdapter.detect(EXAMPLES)) > 0.5);
  for (const u of units) {
    const { rules, diagnostics } = compile(u.path, readFileSync(EXAMPLES + u.path, "utf8"));
    assert.deepEqual(diagnostics, []);
    for (const r of rules) {
      assert.deepEqual(r.diagnostics, []);
      assert.equal(r.logic.fidelity, "full", r.title);
    }
  }
});

test("example: CloudTrail rule keyed on eventName", () => {
  const r = compile("aws.yml", readFileSync(`${EXAMPLES}aws_config_recording_changed.yml`, "utf8")).rules[0];
  const ok = { eventSource: "config.amazonaws.com", eventName: "StartConfigurationRecorder" };
  assert.equal(evaluate(r.logic.condition, ok, sem), true);
  assert.equal(evaluate(r.logic.condition, { ...ok, errorCode: "AccessDenied" }, sem), false);
  assert.deepEqual(r.logic.outputFields.slice(0, 3), ["eventSource", "eventName", "errorCode"]);
});

test("value_count correlation: threshold names the counted field", () => {
  const text = "title: c\nid: c2\ncorrelation:\n    type: value_count\n    rules:\n        - a\n    group-by:\n        - IpAddress\n    timespan: 10m\n    condition:\n        field: TargetUserName\n        gte: 5\n";
  const r = compile("rules/c.yml", text).rules[0];
  assert.equal(r.logic.aggregation?.threshold, "value_count(TargetUserName) >= 5");
  assert.deepEqual(r.logic.aggregation?.by, ["IpAddress"]);
});

test("diagnostics inside the detection carry the file line", () => {
  const text = NOUACCHECK.replace("CommandLine|contains: '/NOUACCHECK'", "CommandLine|bogus: '/NOUACCHECK'");
  const r = compile("rules/x.yml", text).rules[0];
  assert.equal(r.diagnostics[0].code, "sigma.unknown-modifier");
  assert.equal(r.diagnostics[0].line, 17);
  assert.equal(r.logic.fidelity, "partial");
});

test("a file with only a global document says it holds no rule", () => {
  const { rules, diagnostics } = compile("rules/g.yml", "action: global\ntitle: x\n");
  assert.equal(rules.length, 0);
  assert.equal(diagnostics[0].code, "sigma.no-rule");
});
