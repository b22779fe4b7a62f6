import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  CanonicalTableError,
  applicableAliases,
  canonicalKind,
  canonicalValue,
  contextTokens,
  loadCanonicalTable,
  nameFromPath,
} from "../../src/analytics/canonical.js";

const table = loadCanonicalTable();
const ctx = (...values: string[]) => new Set(values.flatMap(contextTokens));
const canon = (field: string, ...context: string[]) => applicableAliases(table, field, ctx(...context)).map((a) => a.canonical);

test("Windows process fields of every schema map to one canonical field", () => {
  for (const f of ["Image", "process.executable", "Processes.process_path", "target.process.file.full_path", "event.ImageFileName", "tgt_process_image_path"]) {
    assert.deepEqual(canon(f), ["process.path"], f);
  }
  for (const f of ["CommandLine", "process.command_line", "Processes.process", "ProcessCommandLine", "target.process.command_line"]) {
    assert.deepEqual(canon(f), ["process.command_line"], f);
  }
  for (const f of ["ParentImage", "process.parent.executable", "Processes.parent_process_path"]) assert.deepEqual(canon(f), ["parent.path"], f);
  for (const f of ["process.name", "Processes.process_name"]) assert.deepEqual(canon(f), ["process.name"], f);
  for (const f of ["OriginalFileName", "process.pe.original_file_name", "ProcessVersionInfoOriginalFileName"]) {
    assert.deepEqual(canon(f), ["process.original_file_name"], f);
  }
  assert.deepEqual(canon("TargetFilename"), ["file.path"]);
  assert.deepEqual(canon("TargetObject"), ["registry.path"]);
  assert.deepEqual(canon("ImageLoaded"), ["module.path"]);
  assert.deepEqual(canon("Process", "SecurityEvent"), ["process.name"]);
  for (const f of ["c-uri", "url.original", "target.url", "Web.url"]) assert.deepEqual(canon(f), ["url.original"], f);
  for (const f of ["c-useragent", "cs-user-agent", "user_agent.original", "network.http.user_agent"]) assert.deepEqual(canon(f), ["http.user_agent"], f);
  assert.deepEqual(canon("DestinationIp"), ["destination.ip"]);
  assert.deepEqual(canon("event.CommandLine"), ["process.command_line"]);
  assert.deepEqual(canon("event.ParentBaseFileName"), ["parent.name"]);
});

test("field names match case-insensitively and without a YARA-L event variable", () => {
  assert.deepEqual(canon("image"), ["process.path"]);
  assert.deepEqual(canon("$e.target.process.file.full_path"), ["process.path"]);
  assert.deepEqual(canon("eventtype"), ["okta.event_type"]);
});

test("Defender fields depend on the table: FileName is the process name only in DeviceProcessEvents", () => {
  assert.deepEqual(canon("FileName", "DeviceProcessEvents"), ["process.name"]);
  assert.deepEqual(canon("FileName", "DeviceFileEvents"), ["file.name"]);
  assert.deepEqual(canon("FileName", "DeviceImageLoadEvents"), ["module.name"]);
  assert.deepEqual(canon("FileName"), [], "no table: left unmapped rather than guessed");
  assert.deepEqual(canon("FolderPath", "DeviceProcessEvents"), ["process.path"]);
  assert.deepEqual(canon("InitiatingProcessFolderPath", "DeviceProcessEvents"), ["parent.path"]);
  assert.deepEqual(canon("InitiatingProcessFolderPath", "DeviceFileEvents"), ["process.path"]);
  assert.deepEqual(canon("InitiatingProcessCommandLine", "DeviceProcessEvents"), ["parent.command_line"]);
});

test("UDM principal.process is the parent in PROCESS_LAUNCH and the actor elsewhere", () => {
  assert.deepEqual(canon("principal.process.file.full_path", "PROCESS_LAUNCH"), ["parent.path"]);
  assert.deepEqual(canon("principal.process.file.full_path", "FILE_CREATION"), ["process.path"]);
});

test("cloud audit event names: CloudTrail eventName = ECS event.action = UDM product_event_type, for AWS only", () => {
  assert.deepEqual(canon("eventName"), ["aws.event_name"]);
  assert.deepEqual(canon("event.action", "aws.cloudtrail"), ["aws.event_name"]);
  assert.deepEqual(canon("event.action", "logs-aws.cloudtrail-*"), ["aws.event_name"]);
  assert.deepEqual(canon("metadata.product_event_type", "AWS CloudTrail"), ["aws.event_name"]);
  assert.deepEqual(canon("metadata.product_event_type", "AWS.CloudTrail"), ["aws.event_name"]);
  assert.deepEqual(canon("event.action"), [], "event.action of an unknown dataset stays itself");
  assert.deepEqual(canon("eventSource"), ["aws.event_source"]);
  assert.deepEqual(canon("event.provider", "aws.cloudtrail"), ["aws.event_source"]);
  assert.deepEqual(canon("sourceIPAddress", "cloudtrail"), ["source.ip"]);
  assert.deepEqual(canon("userAgent", "cloudtrail"), ["http.user_agent"]);
  assert.deepEqual(canon("userIdentity.arn"), ["aws.user_arn"]);
  assert.deepEqual(canon("protoPayload.methodName"), ["gcp.method_name"]);
  assert.deepEqual(canon("event.action", "gcp.audit"), ["gcp.method_name"]);
  assert.deepEqual(canon("operationName"), ["azure.operation_name"]);
  assert.deepEqual(canon("eventType"), ["okta.event_type"]);
  assert.deepEqual(canon("event.action", "okta"), ["okta.event_type"]);
  assert.deepEqual(canon("action", "GitHub.Audit"), ["github.action"]);
  assert.deepEqual(canon("action"), []);
  for (const f of ["event.outcome", "security_result.action", "outcome.result"]) assert.deepEqual(canon(f), ["event.outcome"], f);
});

test("canonical kinds: in is eq, simple globs become the kind they spell", () => {
  assert.equal(canonicalKind("in", "x"), "eq");
  assert.equal(canonicalKind("wildcard", "*\\\\rundll32.exe"), "endswith");
  assert.equal(canonicalValue("wildcard", "*\\\\Rundll32.exe"), "\\rundll32.exe");
  assert.equal(canonicalKind("wildcard", "*-enc *"), "contains");
  assert.equal(canonicalKind("wildcard", "C:\\\\Windows\\\\*"), "startswith");
  assert.equal(canonicalKind("wildcard", "a*b"), "wildcard");
  assert.equal(canonicalKind("wildcard", "a?b"), "wildcard");
  assert.equal(canonicalKind("wildcard", "\\*literal"), "eq");
  assert.equal(canonicalValue("wildcard", "\\*literal"), "*literal");
});

test("canonical values are case-folded for text kinds, kept as written for regex and cidr", () => {
  assert.equal(canonicalValue("eq", "PutDeliveryChannel"), "putdeliverychannel");
  assert.equal(canonicalValue("contains", "-EncodedCommand"), "-encodedcommand");
  assert.equal(canonicalValue("regex", "\\S+\\.EXE"), "\\S+\\.EXE");
  assert.equal(canonicalValue("cidr", "10.0.0.0/8"), "10.0.0.0/8");
});

test("a path key pins a file name only when it ends in a separator + name, or is a whole path", () => {
  assert.equal(nameFromPath("endswith", "\\rundll32.exe"), "rundll32.exe");
  assert.equal(nameFromPath("endswith", "/bash"), "bash");
  assert.equal(nameFromPath("endswith", "rundll32.exe"), null, "no separator: prundll32.exe also ends so");
  assert.equal(nameFromPath("endswith", "\\system32\\rundll32.exe"), null);
  assert.equal(nameFromPath("eq", "c:\\windows\\system32\\rundll32.exe"), "rundll32.exe");
  assert.equal(nameFromPath("eq", "rundll32.exe"), null);
  assert.equal(nameFromPath("contains", "\\rundll32.exe"), null);
});

test("a field mapped to two canonical names under one context is a data error", () => {
  const dir = mkdtempSync(join(tmpdir(), "ra-canon-"));
  writeFileSync(join(dir, "a.json"), JSON.stringify({ family: "a", fields: [{ canonical: "x", aliases: ["F"] }] }));
  writeFileSync(join(dir, "b.json"), JSON.stringify({ family: "b", fields: [{ canonical: "y", aliases: ["f"] }] }));
  assert.throws(() => loadCanonicalTable(dir), CanonicalTableError);
});

test("every family file declares path fields with their name field", () => {
  for (const a of table.aliases) if (a.role === "path") assert.ok(a.nameField, `${a.canonical} lacks nameField`);
  assert.ok(table.aliases.length > 150);
});

test("every alias of every family file applies in its own context", () => {
  for (const a of table.aliases) {
    const got = applicableAliases(table, a.field, new Set(a.when ? [a.when] : [])).map((x) => x.canonical);
    assert.ok(got.includes(a.canonical), `${a.family}: ${a.field}${a.when ? ` (when ${a.when})` : ""} → ${got.join(",")}, expected ${a.canonical}`);
  }
});

test("Windows Security ProcessName: the creator in 4688, the actor elsewhere, a bare name in Panther EDR models", () => {
  assert.deepEqual(canon("NewProcessName", "4688"), ["process.path"]);
  assert.deepEqual(canon("ProcessName", "4688"), ["parent.path"]);
  assert.deepEqual(canon("ProcessName", "4663"), ["process.path"]);
  assert.deepEqual(canon("ProcessName", "Crowdstrike.FDREvent"), ["process.name"]);
  assert.deepEqual(canon("ParentProcessName"), ["parent.path"]);
  assert.deepEqual(canon("ParentProcessName", "SentinelOne.DeepVisibility"), ["parent.name"]);
});
