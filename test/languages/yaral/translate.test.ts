import assert from "node:assert/strict";
import { test } from "node:test";
import { parseRules } from "../../../src/languages/yaral/parser.js";
import { yaralSemantics as sem } from "../../../src/languages/yaral/semantics.js";
import { translateRule } from "../../../src/languages/yaral/translate.js";
import { evaluate } from "../../../src/model/evaluate.js";
import type { Expr } from "../../../src/model/expr.js";

function translate(text: string) {
  const { rules, errors } = parseRules(text);
  assert.deepEqual(errors, []);
  return translateRule(rules[0], text);
}

/** A rule around an events section, as the community rules write it. */
const rule = (events: string, rest = "condition:\n    $e") => `rule t {\n  events:\n${events}\n  ${rest}\n}`;

const conjuncts = (e: Expr): Expr[] => (e.type === "and" ? e.args : [e]);

test("single event: the events' predicates are the condition; an OR of equalities is an `in`", () => {
  // community/aws/cloudtrail/aws_config_service_modified.yaral
  const t = translate(
    rule(`    $cloudtrail.metadata.vendor_name = "AMAZON"
    (
     $cloudtrail.metadata.product_event_type = "StopConfigurationRecorder" or
     $cloudtrail.metadata.product_event_type = "PutDeliveryChannel"
    )
    $cloudtrail.principal.user.user_display_name = $user_id`, "condition:\n    $cloudtrail"),
  );
  assert.deepEqual(t.logic.condition, {
    type: "and",
    args: [
      { type: "pred", field: "metadata.vendor_name", kind: "eq", values: ["AMAZON"], caseSensitive: true, scope: true },
      { type: "pred", field: "metadata.product_event_type", kind: "in", values: ["StopConfigurationRecorder", "PutDeliveryChannel"], caseSensitive: true },
    ],
  });
  assert.equal(t.logic.fidelity, "full");
  assert.equal(t.logic.aggregation, undefined);
});

test("nocase makes a comparison case-insensitive; != is a negation", () => {
  // community/microsoft/windows: $process.principal.process.file.full_path = "...\\winword.exe" nocase
  const t = translate(
    rule(`    $e.target.process.file.full_path = "C:\\\\Windows\\\\System32\\\\cmd.exe" nocase
    $e.principal.hostname != "ws-01"`),
  );
  assert.deepEqual(conjuncts(t.logic.condition), [
    { type: "pred", field: "target.process.file.full_path", kind: "eq", values: ["C:\\Windows\\System32\\cmd.exe"], caseSensitive: false },
    { type: "not", arg: { type: "pred", field: "principal.hostname", kind: "eq", values: ["ws-01"], caseSensitive: true } },
  ]);
});

test("re.regex and /regex/ literals: RE2 partial match simplified to contains/endswith, genuine ones kept", () => {
  // soc_prime `.*\\Program Files.*`; community `\\createdump\.exe$` nocase; gcp /compute.firewalls.insert$/
  const t = translate(
    rule(`    re.regex($e.target.process.file.full_path, \`.*\\\\Program Files.*\`)
    re.regex($e.principal.process.file.full_path, \`\\\\createdump\\.exe$\`) nocase
    $e.metadata.product_event_type = /compute.firewalls.insert$/ nocase`),
  );
  assert.deepEqual(conjuncts(t.logic.condition), [
    { type: "pred", field: "target.process.file.full_path", kind: "contains", values: ["\\Program Files"], caseSensitive: true, origin: "`.*\\\\Program Files.*`" },
    { type: "pred", field: "principal.process.file.full_path", kind: "endswith", values: ["\\createdump.exe"], caseSensitive: false, origin: "`\\\\createdump\\.exe$`" },
    { type: "pred", field: "metadata.product_event_type", kind: "regex", values: ["compute.firewalls.insert$"], caseSensitive: false },
  ]);
});

test("strings.contains(strings.to_lower(f), x) is a case-insensitive contains; starts_with maps too", () => {
  const t = translate(
    rule(`    strings.contains(strings.to_lower($e.target.process.command_line), "-encodedcommand")
    strings.starts_with($e.target.url, "https://")`),
  );
  assert.deepEqual(conjuncts(t.logic.condition), [
    { type: "pred", field: "target.process.command_line", kind: "contains", values: ["-encodedcommand"], caseSensitive: false },
    { type: "pred", field: "target.url", kind: "startswith", values: ["https://"], caseSensitive: true },
  ]);
});

test("net.ip_in_range_cidr is a cidr test; map keys stay in the field path", () => {
  // community/microsoft/graph_activity: NOT ( net.ip_in_range_cidr($api.principal.ip, "20.7.0.0/16") or ... )
  const t = translate(
    rule(`    NOT (
        net.ip_in_range_cidr($e.principal.ip, "20.7.0.0/16") or
        net.ip_in_range_cidr($e.principal.ip, "20.22.0.0/16")
    )
    $e.security_result.about.labels["Sample"] != "true"`),
  );
  assert.deepEqual(conjuncts(t.logic.condition), [
    { type: "not", arg: { type: "pred", field: "principal.ip", kind: "cidr", values: ["20.7.0.0/16", "20.22.0.0/16"] } },
    { type: "not", arg: { type: "pred", field: 'security_result.about.labels["Sample"]', kind: "eq", values: ["true"], caseSensitive: true } },
  ]);
});

test("reference lists: in %list, in regex %list, in cidr %list become valuesFrom", () => {
  const t = translate(
    rule(`    not $e.target.resource.attribute.labels["App Id"] in %first_party_ms_cloud_apps
    $e.principal.process.file.full_path IN regex %hacktool_regex nocase
    $e.target.ip in cidr %internal_ranges`),
  );
  assert.deepEqual(conjuncts(t.logic.condition), [
    { type: "not", arg: { type: "pred", field: 'target.resource.attribute.labels["App Id"]', kind: "in", values: [], valuesFrom: "%first_party_ms_cloud_apps", caseSensitive: true } },
    { type: "pred", field: "principal.process.file.full_path", kind: "regex", values: [], valuesFrom: "%hacktool_regex", caseSensitive: false },
    { type: "pred", field: "target.ip", kind: "cidr", values: [], valuesFrom: "%internal_ranges" },
  ]);
  assert.equal(t.logic.fidelity, "full");
});

test("any over a repeated field is the implicit any; all is a quantifier", () => {
  // community/gcp/gcp_exempt_principals_from_audit_log.yaral
  const t = translate(
    rule(`    any $e.target.resource.attribute.labels.value = "ADD"
    all $e.principal.ip != "10.0.0.1"`),
  );
  assert.deepEqual(conjuncts(t.logic.condition), [
    { type: "pred", field: "target.resource.attribute.labels.value", kind: "eq", values: ["ADD"], caseSensitive: true },
    { type: "quant", quantifier: "all", over: "principal.ip", cond: { type: "not", arg: { type: "pred", field: "", kind: "eq", values: ["10.0.0.1"], caseSensitive: true } } },
  ]);
  const ev = (ips: string[]) => ({ principal: { ip: ips }, target: { resource: { attribute: { labels: [{ key: "k", value: "ADD" }] } } } });
  assert.equal(evaluate(t.logic.condition, ev(["10.0.0.2", "10.0.0.3"]), sem), true);
  assert.equal(evaluate(t.logic.condition, ev(["10.0.0.2", "10.0.0.1"]), sem), false);
});

test("placeholder bindings are joins, not predicates; a constraint on a placeholder lands on its event", () => {
  const t = translate(
    rule(`    $e.metadata.event_type = "USER_LOGIN"
    $e.target.user.userid = $user
    $user != ""`, "match:\n    $user over 5m\n  condition:\n    $e"),
  );
  assert.deepEqual(conjuncts(t.logic.condition), [
    { type: "pred", field: "metadata.event_type", kind: "eq", values: ["USER_LOGIN"], caseSensitive: true, scope: true },
    { type: "pred", field: "target.user.userid", kind: "is_not_null", values: [] },
  ]);
  assert.equal(t.logic.aggregation?.kind, "stats");
  assert.deepEqual(t.logic.aggregation?.by, ["target.user.userid"]);
  assert.equal(t.logic.aggregation?.window, "5m");
});

test("#e > N on one event is a threshold", () => {
  // community/gcp/gcp_excessive_permission_denied_events.yaral (abridged)
  const t = translate(
    rule(`    $gcp.metadata.log_type = "GCP_CLOUDAUDIT"
    $gcp.security_result.action = "BLOCK"
    $gcp.principal.user.userid = $userid`, "match:\n    $userid over 1h\n  condition:\n    #gcp > 5"),
  );
  assert.deepEqual(
    { kind: t.logic.aggregation?.kind, by: t.logic.aggregation?.by, window: t.logic.aggregation?.window, threshold: t.logic.aggregation?.threshold },
    { kind: "threshold", by: ["principal.user.userid"], window: "1h", threshold: "> 5" },
  );
  assert.equal(t.logic.fidelity, "full");
});

// community/okta/okta_mfa_brute_force_attack.yaral (events, match, condition)
const OKTA = `rule okta_mfa_brute_force_attack {
  events:
    $push.metadata.product_name = "Okta"
    $push.metadata.product_event_type = "system.push.send_factor_verify_push"
    $push.network.parent_session_id = $parent_session_id

    $auth.metadata.event_type = "USER_LOGIN"
    $auth.metadata.product_event_type = "user.authentication.auth_via_mfa"
    $auth.security_result.action = "ALLOW"
    $auth.network.parent_session_id = $parent_session_id

    $push.metadata.event_timestamp.seconds <= $auth.metadata.event_timestamp.seconds

  match:
    $parent_session_id over 15m

  outcome:
    $risk_score = max(35)
    $push_principal_ip = array_distinct($push.principal.ip)
    $auth_target_user_userid = array_distinct($auth.target.user.userid)

  condition:
    #push > 4 and $auth
}`;

test("multi-event: one condition per event variable, join keys, window, threshold, primary named", () => {
  const t = translate(OKTA);
  const agg = t.logic.aggregation;
  assert.equal(agg?.kind, "join");
  assert.deepEqual(agg?.by, ["network.parent_session_id"]);
  assert.equal(agg?.window, "15m");
  assert.equal(agg?.threshold, "#push > 4");
  assert.deepEqual(
    agg?.events?.map((e) => e.name),
    ["$push", "$auth"],
  );
  assert.deepEqual(agg?.events?.[1].condition, {
    type: "and",
    args: [
      { type: "pred", field: "metadata.event_type", kind: "eq", values: ["USER_LOGIN"], caseSensitive: true, scope: true },
      { type: "pred", field: "metadata.product_event_type", kind: "eq", values: ["user.authentication.auth_via_mfa"], caseSensitive: true },
      { type: "pred", field: "security_result.action", kind: "eq", values: ["ALLOW"], caseSensitive: true },
    ],
  });
  assert.match(agg?.note ?? "", /primary event \$push/);
  // Event-time ordering is correlation metadata ("$push before $auth"), kept in the note.
  assert.match(agg?.note ?? "", /order: \$push\.metadata\.event_timestamp\.seconds <= \$auth\.metadata\.event_timestamp\.seconds/);
  // The top-level condition is $push's filter.
  assert.deepEqual(t.logic.condition, agg?.events?.[0].condition);
  assert.equal(t.logic.fidelity, "full");
});

test("cross-event equality of different fields is a join key; other cross-event tests stay opaque", () => {
  // community/workspace/google_workspace_suspicious_login_and_google_drive_file_download.yaral;
  // community/microsoft/entra_id/suspicious_entra_id_sign_in_external_call.yaral
  const t = translate(`rule r {
  events:
    $login.metadata.event_type = "USER_LOGIN"
    $download.metadata.product_event_type = "download"
    $login.target.user.userid = $download.principal.user.userid
    $login.network.session_id != $download.network.session_id
  condition:
    $login and $download
}`);
  assert.deepEqual(t.logic.aggregation?.by, ["$login.target.user.userid = $download.principal.user.userid"]);
  assert.deepEqual(conjuncts(t.logic.condition)[1], {
    type: "opaque",
    text: "$login.network.session_id != $download.network.session_id",
    reason: "cross-event constraint between $login, $download: holds on a set of events, not one",
    fields: ["network.session_id"],
  });
  assert.equal(t.logic.fidelity, "partial");
});

test("output fields: outcome fields in order plus match variables; computed outcomes are not fields", () => {
  const t = translate(OKTA);
  assert.deepEqual(t.logic.outputFields, ["principal.ip", "target.user.userid", "network.parent_session_id"]);
  assert.deepEqual([...t.computedOutcomes], [["$risk_score", "max(35)"]]);
  const u = translate(
    rule(`    $e.principal.hostname = $host`, `outcome:
    $risk_score = max(if($e.target.port = 443, 10, 0))
    $event_count = count_distinct($e.metadata.id)
    $command_line = $e.target.process.command_line
    $host_name = $host
    $mitre_attack_technique_id = "T1562"
  condition:
    $e`),
  );
  assert.deepEqual(u.logic.outputFields, ["target.process.command_line", "principal.hostname"]);
  assert.deepEqual([...u.outcomeLiterals], [["$mitre_attack_technique_id", "T1562"]]);
});

test("untranslatable constructs become opaque nodes quoting the source", () => {
  // community/okta/okta_user_login_out_of_hours.yaral; community/microsoft/entra_id re.replace(...) in %list
  const t = translate(
    rule(`    $e.metadata.event_type = "USER_LOGIN"
    01 = timestamp.get_day_of_week($e.metadata.event_timestamp.seconds, "UTC")
    re.replace($e.target.user.userid, \`@.*$\`, "") in %entra_id_admin_watchlist`),
  );
  const [, day, list] = conjuncts(t.logic.condition);
  assert.deepEqual(day, {
    type: "opaque",
    text: '01 = timestamp.get_day_of_week($e.metadata.event_timestamp.seconds, "UTC")',
    reason: "comparison of a computed value (function result or arithmetic)",
    fields: ["metadata.event_timestamp.seconds"],
  });
  assert.equal(list.type === "opaque" && list.reason, "reference-list lookup of a computed value");
  assert.equal(t.logic.fidelity, "partial");
});

test("translated rules replay on hand-written UDM events", () => {
  const t = translate(
    rule(`    $e.metadata.event_type = "PROCESS_LAUNCH"
    re.regex($e.target.process.file.full_path, \`\\\\(powershell|pwsh)\\.exe$\`) nocase
    strings.contains(strings.to_lower($e.target.process.command_line), "-enc")
    not $e.principal.hostname = /^build-/`),
  );
  const event = (path: string, cmd: string, host: string) => ({
    metadata: { event_type: "PROCESS_LAUNCH" },
    target: { process: { file: { full_path: path }, command_line: cmd } },
    principal: { hostname: host },
  });
  assert.equal(evaluate(t.logic.condition, event("C:\\Windows\\PowerShell.EXE", "powershell -Enc AAA", "ws-1"), sem), true);
  assert.equal(evaluate(t.logic.condition, event("C:\\Windows\\cmd.exe", "cmd -enc", "ws-1"), sem), false);
  assert.equal(evaluate(t.logic.condition, event("C:\\pwsh.exe", "pwsh -enc", "build-7"), sem), false);
});

test("unparsed source is opaque with the parser's reason; a rule without events translates to nothing", () => {
  const text = 'rule r {\n events:\n  $e.f = "x"\n  $e.g = = "y"\n condition:\n  $e\n}';
  const t = translateRule(parseRules(text).rules[0], text);
  const [ok, bad] = conjuncts(t.logic.condition);
  assert.deepEqual(ok, { type: "pred", field: "f", kind: "eq", values: ["x"], caseSensitive: true });
  assert.equal(bad.type === "opaque" && bad.reason, "not parsed: unexpected '='");
  assert.equal(t.logic.fidelity, "partial");
  const empty = "rule r { meta: author = \"x\" condition: $e }";
  assert.equal(translateRule(parseRules(empty).rules[0], empty).logic.fidelity, "none");
});
