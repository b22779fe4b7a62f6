import assert from "node:assert/strict";
import { test } from "node:test";
import type { Node } from "../../../src/languages/yaral/ast.js";
import { parseRules } from "../../../src/languages/yaral/parser.js";

function parseOne(text: string) {
  const r = parseRules(text);
  assert.equal(r.rules.length, 1);
  return { rule: r.rules[0], errors: r.errors };
}

/** Compact rendering of an expression for assertions. */
function show(n: Node): string {
  switch (n.kind) {
    case "and":
    case "or":
      return `(${n.args.map(show).join(` ${n.kind} `)})`;
    case "not":
      return `not ${show(n.arg)}`;
    case "quant":
      return `${n.quantifier} ${show(n.arg)}`;
    case "compare":
      return `[${show(n.left)} ${n.op} ${show(n.right)}${n.nocase ? " nocase" : ""}]`;
    case "inList":
      return `[${show(n.left)} ${n.negated ? "not " : ""}in ${n.mode} %${n.list}${n.nocase ? " nocase" : ""}]`;
    case "arith":
      return `(${show(n.left)} ${n.op} ${show(n.right)})`;
    case "neg":
      return `-${show(n.arg)}`;
    case "path":
      return `${n.variable}.${n.segments.map((s) => ("name" in s ? s.name : `[${s.key}]`)).join(".")}`;
    case "var":
    case "count":
      return n.name;
    case "call":
      return `${n.name}(${n.args.map(show).join(", ")})${n.nocase ? " nocase" : ""}`;
    case "string":
      return JSON.stringify(n.value);
    case "regex":
      return `/${n.pattern}/${n.nocase ? " nocase" : ""}`;
    case "number":
    case "bool":
      return String(n.value);
    case "ident":
      return n.name;
    case "error":
      return `ERROR(${n.message})`;
  }
}

// community/aws/cloudtrail/aws_config_service_modified.yaral (abridged)
const AWS_CONFIG = `rule aws_config_service_modified {

  meta:
    rule_id = "mr_9a5af6d7-5119-46db-ad24-72d7e873a56b"
    severity = "High"

  events:
    $cloudtrail.metadata.vendor_name = "AMAZON"
    (
     $cloudtrail.metadata.product_event_type = "StopConfigurationRecorder" or
     $cloudtrail.metadata.product_event_type = "PutDeliveryChannel"
    )
    $cloudtrail.principal.user.user_display_name = $user_id

  match:
    $user_id over 1h

  outcome:
    $risk_score = max(75)
    $recipient_aws_account_id = array_distinct($cloudtrail.additional.fields["recipientAccountId"])

  condition:
    $cloudtrail
}`;

test("sections: meta, events (implicit AND), match, outcome, condition", () => {
  const { rule, errors } = parseOne(AWS_CONFIG);
  assert.deepEqual(errors, []);
  assert.equal(rule.name, "aws_config_service_modified");
  assert.deepEqual(
    rule.meta.map((m) => [m.key, m.value]),
    [
      ["rule_id", "mr_9a5af6d7-5119-46db-ad24-72d7e873a56b"],
      ["severity", "High"],
    ],
  );
  assert.deepEqual(rule.events.map(show), [
    '[$cloudtrail.metadata.vendor_name = "AMAZON"]',
    '([$cloudtrail.metadata.product_event_type = "StopConfigurationRecorder"] or [$cloudtrail.metadata.product_event_type = "PutDeliveryChannel"])',
    "[$cloudtrail.principal.user.user_display_name = $user_id]",
  ]);
  assert.deepEqual(rule.match && { v: rule.match.variables, w: rule.match.window }, { v: ["$user_id"], w: "1h" });
  assert.deepEqual(
    rule.outcome.map((o) => `${o.name} = ${show(o.expr)}`),
    ["$risk_score = max(75)", "$recipient_aws_account_id = array_distinct($cloudtrail.additional.fields.[recipientAccountId])"],
  );
  assert.deepEqual(rule.condition.map(show), ["$cloudtrail"]);
});

test("an `or` at the start of the next line continues the expression; and binds tighter than or", () => {
  // community/aws/guardduty: DeleteDetector or (UpdateDetector and labels["enable"] = "false")
  const { rule } = parseOne(`rule r { events:
    $c.metadata.product_event_type = "DeleteDetector"
    or ($c.metadata.product_event_type = "UpdateDetector" and $c.target.resource.attribute.labels["enable"] = "false")
    $c.security_result.action = "ALLOW"
    $c.a = "1" or $c.b = "2" and $c.c = "3"
  condition: $c }`);
  assert.deepEqual(rule.events.map(show), [
    '([$c.metadata.product_event_type = "DeleteDetector"] or ([$c.metadata.product_event_type = "UpdateDetector"] and [$c.target.resource.attribute.labels.[enable] = "false"]))',
    '[$c.security_result.action = "ALLOW"]',
    '([$c.a = "1"] or ([$c.b = "2"] and [$c.c = "3"]))',
  ]);
});

test("keywords are case-insensitive: NOT, OR, IN regex, NOCASE", () => {
  // community/microsoft/windows/hacktool_generic_process_access.yaral
  const { rule, errors } = parseOne(`rule r { EVENTS:
    NOT $login.target.resource.product_object_id in %first_party_ms_cloud_apps
    $process.principal.process.file.full_path IN regex %hacktool_regex nocase OR
    $process.principal.process.file.full_path = "x" NOCASE
  CONDITION: $process }`);
  assert.deepEqual(errors, []);
  assert.deepEqual(rule.events.map(show), [
    "not [$login.target.resource.product_object_id in string %first_party_ms_cloud_apps]",
    '([$process.principal.process.file.full_path in regex %hacktool_regex nocase] or [$process.principal.process.file.full_path = "x" nocase])',
  ]);
});

test("nocase attaches to comparisons, regex literals and function calls", () => {
  const { rule } = parseOne(`rule r { events:
    $e.target.process.command_line = /-enc/ nocase
    re.regex($e1.principal.process.command_line, \`net.* user wgautilacc\`) nocase
    $e.principal.hostname != "host" nocase
  condition: $e }`);
  assert.deepEqual(rule.events.map(show), [
    "[$e.target.process.command_line = /-enc/ nocase]",
    "re.regex($e1.principal.process.command_line, \"net.* user wgautilacc\") nocase",
    '[$e.principal.hostname != "host" nocase]',
  ]);
});

test("functions, map keys with spaces, any/all, cidr and placeholder bindings from functions", () => {
  const { rule, errors } = parseOne(`rule r { events:
    strings.contains(strings.to_lower($e.target.process.command_line), "-nop")
    not $login.target.resource.attribute.labels["App Id"] in %first_party_ms_cloud_apps
    any $gcp.target.resource.attribute.labels.value = "allAuthenticatedUsers"
    all $e.principal.ip != "10.0.0.1"
    not net.ip_in_range_cidr($api.principal.ip, "20.7.0.0/16")
    $e.target.ip in cidr %internal
    re.capture($api.principal.user.userid, ":assumed-role/.*/(.*)$") = $instanceId
  condition: $e }`);
  assert.deepEqual(errors, []);
  assert.deepEqual(rule.events.map(show), [
    'strings.contains(strings.to_lower($e.target.process.command_line), "-nop")',
    "not [$login.target.resource.attribute.labels.[App Id] in string %first_party_ms_cloud_apps]",
    'any [$gcp.target.resource.attribute.labels.value = "allAuthenticatedUsers"]',
    'all [$e.principal.ip != "10.0.0.1"]',
    'not net.ip_in_range_cidr($api.principal.ip, "20.7.0.0/16")',
    "[$e.target.ip in cidr %internal]",
    '[re.capture($api.principal.user.userid, ":assumed-role/.*/(.*)$") = $instanceId]',
  ]);
});

test("outcome: if(...), arithmetic and comments inside multi-line expressions", () => {
  // community/threat_intel/safebrowsing_process_creation_hashes_seen_more_than_7_days.yaral (abridged)
  const { rule, errors } = parseOne(`rule r { events: $seen.graph.entity.file.sha256 = $sha256
  outcome:
    $risk_score = max( if($seen.graph.entity.file.last_seen_time.seconds - $seen.graph.entity.file.first_seen_time.seconds > 604800 and
        $seen.graph.entity.file.last_seen_time.seconds - $seen.graph.entity.file.first_seen_time.seconds < 1209600, 25, 0) + // weeks
            if($seen.graph.entity.file.last_seen_time.seconds - $seen.graph.entity.file.first_seen_time.seconds >= 2592000, 100, 0))
    $event_count = count_distinct($seen.metadata.id)
  condition: $seen }`);
  assert.deepEqual(errors, []);
  assert.equal(rule.outcome.length, 2);
  assert.match(show(rule.outcome[0].expr), /^max\(\(if\(\(\[\(\$seen.*> 604800\] and .*, 25, 0\) \+ if\(.*>= 2592000\], 100, 0\)\)\)$/);
});

test("match over several variables; condition over counts, event variables and absence", () => {
  const { rule, errors } = parseOne(`rule r { events:
    $push.network.parent_session_id = $parent_session_id
    $auth.network.parent_session_id = $parent_session_id
  match:
    $parent_session_id, $user over 15m
  condition:
    #push > 4 and $auth and !$other
  }`);
  assert.deepEqual(errors, []);
  assert.deepEqual(rule.match?.variables, ["$parent_session_id", "$user"]);
  assert.equal(rule.match?.window, "15m");
  assert.deepEqual(rule.condition.map(show), ["([#push > 4] and $auth and not $other)"]);
});

test("match windows: hop (over), tumbling (by), sliding (over … before/after $pivot)", () => {
  const window = (m: string) => {
    const { rule, errors } = parseOne(`rule r { events: $e1.principal.hostname = $h match: ${m} condition: $e1 }`);
    assert.deepEqual(errors, []);
    return [rule.match?.windowKind, rule.match?.window, rule.match?.modifier];
  };
  assert.deepEqual(window("$h over 5m"), ["hop", "5m", null]);
  assert.deepEqual(window("$h by 30m"), ["tumbling", "30m", null]);
  assert.deepEqual(window("$h over 1h after $e1"), ["sliding", "1h", "after $e1"]);
});

test("bad input: unbalanced braces", () => {
  const r = parseRules('rule r {\n events:\n  $e.f = "x"\n condition:\n  $e\n');
  assert.equal(r.rules.length, 1);
  assert.deepEqual(
    r.errors.map((e) => [e.line, e.code]),
    [[6, "yaral.unbalanced-braces"]],
  );
});

test("bad input: unterminated regex stays a line-numbered error and later sections still parse", () => {
  const r = parseRules('rule r {\n events:\n  $e.f = /abc\n  $e.g = "x"\n condition:\n  $e\n}');
  assert.ok(r.errors.some((e) => e.code === "yaral.unterminated-regex" && e.line === 3));
  assert.deepEqual(r.rules[0].condition.map(show), ["$e"]);
});

test("bad input: unknown section is reported and skipped", () => {
  const r = parseRules('rule r {\n events:\n  $e.f = "x"\n filters:\n  $e.g = "y"\n condition:\n  $e\n}');
  assert.deepEqual(
    r.errors.map((e) => [e.line, e.code, e.message]),
    [[4, "yaral.unknown-section", "unknown section 'filters:'"]],
  );
  assert.equal(r.rules[0].events.length, 1);
  assert.deepEqual(r.rules[0].condition.map(show), ["$e"]);
});

test("bad input: a syntax error becomes an error node, not a lost predicate", () => {
  const r = parseRules('rule r {\n events:\n  $e.f = "x"\n  $e.g = = "y"\n condition:\n  $e\n}');
  assert.deepEqual(
    r.errors.map((e) => [e.line, e.code]),
    [[4, "yaral.syntax"]],
  );
  assert.equal(r.rules[0].events[1].kind, "error");
});

test("bad input: nesting is bounded (no stack overflow)", () => {
  const deep = `rule r { events: ${"(".repeat(50_000)}$e.f = 1${")".repeat(50_000)} condition: $e }`;
  const r = parseRules(deep);
  assert.ok(r.errors.some((e) => e.code === "yaral.too-deep"));
  const chain = `rule r { events: $e.f = ${Array.from({ length: 50_000 }, () => "1").join(" + ")} condition: $e }`;
  assert.ok(parseRules(chain).errors.some((e) => e.code === "yaral.too-deep"));
});

test("a long soc_prime-style one-line OR chain parses flat and fast", () => {
  const ors = Array.from({ length: 20_000 }, (_, i) => `$selection.target.port = "${i}"`).join(" or ");
  const t0 = Date.now();
  const r = parseRules(`rule big { events:\n((${ors}))\n condition: $selection }`);
  assert.deepEqual(r.errors, []);
  const e = r.rules[0].events[0];
  assert.equal(e.kind === "or" && e.args.length, 20_000);
  assert.ok(Date.now() - t0 < 5_000);
});
