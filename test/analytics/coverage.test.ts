import assert from "node:assert/strict";
import { test } from "node:test";
import { afterIngest } from "../../src/analytics/api.js";
import { coverage } from "../../src/analytics/coverage.js";
import { binOf, navigatorLayer } from "../../src/analytics/layer.js";
import { importAttack } from "../../src/attack/import.js";
import type { AttackCompact } from "../../src/attack/types.js";
import type { Db } from "../../src/catalog/open.js";
import { type FixtureRule, PANTHER_CONFIG, SIGMA_CONFIG, SIGMA_RUNDLL, addRule, fixtureDb } from "./fixture.js";

/** A slice of Enterprise v18.1, enough to exercise roll-up, revocation and unknown ids. */
const MINI: AttackCompact = {
  domain: "enterprise-attack",
  version: "18.1",
  tactics: [
    { id: "TA0002", shortname: "execution", name: "Execution" },
    { id: "TA0005", shortname: "defense-evasion", name: "Defense Evasion" },
    { id: "TA0007", shortname: "discovery", name: "Discovery" },
  ],
  techniques: [
    { id: "T1526", name: "Cloud Service Discovery", tactics: ["discovery"], platforms: ["IaaS"] },
    { id: "T1059", name: "Command and Scripting Interpreter", tactics: ["execution"], platforms: ["Windows"] },
    { id: "T1059.001", name: "PowerShell", tactics: ["execution"], parent: "T1059", platforms: ["Windows"] },
    { id: "T1218", name: "System Binary Proxy Execution", tactics: ["defense-evasion"], platforms: ["Windows"] },
    { id: "T1218.011", name: "Rundll32", tactics: ["defense-evasion"], parent: "T1218", platforms: ["Windows"] },
    { id: "T1562", name: "Impair Defenses", tactics: ["defense-evasion"], platforms: ["Windows"] },
    { id: "T1086", name: "PowerShell", tactics: ["execution"], platforms: ["Windows"], revoked: true, revokedBy: "T1059.001" },
  ],
};

const rule = (id: string, title: string, techs: string[], modality = "detection"): FixtureRule => ({
  id,
  title,
  modality,
  attack: techs.map((t) => ({ raw: `attack.${t.toLowerCase()}`, technique: t })),
});

function catalog(): Db {
  const db = fixtureDb();
  const rules: FixtureRule[] = [
    PANTHER_CONFIG,
    SIGMA_CONFIG,
    SIGMA_RUNDLL,
    rule("sigma:ps1", "PowerShell Download", ["T1059.001"]),
    rule("elastic:ps2", "PowerShell Encoded", ["T1059.001"]),
    rule("splunk:cmd", "Shell Spawn", ["T1059"]),
    rule("splunk:old", "Old PowerShell Tag", ["T1086"]),
    rule("sigma:v19", "Disable Defender", ["T1685", "T1686.003"]),
    rule("elastic:hunt", "Hunting PowerShell", ["T1059.001"], "hunting"),
    rule("elastic:bb", "Building Block", ["T1526"], "building_block"),
  ];
  for (const r of rules) addRule(db, r);
  db.prepare("INSERT INTO sources VALUES ('sigma', '/c/sigma', 'sigma', '8eaafff1f2845a696050e05e72ba1140ee190698', NULL, 'now', 0, 0, 0)").run();
  importAttack(db, MINI, "mini");
  afterIngest(db, { upserted: rules.map((r) => r.id), removed: [] });
  return db;
}

test("coverage counts distinct rules; a sub-technique rolls up to its parent, not the reverse", () => {
  const cov = coverage(catalog());
  const by = new Map(cov.techniques.map((t) => [t.id, t]));
  // T1059.001: sigma:ps1, elastic:ps2, splunk:old (T1086 revoked → T1059.001); hunting excluded.
  assert.equal(by.get("T1059.001")?.rules, 3);
  assert.equal(by.get("T1059")?.rules, 4, "3 via the sub-technique + splunk:cmd");
  assert.equal(by.get("T1059")?.direct, 1);
  assert.deepEqual(by.get("T1059.001")?.byVendor, { elastic: 1, sigma: 1, splunk: 1 });
  assert.equal(by.get("T1526")?.rules, 2, "building block excluded");
  assert.equal(by.get("T1218")?.rules, 1);
  assert.equal(by.get("T1562")?.rules, 1, "v19 T1685 counted under its stated v18 equivalent");
  assert.deepEqual(cov.filters.excludedModalities, ["hunting", "building_block", "alert_passthrough", "indicator_list"]);
  assert.match(cov.policy, /sub-technique counts toward its parent technique, not the reverse/);
});

test("ids unknown to the loaded version are listed in unresolved, never dropped", () => {
  const cov = coverage(catalog());
  assert.deepEqual(
    cov.unresolved.map((u) => [u.id, u.rules, u.countedAs]),
    [
      ["T1685", 1, "T1562"],
      ["T1686.003", 1, null],
    ],
  );
});

test("modality and vendor filters", () => {
  const db = catalog();
  const all = coverage(db, { allModalities: true });
  assert.equal(new Map(all.techniques.map((t) => [t.id, t.rules])).get("T1059.001"), 4);
  assert.deepEqual(all.filters.excludedModalities, []);
  const hunting = coverage(db, { modalities: ["hunting"] });
  assert.deepEqual(hunting.techniques.map((t) => t.id), ["T1059", "T1059.001"]);
  const sigma = coverage(db, { vendors: ["sigma"] });
  assert.equal(new Map(sigma.techniques.map((t) => [t.id, t.rules])).get("T1059"), 1);
  assert.deepEqual(sigma.filters.vendors, ["sigma"]);
});

test("score bins: 0 · 1 · 2–5 · 6–20 · 21+", () => {
  assert.deepEqual([0, 1, 2, 5, 6, 20, 21, 500].map(binOf), [0, 1, 2, 2, 3, 3, 4, 4]);
});

test("the Navigator layer is format 4.5: required keys, technique ids, binned scores, legend, titles, provenance", () => {
  const layer = navigatorLayer(catalog());
  assert.equal(layer.versions.layer, "4.5");
  assert.equal(layer.versions.attack, "18");
  assert.match(layer.versions.navigator, /^\d+\.\d+\.\d+$/);
  assert.equal(layer.domain, "enterprise-attack");
  assert.equal(typeof layer.name, "string");
  for (const t of layer.techniques) {
    assert.match(t.techniqueID, /^T\d{4}(\.\d{3})?$/);
    assert.ok(Number.isInteger(t.score) && t.score >= 1 && t.score <= 4);
  }
  assert.equal(layer.legendItems.length, 5);
  assert.equal(layer.gradient.colors.length, 5);
  assert.deepEqual([layer.gradient.minValue, layer.gradient.maxValue], [0, 4]);
  const t1059 = layer.techniques.find((t) => t.techniqueID === "T1059");
  assert.equal(t1059?.score, 2);
  assert.equal(t1059?.showSubtechniques, true);
  assert.match(t1059?.comment ?? "", /^4 rules \(1 tagged T1059, rest via sub-techniques\) — elastic 1, sigma 1, splunk 2: /);
  assert.match(t1059?.comment ?? "", /PowerShell Download/);
  assert.equal(layer.techniques.some((t) => t.techniqueID === "T1086"), false, "revoked ids are not layer entries");
  assert.match(layer.description, /sigma 8eaafff1f284/);
  assert.match(layer.description, /excluded modalities: hunting, building_block, alert_passthrough, indicator_list/);
  assert.match(layer.description, /not the reverse/);
  assert.match(layer.description, /T1686\.003/);
});

test("layer comments list at most 10 rule titles", () => {
  const db = catalog();
  const many = Array.from({ length: 12 }, (_, i) => rule(`sigma:r${i}`, `Rule ${String(i).padStart(2, "0")}`, ["T1218.011"]));
  for (const r of many) addRule(db, r);
  afterIngest(db, { upserted: many.map((r) => r.id), removed: [] });
  const t = navigatorLayer(db).techniques.find((x) => x.techniqueID === "T1218.011");
  assert.equal(t?.score, 3);
  assert.match(t?.comment ?? "", /^13 rules — sigma 13: /);
  assert.equal((t?.comment.split(": ")[1] ?? "").split("; ").filter((s) => !s.startsWith("…")).length, 10);
  assert.match(t?.comment ?? "", /… and 3 more$/);
});

test("tactics as written keep v19 stealth apart from v18 defense-evasion", () => {
  const db = catalog();
  const extra: FixtureRule = { id: "elastic:de", title: "DE", attack: [{ raw: "TA0005:T1218", tactic: "TA0005", technique: "T1218" }] };
  addRule(db, extra);
  afterIngest(db, { upserted: [extra.id], removed: [] });
  const rows = coverage(db).tacticsAsWritten.filter((t) => t.tactic === "TA0005");
  assert.deepEqual(rows.map((t) => [t.shortname, t.rules]).sort(), [
    ["defense-evasion", 1],
    ["stealth", 1],
  ]);
});
