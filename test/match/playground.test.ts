import assert from "node:assert/strict";
import { test } from "node:test";
import { pred } from "../../src/model/expr.js";
import { MatchInputError, matchEvent, parseEvent } from "../../src/match/playground.js";
import type { PlaygroundRule, RuleSet } from "../../src/match/rules.js";
import { familyOf } from "../../src/match/family.js";

function set(rules: PlaygroundRule[], fields: Record<string, string[]>): RuleSet {
  const families = new Map<string, { rules: PlaygroundRule[]; fields: string[] }>();
  for (const r of rules) {
    const f = families.get(r.family) ?? { rules: [], fields: fields[r.family] ?? [] };
    f.rules.push(r);
    families.set(r.family, f);
  }
  return { rules, families };
}

const cloudtrail: PlaygroundRule = {
  id: "sigma:a",
  title: "Config put",
  vendor: "sigma",
  language: "sigma",
  family: "aws/cloudtrail",
  logic: { condition: pred("eventName", "eq", ["PutDeliveryChannel"]), outputFields: [], fidelity: "full" },
};
const windows: PlaygroundRule = {
  id: "sigma:b",
  title: "Rundll32",
  vendor: "sigma",
  language: "sigma",
  family: "windows/process_creation",
  logic: { condition: pred("Image", "endswith", ["\\rundll32.exe"]), outputFields: [], fidelity: "full" },
};
const RULES = set([cloudtrail, windows], { "aws/cloudtrail": ["eventName", "eventSource"], "windows/process_creation": ["Image", "CommandLine"] });

test("log families read log sources in a stable order", () => {
  assert.equal(familyOf([{ key: "category", value: "process_creation" }, { key: "product", value: "windows" }]), "windows/process_creation");
  assert.equal(familyOf([]), "any");
});

test("the guess picks the family whose fields the event carries, and evaluates only it", () => {
  const r = matchEvent(RULES, { eventName: "PutDeliveryChannel", eventSource: "config.amazonaws.com" }, "guess");
  assert.deepEqual(r.family.chosen, ["aws/cloudtrail"]);
  assert.equal(r.evaluated, 1);
  assert.deepEqual(r.fired.map((f) => [f.id, f.matched]), [["sigma:a", ['eventName eq "PutDeliveryChannel"']]]);
});

test("a chosen family is used as given; 'all' evaluates every rule", () => {
  const ev = { eventName: "PutDeliveryChannel" };
  assert.equal(matchEvent(RULES, ev, "windows/process_creation").fired.length, 0);
  assert.equal(matchEvent(RULES, ev, "all").evaluated, 2);
  assert.throws(() => matchEvent(RULES, ev, "nope"), MatchInputError);
});

test("the rule budget stops evaluation and says so", () => {
  const r = matchEvent(RULES, {}, "all", { maxRules: 1, maxMs: 1000 });
  assert.equal(r.evaluated, 1);
  assert.equal(r.truncated, true);
});

test("events must be one JSON object of bounded depth", () => {
  assert.throws(() => parseEvent("[1]"), /one JSON object/);
  assert.throws(() => parseEvent("{"), /not valid JSON/);
  assert.throws(() => parseEvent(`${"{\"a\":".repeat(100)}1${"}".repeat(100)}`), /nested more than/);
  assert.deepEqual(parseEvent('{"a": {"b": 1}}'), { a: { b: 1 } });
});
