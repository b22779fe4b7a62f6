import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import type { LoadedUnit, SourceRoot } from "../../../src/formats/adapter.js";
import { chronicleAdapter } from "../../../src/formats/chronicle/adapter.js";
import type { Expr, Predicate } from "../../../src/model/expr.js";
import { tempDir } from "../../helpers/paths.js";

const CORPUS = fileURLToPath(new URL("../../../../shared/corpora/chronicle", import.meta.url));
const EXAMPLES = fileURLToPath(new URL("../../../examples/chronicle", import.meta.url));
const absent = !existsSync(join(CORPUS, "rules")) && "shared corpora absent";

const ROOT: SourceRoot = { name: "detection-rules", dir: "/nonexistent" };
const CTX = { license: "Apache-2.0", ambiguous: [] };

function compile(text: string, path = "rules/community/test/t.yaral", ctx: typeof CTX | undefined = CTX) {
  const unit: LoadedUnit = { root: ROOT, path, text, deps: {} };
  return chronicleAdapter.compile(unit, ctx);
}

function one(text: string, path?: string) {
  const r = compile(text, path);
  assert.equal(r.rules.length, 1, JSON.stringify(r.diagnostics));
  return r.rules[0];
}

const conjuncts = (e: Expr): Expr[] => (e.type === "and" ? e.args : [e]);

test("aws_config_service_modified: an `in` over product_event_type, no exclusions, outcome fields, T1562.008", { skip: absent }, () => {
  const path = "rules/community/aws/cloudtrail/aws_config_service_modified.yaral";
  const r = one(readFileSync(join(CORPUS, path), "utf8"), path);
  assert.equal(r.id, "chronicle:mr_9a5af6d7-5119-46db-ad24-72d7e873a56b");
  assert.equal(r.title, "AWS Config Service Modified");
  assert.equal(r.severity, "high");
  assert.equal(r.logic.fidelity, "full");
  const top = conjuncts(r.logic.condition);
  assert.ok(!top.some((c) => c.type === "not"), "no top-level NOT");
  const inPred = top.find((c): c is Predicate => c.type === "pred" && c.field === "metadata.product_event_type");
  assert.deepEqual(inPred && { kind: inPred.kind, values: inPred.values }, {
    kind: "in",
    values: ["StopConfigurationRecorder", "DeleteConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder"],
  });
  assert.deepEqual(r.logic.outputFields, [
    "network.http.user_agent",
    "principal.ip",
    "principal.ip_geo_artifact.location.country_or_region",
    "principal.ip_geo_artifact.location.state",
    "principal.user.user_display_name",
    'additional.fields["recipientAccountId"]',
    "principal.location.name",
    "target.resource.name",
    "target.resource.product_object_id",
  ]);
  assert.deepEqual(
    r.attack.map((a) => a.technique).filter(Boolean),
    ["T1562.008"],
  );
  assert.equal(r.attack[0].tactic, "Defense Evasion");
});

// community/aws/cloudtrail/aws_config_service_modified.yaral meta (shape 1) with outcome literals (shape 3)
const SHAPES_1_3 = `rule aws_config_service_modified {
  meta:
    author = "Google Cloud Security"
    description = "Detects when AWS Config Service is updated, stopped or deleted."
    rule_id = "mr_9a5af6d7-5119-46db-ad24-72d7e873a56b"
    rule_name = "AWS Config Service Modified"
    mitre_attack_tactic = "Defense Evasion"
    mitre_attack_technique = "Impair Defenses: Disable Cloud Logs"
    mitre_attack_url = "https://attack.mitre.org/techniques/T1562/008/"
    type = "Alert"
    data_source = "AWS CloudTrail"
    platform = "AWS"
    severity = "High"
    sigma_uuid = "1b7cde84-4e2e-4a9f-9b8f-3b9c4d5e6f70"
  events:
    $cloudtrail.metadata.product_event_type = "PutDeliveryChannel"
  outcome:
    $mitre_attack_technique_id = "T1562.008"
    $mitre_attack_tactic = "Defense Evasion"
  condition:
    $cloudtrail
}`;

test("metadata: id, title, severity, modality, log sources, licence, body, sigma_uuid in extra", () => {
  const r = one(SHAPES_1_3);
  assert.equal(r.nativeId, "mr_9a5af6d7-5119-46db-ad24-72d7e873a56b");
  assert.equal(r.vendor, "chronicle");
  assert.equal(r.language, "yaral");
  assert.equal(r.description, "Detects when AWS Config Service is updated, stopped or deleted.");
  assert.equal(r.modality, "detection");
  assert.equal(r.status, null);
  assert.equal(r.license, "Apache-2.0");
  assert.equal(r.author, "Google Cloud Security");
  assert.deepEqual(r.logSources, [
    { key: "data_source", value: "AWS CloudTrail" },
    { key: "platform", value: "AWS" },
  ]);
  assert.equal(r.extra.sigma_uuid, "1b7cde84-4e2e-4a9f-9b8f-3b9c4d5e6f70");
  assert.deepEqual(r.bodies, [{ language: "yara-l", path: "rules/community/test/t.yaral", text: SHAPES_1_3 }]);
});

test("ATT&CK shapes 1 and 3 (names + URL, outcome literals) merge into one reference", () => {
  assert.deepEqual(one(SHAPES_1_3).attack, [
    { raw: "https://attack.mitre.org/techniques/T1562/008/", technique: "T1562.008", name: "Impair Defenses: Disable Cloud Logs", tactic: "Defense Evasion" },
  ]);
});

test("ATT&CK shape 2 (ids) and shape 3 alone (outcome literal ids)", () => {
  const ids = one(`rule r { meta:
    tactic = "TA0002"
    technique = "T1059.001"
    severity = "Info"
    type = "hunt"
  events: $e.metadata.event_type = "PROCESS_LAUNCH" condition: $e }`);
  assert.deepEqual(ids.attack, [{ raw: "T1059.001", technique: "T1059.001", tactic: "TA0002" }]);
  assert.equal(ids.severity, "informational");
  assert.equal(ids.modality, "hunting");
  assert.equal(ids.id, "chronicle:r");
  const outcome = one(`rule r { events: $e.metadata.event_type = "PROCESS_LAUNCH"
  outcome:
    $mitre_attack_tactic = "Defense Evasion"
    $mitre_attack_technique = "Impair Defenses"
    $mitre_attack_technique_id = "T1562"
  condition: $e }`);
  assert.deepEqual(outcome.attack, [{ raw: "T1562", technique: "T1562", name: "Impair Defenses", tactic: "Defense Evasion" }]);
});

test("ATT&CK shape 4 (soc_prime free text) and deprecated status", () => {
  // rules/_deprecated/soc_prime_rules/.../suspicious_typical_malware_back_connect_ports.yaral
  const r = one(
    `rule suspicious_typical_malware_back_connect_ports {
 meta:
    author = "Florian Roth"
    created = "2017/03/19"
    product = "windows"
    service = "sysmon"
    mitre = "command_and_control, t1043"

  events:
(($selection.metadata.product_event_type = "3" and ($selection.target.port = "4443" or $selection.target.port = "2448")) and not ((re.regex($selection.target.process.file.full_path, \`.*\\\\Program Files.*\`))))

  condition:
    $selection
}`,
    "rules/_deprecated/soc_prime_rules/threat_hunting/sysmon/suspicious_typical_malware_back_connect_ports.yaral",
  );
  assert.deepEqual(r.attack, [
    { raw: "command_and_control", tactic: "command-and-control" },
    { raw: "t1043", technique: "T1043" },
  ]);
  assert.equal(r.status, "deprecated");
  assert.equal(r.date, "2017-03-19");
  assert.deepEqual(r.logSources, [
    { key: "product", value: "windows" },
    { key: "service", value: "sysmon" },
  ]);
  assert.equal(r.logic.fidelity, "full");
  // Windows event ids select the log source.
  const first = conjuncts(r.logic.condition)[0];
  assert.deepEqual(first, { type: "pred", field: "metadata.product_event_type", kind: "eq", values: ["3"], caseSensitive: true, scope: true });
  const exclusion = conjuncts(r.logic.condition).find((c) => c.type === "not");
  assert.deepEqual(exclusion, {
    type: "not",
    arg: { type: "pred", field: "target.process.file.full_path", kind: "contains", values: ["\\Program Files"], caseSensitive: true, origin: "`.*\\\\Program Files.*`" },
  });
});

test("ATT&CK from a reference URL (deprecated rules that only link attack.mitre.org)", () => {
  const r = one(`rule malware_servhelper_bot {
  meta:
    reference = "https://attack.mitre.org/techniques/T1059/"
  events:
    $e1.metadata.event_type = "PROCESS_LAUNCH"
  condition:
    $e1
}`);
  assert.deepEqual(r.attack, [{ raw: "https://attack.mitre.org/techniques/T1059/", technique: "T1059" }]);
  assert.deepEqual(r.references, ["https://attack.mitre.org/techniques/T1059/"]);
  // rules/_deprecated/malware: software pages, under reference or reference1
  const s = one(`rule malware_x {
  meta:
    reference1 = "https://attack.mitre.org/software/S0070/"
  events:
    $e1.metadata.event_type = "PROCESS_LAUNCH"
  condition:
    $e1
}`);
  assert.deepEqual(s.attack, [{ raw: "https://attack.mitre.org/software/S0070/", other: "S0070" }]);
  assert.deepEqual(s.references, ["https://attack.mitre.org/software/S0070/"]);
});

test("bad input gets diagnostics with file and line, never an exception", () => {
  const unbalanced = compile('rule r {\n events:\n  $e.f = "x"\n condition:\n  $e\n');
  assert.deepEqual(
    unbalanced.rules[0].diagnostics.map((d) => [d.file, d.line, d.code]),
    [["rules/community/test/t.yaral", 6, "yaral.unbalanced-braces"]],
  );
  const regex = compile('rule r {\n events:\n  $e.f = /abc\n condition:\n  $e\n}');
  assert.ok(regex.rules[0].diagnostics.some((d) => d.line === 3 && d.code === "yaral.unterminated-regex"));
  const section = compile('rule r {\n events:\n  $e.f = "x"\n when:\n  $e\n condition:\n  $e\n}');
  assert.deepEqual(
    section.rules[0].diagnostics.map((d) => [d.line, d.code]),
    [[4, "yaral.unknown-section"]],
  );
  const empty = compile("// nothing here\n");
  assert.deepEqual(
    empty.diagnostics.map((d) => [d.line, d.code]),
    [[1, "yaral.no-rule"]],
  );
});

test("a 5 MB rule is refused with a diagnostic in bounded time", () => {
  const body = Array.from({ length: 100_000 }, (_, i) => `$e.target.process.command_line = "value-${i}-padding-padding"`).join(" or\n");
  const text = `rule huge {\n events:\n${body}\n condition:\n  $e\n}\n`;
  assert.ok(text.length > 5_000_000);
  const t0 = Date.now();
  const r = compile(text);
  assert.ok(Date.now() - t0 < 10_000, "a hang guard, not a speed test: bounded time on a slow CI machine");
  assert.deepEqual(
    r.diagnostics.map((d) => [d.file, d.line, d.code]),
    [["rules/community/test/t.yaral", 1, "yaral.too-large"]],
  );
});

test("detect and listUnits: the detection-rules layout, or any folder of .yaral files", async () => {
  const repo = tempDir();
  mkdirSync(join(repo, "rules", "community", "aws"), { recursive: true });
  mkdirSync(join(repo, "rules", "_deprecated", "info"), { recursive: true });
  writeFileSync(join(repo, "rules", "community", "aws", "a.yaral"), "rule a { events: $e.f = 1 condition: $e }");
  writeFileSync(join(repo, "rules", "_deprecated", "info", "b.yaral"), "rule b { events: $e.f = 1 condition: $e }");
  writeFileSync(join(repo, "rules", "community", "README.md"), "# rules");
  assert.equal(await chronicleAdapter.detect(repo), 1);
  assert.deepEqual(
    (await chronicleAdapter.listUnits(repo)).map((u) => u.path),
    ["rules/_deprecated/info/b.yaral", "rules/community/aws/a.yaral"],
  );
  assert.equal(await chronicleAdapter.detect(EXAMPLES), 0.6);
  assert.equal(await chronicleAdapter.detect(tempDir()), 0);
});

test("rule names reused across files get the path appended, so every file keeps its rule", async () => {
  const repo = tempDir();
  mkdirSync(join(repo, "a"), { recursive: true });
  mkdirSync(join(repo, "b"), { recursive: true });
  const text = 'rule apt29 { events: $e.f = "1" condition: $e }';
  writeFileSync(join(repo, "a", "apt29.yaral"), text);
  writeFileSync(join(repo, "b", "apt29.yaral"), text);
  const root = { name: "x", dir: repo };
  const { ctx } = await chronicleAdapter.loadContext!(root);
  assert.deepEqual(ctx?.ambiguous, ["apt29"]);
  const ids = ["a/apt29.yaral", "b/apt29.yaral"].map((path) => chronicleAdapter.compile({ root, path, text, deps: {} }, ctx).rules[0].id);
  assert.deepEqual(ids, ["chronicle:apt29@a.apt29", "chronicle:apt29@b.apt29"]);
});

test("examples/chronicle: our own rules compile, including a CloudTrail event-name rule and a multi-event rule", async () => {
  const root = { name: "examples", dir: EXAMPLES };
  const units = await chronicleAdapter.listUnits(EXAMPLES);
  const rules = units.flatMap((u) =>
    chronicleAdapter.compile({ root, path: u.path, text: readFileSync(join(EXAMPLES, u.path), "utf8"), deps: {} }, undefined).rules,
  );
  assert.equal(rules.length, 3);
  for (const r of rules) assert.deepEqual(r.diagnostics, []);
  const aws = rules.find((r) => r.id === "chronicle:ra_aws_config_delivery_channel_changed");
  assert.ok(
    aws && conjuncts(aws.logic.condition).some((c) => c.type === "pred" && c.kind === "in" && c.values.includes("PutDeliveryChannel")),
  );
  const multi = rules.find((r) => r.id === "chronicle:ra_win_office_spawns_shell_then_connects");
  assert.deepEqual(multi?.logic.aggregation?.events?.map((e) => e.name), ["$proc", "$net"]);
  assert.deepEqual(multi?.logic.aggregation?.by, ["principal.hostname", "$pid"]);
  assert.equal(multi?.logic.aggregation?.threshold, "#net > 3");
});
