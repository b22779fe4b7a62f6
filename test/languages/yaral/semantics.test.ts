import assert from "node:assert/strict";
import { test } from "node:test";
import { yaralSemantics as sem } from "../../../src/languages/yaral/semantics.js";
import { evaluate } from "../../../src/model/evaluate.js";
import { pred } from "../../../src/model/expr.js";

const EVENT = {
  metadata: { event_type: "USER_LOGIN", product_event_type: "4624" },
  principal: { ip: ["10.1.2.3", "198.51.100.7"], hostname: "WS-01" },
  target: { resource: { attribute: { labels: [{ key: "App Id", value: "00000003-0000" }, { key: "enable", value: "false" }] } } },
  additional: { fields: { recipientAccountId: "123456789012" } },
  security_result: [{ action: "BLOCK" }, { action: "ALLOW" }],
  network: { http: { user_agent: "" } },
};

test("map access reads repeated {key, value} labels and plain maps", () => {
  assert.deepEqual(sem.resolve(EVENT, 'target.resource.attribute.labels["App Id"]'), ["00000003-0000"]);
  assert.deepEqual(sem.resolve(EVENT, 'additional.fields["recipientAccountId"]'), ["123456789012"]);
});

test("an unset field reads as the empty string, as in UDM", () => {
  assert.deepEqual(sem.resolve(EVENT, 'additional.fields["missing"]'), [""]);
  assert.deepEqual(sem.resolve(EVENT, "target.user.userid"), [""]);
  // `$e.principal.user.userid != $e.target.user.userid` is false when both are unset.
  assert.equal(evaluate(pred("principal.user.userid", "fieldref", ["target.user.userid"]), EVENT, sem), true);
  // soc_prime `re.regex($selection.target.user.user_display_name, \`.*$\`)` holds on an unset field.
  assert.equal(evaluate(pred("target.user.user_display_name", "regex", [".*$"], { caseSensitive: true }), EVENT, sem), true);
});

test("repeated fields have any-semantics", () => {
  assert.equal(evaluate(pred("principal.ip", "eq", ["198.51.100.7"], { caseSensitive: true }), EVENT, sem), true);
  assert.equal(evaluate(pred("security_result.action", "eq", ["ALLOW"], { caseSensitive: true }), EVENT, sem), true);
});

test("= is case-sensitive unless nocase; regexes are RE2 partial matches", () => {
  assert.equal(evaluate(pred("principal.hostname", "eq", ["ws-01"], { caseSensitive: true }), EVENT, sem), false);
  assert.equal(evaluate(pred("principal.hostname", "eq", ["ws-01"], { caseSensitive: false }), EVENT, sem), true);
  assert.equal(evaluate(pred("principal.hostname", "regex", ["S-0"], { caseSensitive: true }), EVENT, sem), true);
  assert.equal(evaluate(pred("metadata.product_event_type", "eq", [4624]), EVENT, sem), true);
});

test("UDM has no nulls: an empty string counts as unset", () => {
  assert.equal(evaluate(pred("network.http.user_agent", "is_null", []), EVENT, sem), true);
  assert.equal(evaluate(pred("principal.hostname", "is_not_null", []), EVENT, sem), true);
});
