import assert from "node:assert/strict";
import { test } from "node:test";
import { afterIngest, corpusOf } from "../../src/analytics/api.js";
import type { Db } from "../../src/catalog/open.js";
import type { PredicateRow } from "../../src/model/views.js";
import {
  ELASTIC_CONFIG,
  ELASTIC_RUNDLL,
  type FixtureRule,
  PANTHER_CONFIG,
  SIGMA_CONFIG,
  SIGMA_RUNDLL,
  addRule,
  fixtureDb,
  removeRule,
} from "./fixture.js";

function build(...rules: FixtureRule[]): Db {
  const db = fixtureDb();
  for (const r of rules) addRule(db, r);
  afterIngest(db, { upserted: rules.map((r) => r.id), removed: [] });
  return db;
}

const eventNameRow: PredicateRow = {
  field: "eventName",
  kind: "in",
  values: ["PutDeliveryChannel", "PutConfigurationRecorder", "StartConfigurationRecorder"],
  caseSensitive: true,
};

test("the seed page: eventName values counted raw (case as the language compares) and canonically across vendors", () => {
  const db = build(PANTHER_CONFIG, SIGMA_CONFIG, ELASTIC_CONFIG);
  const [entries] = corpusOf(db, PANTHER_CONFIG.id, [eventNameRow]);
  assert.deepEqual(entries, [
    // Sigma's eventName is case-insensitive (value_norm lower-cased): not the same raw key as Panther's.
    { value: "PutDeliveryChannel", raw: 0, canonical: 1 },
    { value: "PutConfigurationRecorder", raw: 0, canonical: 0 },
    // Elastic's event.action of aws.cloudtrail is eventName in canonical space.
    { value: "StartConfigurationRecorder", raw: 0, canonical: 1 },
  ]);
});

test("raw counts compare value_norm: two case-insensitive rules share a raw key", () => {
  const other: FixtureRule = { ...SIGMA_CONFIG, id: "sigma:other", indicators: [{ field: "eventName", kind: "in", values: ["putdeliverychannel", "X"] }] };
  const db = build(SIGMA_CONFIG, other);
  const [[e]] = corpusOf(db, SIGMA_CONFIG.id, [{ field: "eventName", kind: "eq", values: ["PutDeliveryChannel"] }]);
  assert.deepEqual(e, { value: "PutDeliveryChannel", raw: 1, canonical: 1 }, "in and eq are one kind");
});

test("a value is counted once per rule, the own rule is excluded", () => {
  const twice: FixtureRule = {
    id: "sigma:twice",
    logsources: [["service", "cloudtrail"]],
    indicators: [
      { field: "eventName", kind: "eq", values: ["PutDeliveryChannel"] },
      { field: "eventName", kind: "in", values: ["PutDeliveryChannel", "Other"] },
    ],
  };
  const db = build(SIGMA_CONFIG, twice);
  const [[e]] = corpusOf(db, SIGMA_CONFIG.id, [{ field: "eventName", kind: "eq", values: ["PutDeliveryChannel"] }]);
  assert.equal(e.raw, 1);
  assert.equal(e.canonical, 1);
  const [[own]] = corpusOf(db, "sigma:twice", [{ field: "eventName", kind: "eq", values: ["PutDeliveryChannel"] }]);
  assert.equal(own.raw, 1, "only SIGMA_CONFIG, not itself");
});

test("scope and negated rows are kept out of counts", () => {
  const negated: FixtureRule = {
    id: "sigma:not-config",
    logsources: [["service", "cloudtrail"]],
    indicators: [{ field: "eventName", kind: "eq", values: ["PutDeliveryChannel"], negated: true }],
  };
  const scoped: FixtureRule = {
    id: "elastic:scoped",
    indicators: [{ field: "event.dataset", kind: "eq", values: ["aws.cloudtrail"], scope: true }],
  };
  const db = build(PANTHER_CONFIG, negated, ELASTIC_CONFIG, scoped);
  const [[e]] = corpusOf(db, PANTHER_CONFIG.id, [{ ...eventNameRow, values: ["PutDeliveryChannel"] }]);
  assert.deepEqual(e, { value: "PutDeliveryChannel", raw: 0, canonical: 0 });
  const [[s]] = corpusOf(db, ELASTIC_CONFIG.id, [{ field: "event.dataset", kind: "eq", values: ["aws.cloudtrail"], scope: true }]);
  assert.deepEqual(s, { value: "aws.cloudtrail", raw: 0, canonical: 0 });
});

test("Image endswith \\rundll32.exe and process.name == rundll32.exe count each other", () => {
  const db = build(SIGMA_RUNDLL, ELASTIC_RUNDLL);
  const [[sigma]] = corpusOf(db, SIGMA_RUNDLL.id, [{ field: "Image", kind: "endswith", values: ["\\rundll32.exe"] }]);
  assert.deepEqual(sigma, { value: "\\rundll32.exe", raw: 0, canonical: 1 });
  const [[elastic]] = corpusOf(db, ELASTIC_RUNDLL.id, [{ field: "process.name", kind: "eq", values: ["rundll32.exe"] }]);
  assert.deepEqual(elastic, { value: "rundll32.exe", raw: 0, canonical: 1 });
  // CommandLine endswith "rundll32.exe" is another field: no match with either.
  const [[cmd]] = corpusOf(db, SIGMA_RUNDLL.id, [{ field: "CommandLine", kind: "endswith", values: ["rundll32.exe"] }]);
  assert.equal(cmd.canonical, 0);
});

test("a path key and its derived name key count a rule once", () => {
  const both: FixtureRule = {
    id: "splunk:rundll",
    indicators: [
      { field: "Processes.process_path", kind: "endswith", values: ["\\rundll32.exe"] },
      { field: "Processes.process_name", kind: "eq", values: ["rundll32.exe"] },
    ],
  };
  const db = build(SIGMA_RUNDLL, both);
  const [[e]] = corpusOf(db, SIGMA_RUNDLL.id, [{ field: "Image", kind: "endswith", values: ["\\rundll32.exe"] }]);
  assert.equal(e.canonical, 1);
});

test("afterIngest is incremental: a removed rule leaves the counts, an edited rule updates them", () => {
  const db = build(PANTHER_CONFIG, SIGMA_CONFIG, ELASTIC_CONFIG, SIGMA_RUNDLL, ELASTIC_RUNDLL);
  const count = () => corpusOf(db, PANTHER_CONFIG.id, [{ ...eventNameRow, values: ["PutDeliveryChannel"] }])[0][0].canonical;
  assert.equal(count(), 1);
  removeRule(db, SIGMA_CONFIG.id);
  afterIngest(db, { upserted: [], removed: [SIGMA_CONFIG.id] });
  assert.equal(count(), 0);
  addRule(db, { ...SIGMA_CONFIG, indicators: [{ field: "eventName", kind: "eq", values: ["putDeliveryChannel"] }] });
  afterIngest(db, { upserted: [SIGMA_CONFIG.id], removed: [] });
  assert.equal(count(), 1);
  const stored = db.prepare("SELECT rules FROM corpus_counts WHERE field = 'aws.event_name' AND kind = 'eq' AND value = 'putdeliverychannel'").get() as { rules: number };
  assert.equal(stored.rules, 2);
});
