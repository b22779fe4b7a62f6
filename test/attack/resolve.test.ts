import assert from "node:assert/strict";
import { test } from "node:test";
import { importAttack } from "../../src/attack/import.js";
import { resolveRefs } from "../../src/attack/resolve.js";
import { attackIndex } from "../../src/attack/store.js";
import { tacticShortname } from "../../src/attack/tactics.js";
import type { AttackCompact } from "../../src/attack/types.js";
import { fixtureDb } from "../analytics/fixture.js";

const MINI: AttackCompact = {
  domain: "enterprise-attack",
  version: "18.1",
  tactics: [
    { id: "TA0004", shortname: "privilege-escalation", name: "Privilege Escalation" },
    { id: "TA0005", shortname: "defense-evasion", name: "Defense Evasion" },
    { id: "TA0011", shortname: "command-and-control", name: "Command and Control" },
  ],
  techniques: [
    { id: "T1055", name: "Process Injection", tactics: ["privilege-escalation", "defense-evasion"], platforms: [] },
    { id: "T1071", name: "Application Layer Protocol", tactics: ["command-and-control"], platforms: [] },
    { id: "T1043", name: "Commonly Used Port", tactics: ["command-and-control"], platforms: [], deprecated: true },
  ],
};

function index() {
  const db = fixtureDb();
  importAttack(db, MINI, "mini");
  return attackIndex(db);
}

const ref = (raw: string, tactic: string | null, technique: string | null, name: string | null = null) => ({ raw, tactic, technique, name });

test("tactic names as vendors write them", () => {
  assert.equal(tacticShortname("PrivilegeEscalation"), "privilege-escalation");
  assert.equal(tacticShortname("Command And Control"), "command-and-control");
  assert.equal(tacticShortname("CommandAndControl"), "command-and-control");
  assert.equal(tacticShortname("defense_evasion"), "defense-evasion");
  assert.equal(tacticShortname("attack.command-and-control"), "command-and-control");
});

test("a technique pairs with the rule's own tactics that ATT&CK lists for it", () => {
  const pairs = resolveRefs(index(), [ref("attack.privilege-escalation", "privilege-escalation", null), ref("attack.t1055", null, "T1055")]);
  assert.deepEqual(
    pairs.map((p) => [p.tactic, p.technique, p.raw]),
    [["TA0004", "T1055", "attack.t1055 + attack.privilege-escalation"]],
  );
});

test("without rule tactics, a technique takes every ATT&CK tactic of it", () => {
  const pairs = resolveRefs(index(), [ref("T1055", null, "T1055")]);
  assert.deepEqual(pairs.map((p) => p.tactic), ["TA0004", "TA0005"]);
});

test("a rule tactic the technique does not belong to stays as a tactic-only pair", () => {
  const pairs = resolveRefs(index(), [ref("attack.command-and-control", "command-and-control", null), ref("attack.t1055", null, "T1055")]);
  assert.deepEqual(
    pairs.map((p) => [p.tactic, p.technique, p.status]),
    [
      ["TA0004", "T1055", "current"],
      ["TA0005", "T1055", "current"],
      ["TA0011", null, "tactic"],
    ],
  );
});

test("malformed and foreign ids are kept as written, marked unknown", () => {
  const pairs = resolveRefs(index(), [ref("TA003:T1556", "TA003", "T1556"), ref("ImpairProcessControl", "ImpairProcessControl", null)]);
  assert.deepEqual(
    pairs.map((p) => [p.tactic, p.tacticKnown, p.technique, p.status]),
    [
      ["TA003", false, "T1556", "unknown"],
      ["ImpairProcessControl", false, null, "tactic"],
    ],
  );
});

test("deprecated ids have no replacement; the rule's own name is kept for unknown ids", () => {
  const pairs = resolveRefs(index(), [ref("T1043", null, "T1043"), ref("T9999", "TA0011", "T9999", "Made Up")]);
  assert.equal(pairs[0].status, "deprecated");
  assert.equal(pairs[0].countsAs, "T1043");
  assert.equal(pairs[1].name, "Made Up");
  assert.equal(pairs[1].countsAs, null);
});

test("no ATT&CK loaded: every id is kept and unknown", () => {
  const db = fixtureDb();
  const pairs = resolveRefs(attackIndex(db), [ref("TA0007:T1526", "TA0007", "T1526"), ref("attack.stealth", "stealth", null)]);
  assert.deepEqual(
    pairs.map((p) => [p.tactic, p.technique, p.status]),
    [
      ["TA0007", "T1526", "unknown"],
      ["TA0005", null, "tactic"],
    ],
  );
});

test("a reference whose parts were not parsed is read from its raw text", () => {
  const pairs = resolveRefs(index(), [ref("TA0011:T1071", null, null), ref("see the wiki", null, null)]);
  assert.deepEqual(pairs.map((p) => [p.tactic, p.technique]), [["TA0011", "T1071"]]);
});

test("several versions side by side: the newest resolves, the v19 table steps aside for v19 data", () => {
  const db = fixtureDb();
  importAttack(db, MINI, "mini-18.1");
  importAttack(
    db,
    {
      ...MINI,
      version: "19",
      tactics: [...MINI.tactics, { id: "TA0112", shortname: "defense-impairment", name: "Defense Impairment" }],
      techniques: [...MINI.techniques, { id: "T1685", name: "Disable or Modify Tools (v19 data)", tactics: ["defense-impairment"], platforms: [] }],
    },
    "mini-19",
  );
  importAttack(db, { ...MINI, version: "9" }, "mini-9");
  const idx = attackIndex(db);
  assert.deepEqual(idx.versions, ["9", "18.1", "19"]);
  assert.equal(idx.version, "19");
  const [p] = resolveRefs(idx, [ref("attack.t1685", null, "T1685")]);
  assert.equal(p.status, "current");
  assert.equal(p.name, "Disable or Modify Tools (v19 data)");
  assert.equal(p.tactic, "TA0112");
});
