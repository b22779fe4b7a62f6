import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { cli } from "../helpers/cli.js";
import { tempDir } from "../helpers/paths.js";

// A Sigma rule in the shape the issue names: `selection and not 1 of filter_*`.
const RULE = `title: Suspicious Rundll32 Without DLL
id: 55555555-5555-4555-8555-555555555555
status: experimental
description: Rundll32 started with no DLL on its command line
tags:
  - attack.stealth
  - attack.t1218.011
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    Image|endswith: '\\rundll32.exe'
  filter_main_dll:
    CommandLine|contains: '.dll'
  filter_optional_null:
    CommandLine: null
  condition: selection and not 1 of filter_*
level: high
`;

function catalog(): { dir: string; db: string } {
  const dir = tempDir();
  mkdirSync(join(dir, "rules"));
  writeFileSync(join(dir, "rules", "r.yml"), RULE);
  writeFileSync(join(dir, "rules", "bad.yml"), "title: [unclosed\n");
  const db = join(dir, "c.db");
  const r = cli(["ingest", dir, "--db", db, "--format", "sigma"]);
  assert.equal(r.code, 0, r.stderr);
  return { dir, db };
}

test("ingest exits 0 by default, and with --strict the number of failed files", () => {
  const { dir, db } = catalog();
  const strict = cli(["ingest", dir, "--db", db, "--format", "sigma", "--strict", "--force"]);
  assert.equal(strict.code, 1);
  assert.match(strict.stdout, /1 files failed/);
});

test("stats --json has the contract shape", () => {
  const { db } = catalog();
  const s = JSON.parse(cli(["stats", "--db", db, "--json"]).stdout);
  assert.deepEqual(Object.keys(s.vendors), ["sigma"]);
  const v = s.vendors.sigma;
  assert.equal(v.rules, 1);
  assert.equal(v.active, 1);
  assert.deepEqual(v.fidelity, { full: 1, partial: 0, none: 0 });
  assert.ok(v.diagnostics >= 1);
});

test("show --json prints the condition, exclusions and indicators exactly", () => {
  const { db } = catalog();
  const r = cli(["show", "sigma:55555555-5555-4555-8555-555555555555", "--db", db, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const v = JSON.parse(r.stdout);
  for (const k of ["id", "vendor", "title", "description", "severity", "status", "attack", "body", "logic", "tests", "diagnostics"]) {
    assert.ok(k in v, `show --json lacks ${k}`);
  }
  assert.equal(v.severity, "high");
  assert.deepEqual(v.logic.conditionText, [
    'Image endswith "\\\\rundll32.exe"',
    'not (CommandLine contains ".dll" or CommandLine is_null)',
  ]);
  assert.deepEqual(
    v.logic.exclusions.map((x: { field: string; kind: string; values: unknown[]; origin: string }) => [x.field, x.kind, x.values, x.origin]),
    [
      ["CommandLine", "contains", [".dll"], "filter_main_dll"],
      ["CommandLine", "is_null", [], "filter_optional_null"],
    ],
  );
  assert.deepEqual(
    v.logic.indicators.map((x: { field: string; kind: string; values: unknown[] }) => [x.field, x.kind, x.values]),
    [["Image", "endswith", ["\\rundll32.exe"]]],
  );
  assert.equal(v.logic.fidelity, "full");
  assert.ok(v.attack.some((a: { technique: string }) => a.technique === "T1218.011"));
});

test("show names an unknown rule with exit code 2", () => {
  const { db } = catalog();
  const r = cli(["show", "sigma:nope", "--db", db]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no rule 'sigma:nope'/);
});

test("search --json ranks the rule by its indicator values and title", () => {
  const { db } = catalog();
  const hits = JSON.parse(cli(["search", "rundll32", "--db", db, "--json"]).stdout);
  assert.equal(hits[0].id, "sigma:55555555-5555-4555-8555-555555555555");
  assert.equal(JSON.parse(cli(["search", "nothing-like-this", "--db", db, "--json"]).stdout).length, 0);
});

test("verify --json has the contract shape", () => {
  const { db } = catalog();
  const v = JSON.parse(cli(["verify", "--db", db, "--json"]).stdout);
  assert.ok("vendors" in v && Array.isArray(v.disagreements));
});
