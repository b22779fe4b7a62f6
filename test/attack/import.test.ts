import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import Database from "better-sqlite3";
import type { Db } from "../../src/catalog/open.js";
import { importAttackFile } from "../../src/attack/import.js";
import { attackIndex } from "../../src/attack/store.js";
import { AttackImportError } from "../../src/attack/types.js";
import { afterIngest, attackOf } from "../../src/analytics/api.js";
import { coverage } from "../../src/analytics/coverage.js";
import { navigatorLayer } from "../../src/analytics/layer.js";
import { relatedTableReady } from "../../src/analytics/related-store.js";
import { PANTHER_CONFIG, SIGMA_CONFIG, SIGMA_RUNDLL, addRule, fixtureDb } from "../analytics/fixture.js";

const ENTERPRISE = fileURLToPath(new URL("../../../shared/attack/enterprise-attack-18.1.json", import.meta.url));
const ICS = fileURLToPath(new URL("../../../shared/attack/ics-attack-18.1.json", import.meta.url));
const skip = !existsSync(ENTERPRISE) && "shared ATT&CK bundles absent";

// The 45 MB bundle is imported once; each test gets a copy of that catalog.
let template: Buffer | undefined;
function enterpriseDb(): Db {
  if (!template) {
    const db = fixtureDb();
    importAttackFile(db, ENTERPRISE);
    template = db.serialize();
  }
  return new Database(template);
}

test("imports Enterprise v18.1: tactics in matrix order, techniques, revoked and deprecated", { skip }, () => {
  const db = fixtureDb();
  const r = importAttackFile(db, ENTERPRISE);
  assert.equal(r.domain, "enterprise-attack");
  assert.equal(r.version, "18.1");
  assert.equal(r.tactics, 14);
  assert.equal(r.live, 691);
  assert.equal(r.revoked, 132);
  assert.equal(r.deprecated, 12);
  const idx = attackIndex(db);
  assert.deepEqual(
    idx.tactics.map((t) => t.id),
    ["TA0043", "TA0042", "TA0001", "TA0002", "TA0003", "TA0004", "TA0005", "TA0006", "TA0007", "TA0008", "TA0009", "TA0011", "TA0010", "TA0040"],
  );
  assert.equal(idx.techniques.get("T1526")?.name, "Cloud Service Discovery");
  assert.deepEqual(idx.techniques.get("T1526")?.tactics, ["discovery"]);
  assert.equal(idx.techniques.get("T1059.001")?.displayName, "Command and Scripting Interpreter: PowerShell");
  assert.equal(idx.techniques.get("T1086")?.revokedBy, "T1059.001");
  assert.equal(idx.techniques.get("T1208")?.revokedBy, "T1558.003");
  assert.equal(idx.techniques.get("T1043")?.deprecated, true);
  assert.ok(r.ms.total < 5000, `import took ${r.ms.total} ms`);
});

test("after import, TA0007:T1526 reads as Discovery / Cloud Service Discovery", { skip }, () => {
  const db = enterpriseDb();
  addRule(db, PANTHER_CONFIG);
  assert.deepEqual(attackOf(db, PANTHER_CONFIG.id), [
    {
      raw: "TA0007:T1526",
      tactic: "TA0007",
      tacticName: "Discovery",
      technique: "T1526",
      name: "Cloud Service Discovery",
      known: true,
      status: "current",
    },
  ]);
});

test("Sigma tactic and technique tags pair up; v19 stealth maps to TA0005 keeping its name", { skip }, () => {
  const db = enterpriseDb();
  addRule(db, SIGMA_CONFIG);
  addRule(db, SIGMA_RUNDLL);
  const [cfg] = attackOf(db, SIGMA_CONFIG.id);
  assert.equal(cfg.tactic, "TA0007");
  assert.equal(cfg.technique, "T1526");
  assert.equal(cfg.raw, "attack.t1526 + attack.discovery");
  const rundll = attackOf(db, SIGMA_RUNDLL.id);
  assert.equal(rundll.length, 1);
  assert.equal(rundll[0].tactic, "TA0005");
  assert.equal(rundll[0].tacticName, "Stealth");
  assert.equal(rundll[0].name, "System Binary Proxy Execution: Rundll32");
});

test("v19 ids are kept, marked unknown, and a stated move is noted", { skip }, () => {
  const db = enterpriseDb();
  addRule(db, {
    id: "sigma:v19",
    attack: [
      { raw: "attack.defense-impairment", tactic: "defense-impairment" },
      { raw: "attack.t1685", technique: "T1685" },
      { raw: "attack.t1686.003", technique: "T1686.003" },
      { raw: "attack.t1086", technique: "T1086" },
    ],
  });
  const v = attackOf(db, "sigma:v19");
  const t1685 = v.find((x) => x.technique === "T1685");
  assert.equal(t1685?.known, false);
  assert.equal(t1685?.tactic, "TA0112");
  assert.equal(t1685?.name, "Disable or Modify Tools");
  assert.match(t1685?.note ?? "", /counted as T1562/);
  const t1686 = v.find((x) => x.technique === "T1686.003");
  assert.equal(t1686?.known, false);
  assert.equal(t1686?.tactic, null);
  const revoked = v.find((x) => x.technique === "T1086");
  assert.equal(revoked?.status, "revoked");
  assert.match(revoked?.note ?? "", /T1059\.001/);
});

function tmpFile(name: string, text: string): string {
  const p = join(mkdtempSync(join(tmpdir(), "ra-attack-")), name);
  writeFileSync(p, text);
  return p;
}

test("bad bundles fail with a clear message and keep the previous data", { skip }, () => {
  const db = enterpriseDb();
  addRule(db, PANTHER_CONFIG);
  const truncated = tmpFile("enterprise-attack-19.json", readFileSync(ENTERPRISE, "utf8").slice(0, 100_000));
  assert.throws(() => importAttackFile(db, truncated), (e: unknown) => e instanceof AttackImportError && /not valid JSON/.test(e.message));
  const notStix = tmpFile("x.json", JSON.stringify({ hello: "world" }));
  assert.throws(() => importAttackFile(db, notStix), (e: unknown) => e instanceof AttackImportError && /not a STIX bundle/.test(e.message));
  const empty = tmpFile("y.json", JSON.stringify({ type: "bundle", objects: [{ type: "identity", id: "identity--1" }] }));
  assert.throws(() => importAttackFile(db, empty), (e: unknown) => e instanceof AttackImportError && /not an ATT&CK bundle/.test(e.message));
  assert.throws(
    () => importAttackFile(db, ICS),
    (e: unknown) => e instanceof AttackImportError && /bundle is ics-attack, expected enterprise-attack/.test(e.message),
  );
  assert.equal(attackIndex(db).version, "18.1");
  assert.equal(attackOf(db, PANTHER_CONFIG.id)[0].name, "Cloud Service Discovery");
});

test("ICS loads when asked for", { skip: !existsSync(ICS) && "shared ATT&CK bundles absent" }, () => {
  const db = fixtureDb();
  const r = importAttackFile(db, ICS, { domain: "ics-attack" });
  assert.equal(r.version, "18.1");
  assert.equal(r.tactics, 12);
  assert.equal(r.techniques, 95);
});

test("with ICS loaded, Sentinel's ICS tactic names resolve (as tactics of that domain)", { skip: (!existsSync(ICS) || !existsSync(ENTERPRISE)) && "shared ATT&CK bundles absent" }, () => {
  const db = enterpriseDb();
  importAttackFile(db, ICS, { domain: "ics-attack" });
  addRule(db, { id: "sentinel:ics", attack: [{ raw: "InhibitResponseFunction", tactic: "InhibitResponseFunction" }] });
  const [v] = attackOf(db, "sentinel:ics");
  assert.equal(v.tactic, "TA0107");
  assert.equal(v.tacticName, "Inhibit Response Function");
  assert.equal(v.known, true);
});

test("a layer over the real bundle names only live v18.1 techniques; v19 ids go to unresolved", { skip }, () => {
  const db = enterpriseDb();
  const rules = [
    PANTHER_CONFIG,
    SIGMA_CONFIG,
    SIGMA_RUNDLL,
    { id: "sigma:v19", title: "Defender Tampering", attack: [{ raw: "attack.t1685", technique: "T1685" }, { raw: "attack.t1690", technique: "T1690" }] },
    { id: "chronicle:old", title: "Old Tag", attack: [{ raw: "T1086", technique: "T1086" }] },
  ];
  for (const r of rules) addRule(db, r);
  afterIngest(db, { upserted: rules.map((r) => r.id), removed: [] });
  const idx = attackIndex(db);
  const layer = navigatorLayer(db);
  assert.deepEqual(
    layer.techniques.map((t) => [t.techniqueID, t.score]),
    [
      ["T1059", 1],
      ["T1059.001", 1],
      ["T1218", 1],
      ["T1218.011", 1],
      ["T1526", 2],
      ["T1562", 1],
    ],
  );
  for (const t of layer.techniques) {
    const info = idx.techniques.get(t.techniqueID);
    assert.ok(info && info.known && !info.revoked && !info.deprecated, t.techniqueID);
  }
  assert.match(layer.techniques.find((t) => t.techniqueID === "T1526")?.comment ?? "", /^2 rules — panther 1, sigma 1: AWS Config Delivery Channel Put; AWS Config Service Created$/);
  assert.deepEqual(coverage(db).unresolved.map((u) => u.id), ["T1685", "T1690"]);
});

test("an import refreshes the stored related rules: a read-only catalog answers from the table, not live", { skip }, () => {
  const db = fixtureDb();
  addRule(db, SIGMA_CONFIG);
  addRule(db, PANTHER_CONFIG);
  afterIngest(db, { upserted: [SIGMA_CONFIG.id, PANTHER_CONFIG.id], removed: [] });
  importAttackFile(db, ENTERPRISE);
  const dir = mkdtempSync(join(tmpdir(), "ruleatlas-attack-"));
  const path = join(dir, "c.db");
  writeFileSync(path, db.serialize());
  const ro = new Database(path, { readonly: true });
  assert.equal(relatedTableReady(ro), true);
  ro.close();
});
