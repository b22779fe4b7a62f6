import assert from "node:assert/strict";
import { test } from "node:test";
import { afterIngest } from "../../src/analytics/api.js";
import { indicatorRules } from "../../src/analytics/indicators.js";
import { relatedRules } from "../../src/analytics/related.js";
import { ELASTIC_CONFIG, ELASTIC_RUNDLL, type FixtureRule, PANTHER_CONFIG, SIGMA_CONFIG, SIGMA_RUNDLL, addRule, fixtureDb } from "./fixture.js";

/** Many rules that all key on a common value, so it weighs little. */
function commonRules(n: number): FixtureRule[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `sigma:common-${i}`,
    logsources: [["service", "cloudtrail"]],
    indicators: [{ field: "eventSource", kind: "eq", values: ["config.amazonaws.com"] }],
  }));
}

function build(...rules: FixtureRule[]) {
  const db = fixtureDb();
  for (const r of rules) addRule(db, r);
  afterIngest(db, { upserted: rules.map((r) => r.id), removed: [] });
  return db;
}

test("related rules across vendors, with evidence on the shared value", () => {
  const db = build(PANTHER_CONFIG, SIGMA_CONFIG, ELASTIC_CONFIG, SIGMA_RUNDLL, ELASTIC_RUNDLL);
  const r = relatedRules(db, PANTHER_CONFIG.id);
  assert.deepEqual(
    r.related.map((x) => x.id),
    [ELASTIC_CONFIG.id, SIGMA_CONFIG.id].sort((a, b) => (a < b ? -1 : 1)),
  );
  const sigma = r.related.find((x) => x.id === SIGMA_CONFIG.id);
  assert.deepEqual(sigma?.evidence, ["both key on `PutDeliveryChannel` in eventName"]);
  const elastic = r.related.find((x) => x.id === ELASTIC_CONFIG.id);
  assert.deepEqual(elastic?.evidence, [
    "both key on `StartConfigurationRecorder` in aws.event_name: eventName in `StartConfigurationRecorder` / event.action eq `StartConfigurationRecorder`",
  ]);
  assert.equal(r.related.some((x) => x.id === SIGMA_RUNDLL.id), false);
});

test("Sigma Image endswith and Elastic process.name relate through the derived name key", () => {
  const db = build(SIGMA_RUNDLL, ELASTIC_RUNDLL);
  const r = relatedRules(db, SIGMA_RUNDLL.id);
  assert.equal(r.related.length, 1);
  assert.equal(r.related[0].id, ELASTIC_RUNDLL.id);
  assert.match(r.related[0].evidence[0], /`rundll32\.exe` in process\.name: Image endswith `\\rundll32\.exe` \/ process\.name eq `rundll32\.exe`/);
});

test("rare shared values rank above common ones", () => {
  const rare: FixtureRule = {
    id: "chronicle:rare",
    logsources: [["metadata.product_name", "AWS CloudTrail"]],
    indicators: [{ field: "metadata.product_event_type", kind: "eq", values: ["PutDeliveryChannel"] }],
  };
  const common: FixtureRule = {
    id: "elastic:common",
    logsources: [["index", "logs-aws.cloudtrail-*"]],
    indicators: [{ field: "event.provider", kind: "eq", values: ["config.amazonaws.com"] }],
  };
  const db = build(SIGMA_CONFIG, rare, common, ...commonRules(20));
  const r = relatedRules(db, SIGMA_CONFIG.id, { limit: 3 });
  assert.equal(r.related[0].id, "chronicle:rare");
  assert.ok(r.related[0].score > r.related[1].score);
  assert.equal(r.related.length, 3);
  const cross = relatedRules(db, SIGMA_CONFIG.id, { sameVendor: false });
  assert.deepEqual(cross.related.map((x) => x.vendor).sort(), ["chronicle", "elastic"]);
});

test("rules that share only an ATT&CK technique are listed apart", () => {
  const tagOnly: FixtureRule = { id: "splunk:tag-only", attack: [{ raw: "T1526", technique: "T1526" }] };
  const db = build(PANTHER_CONFIG, SIGMA_CONFIG, tagOnly);
  const r = relatedRules(db, PANTHER_CONFIG.id);
  assert.deepEqual(r.related.map((x) => x.id), [SIGMA_CONFIG.id]);
  assert.deepEqual(r.techniqueOnly.map((x) => x.id), ["splunk:tag-only"]);
});

test("indicators: rules that look for a value and rules that only exclude it", () => {
  const excluder: FixtureRule = {
    id: "sigma:excluder",
    indicators: [
      { field: "CommandLine", kind: "contains", values: ["foo"] },
      { field: "Image", kind: "endswith", values: ["\\rundll32.exe"], negated: true },
    ],
  };
  const db = build(SIGMA_RUNDLL, ELASTIC_RUNDLL, excluder);
  const r = indicatorRules(db, { field: "process.name", kind: "eq", value: "RUNDLL32.EXE" });
  assert.deepEqual(r.lookFor.map((x) => x.id).sort(), [ELASTIC_RUNDLL.id, SIGMA_RUNDLL.id]);
  assert.deepEqual(r.onlyExclude.map((x) => x.id), ["sigma:excluder"]);
  assert.deepEqual(r.onlyExclude[0].matches, [{ field: "Image", kind: "not endswith", value: "\\rundll32.exe" }]);
  const byVendorField = indicatorRules(db, { field: "Image", kind: "endswith", value: "\\rundll32.exe" });
  assert.deepEqual(byVendorField.fields, ["image", "process.path"]);
  assert.deepEqual(byVendorField.lookFor.map((x) => x.id), [SIGMA_RUNDLL.id]);
});

test("an exact equivalent outranks a rule that lists the same value among hundreds", () => {
  const exact: FixtureRule = {
    id: "elastic:exact",
    logsources: [["index", "logs-aws.cloudtrail-*"]],
    indicators: [{ field: "event.action", kind: "eq", values: ["PutDeliveryChannel"] }],
  };
  const broad: FixtureRule = {
    id: "sigma:broad",
    logsources: [["service", "cloudtrail"]],
    indicators: [{ field: "eventName", kind: "in", values: ["PutDeliveryChannel", ...Array.from({ length: 200 }, (_, i) => `Api${i}`)] }],
  };
  const db = build(SIGMA_CONFIG, exact, broad);
  const r = relatedRules(db, SIGMA_CONFIG.id);
  assert.deepEqual(r.related.map((x) => x.id), ["elastic:exact", "sigma:broad"]);
  assert.ok(r.related[0].score > 5 * r.related[1].score, JSON.stringify(r.related.map((x) => x.score)));
  assert.equal(r.related[0].overlap, r.related[1].overlap, "the same single key is shared");
});

test("sharing only an outcome qualifier does not relate two rules", () => {
  const a: FixtureRule = {
    id: "chronicle:a",
    indicators: [
      { field: "metadata.product_event_type", kind: "eq", values: ["DeleteDetector"] },
      { field: "security_result.action", kind: "eq", values: ["ALLOW"] },
    ],
  };
  const b: FixtureRule = { id: "chronicle:b", indicators: [{ field: "security_result.action", kind: "eq", values: ["ALLOW"] }, { field: "x", kind: "eq", values: ["y"] }] };
  const c: FixtureRule = { id: "chronicle:c", indicators: [{ field: "security_result.action", kind: "eq", values: ["ALLOW"] }, { field: "metadata.product_event_type", kind: "eq", values: ["DeleteDetector"] }] };
  const db = build(a, b, c);
  assert.deepEqual(relatedRules(db, "chronicle:a").related.map((x) => x.id), ["chronicle:c"]);
});
