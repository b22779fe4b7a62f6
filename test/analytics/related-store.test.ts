// The precomputed related-rules table answers exactly what the on-the-fly computation answers,
// after a full ingest and after incremental ones; so do the set-based corpus counts.
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { afterIngest } from "../../src/analytics/api.js";
import { corpusCounts } from "../../src/analytics/corpus.js";
import { canonicalKind, canonicalValue, fieldKey } from "../../src/analytics/canonical.js";
import { relatedRules } from "../../src/analytics/related.js";
import { relatedRulesLive } from "../../src/analytics/related-live.js";
import { storedRelated } from "../../src/analytics/related-store.js";
import type { Db } from "../../src/catalog/open.js";
import { openCatalog } from "../../src/catalog/open.js";
import { getRecord } from "../../src/catalog/read.js";
import { ingest } from "../../src/ingest/pipeline.js";
import type { PredicateRow } from "../../src/model/views.js";
import { indicators } from "../../src/model/views.js";
import { ELASTIC_CONFIG, ELASTIC_RUNDLL, type FixtureRule, PANTHER_CONFIG, SIGMA_CONFIG, SIGMA_RUNDLL, addRule, fixtureDb } from "./fixture.js";

const PROC = fileURLToPath(new URL("../../../shared/corpora/sigma/rules/windows/process_creation/", import.meta.url));

const ids = (db: Db) => db.prepare("SELECT id FROM rules ORDER BY id").pluck().all() as string[];

function assertSameAsLive(db: Db): void {
  for (const id of ids(db)) {
    assert.ok(storedRelated(db, id, 20), `${id}: stored`);
    for (const limit of [1, 3, 20]) assert.deepEqual(relatedRules(db, id, { limit }), relatedRulesLive(db, id, { limit }), `${id} limit ${limit}`);
  }
}

/** Many rules sharing a common value, a few sharing rare ones, two vendors, ATT&CK tags. */
function fixtureRules(): FixtureRule[] {
  const common = Array.from({ length: 12 }, (_, i): FixtureRule => ({
    id: `sigma:common-${i}`,
    logsources: [["service", "cloudtrail"]],
    attack: [{ raw: "attack.t1562", technique: "T1562" }],
    indicators: [
      { field: "eventSource", kind: "eq", values: ["config.amazonaws.com"] },
      { field: "eventName", kind: "in", values: [`Op${i % 4}`, "StopConfigurationRecorder"] },
    ],
  }));
  const tagOnly: FixtureRule = { id: "panther:tag-only", attack: [{ raw: "T1562", technique: "T1562" }], indicators: [{ field: "x", kind: "eq", values: ["y"] }] };
  return [PANTHER_CONFIG, SIGMA_CONFIG, ELASTIC_CONFIG, SIGMA_RUNDLL, ELASTIC_RUNDLL, ...common, tagOnly];
}

function build(rules: FixtureRule[]): Db {
  const db = fixtureDb();
  for (const r of rules) addRule(db, r);
  afterIngest(db, { upserted: rules.map((r) => r.id), removed: [] });
  return db;
}

test("stored related rules equal the on-the-fly answer on a fixture catalog", () => {
  const db = build(fixtureRules());
  assertSameAsLive(db);
  const r = relatedRules(db, PANTHER_CONFIG.id);
  assert.ok(r.related.length > 0);
  assert.ok(r.techniqueOnly.length === 0 || r.techniqueOnly.every((t) => !r.related.some((x) => x.id === t.id)));
  // Filters are answered on the fly, still exactly.
  assert.deepEqual(relatedRules(db, SIGMA_CONFIG.id, { sameVendor: false }), relatedRulesLive(db, SIGMA_CONFIG.id, { sameVendor: false }));
  assert.deepEqual(relatedRules(db, SIGMA_CONFIG.id, { limit: 50 }), relatedRulesLive(db, SIGMA_CONFIG.id, { limit: 50 }));
});

test("the stored table follows incremental ingests (rules added, changed, removed)", () => {
  const rules = fixtureRules();
  const db = build(rules.slice(0, 10));
  const rest = rules.slice(10);
  for (const r of rest) addRule(db, r);
  afterIngest(db, { upserted: rest.map((r) => r.id), removed: [] });
  assertSameAsLive(db);
  // Remove two rules (a small change: the incremental path).
  for (const id of ["sigma:common-3", ELASTIC_RUNDLL.id]) {
    for (const t of ["rules", "indicators", "rule_attack", "rule_logsources"]) db.prepare(`DELETE FROM ${t} WHERE ${t === "rules" ? "id" : "rule_id"} = ?`).run(id);
  }
  afterIngest(db, { upserted: [], removed: ["sigma:common-3", ELASTIC_RUNDLL.id] });
  assertSameAsLive(db);
  assert.equal(storedRelated(db, ELASTIC_RUNDLL.id, 20), undefined);
});

/** The per-value computation the set-based corpus counts replaced: the reference. */
function corpusCountsPerValue(db: Db, ruleId: string, rows: PredicateRow[]) {
  const ownCanon = db.prepare(
    `SELECT DISTINCT k.field, k.kind, k.value FROM corpus_keys k JOIN indicators i ON i.rowid = k.grp
     WHERE k.rule_id = ? AND k.neg = 0 AND i.field IS ? AND i.kind = ? AND i.value = ?`,
  );
  const countRaw = db.prepare(
    `SELECT COUNT(DISTINCT rule_id) AS n FROM indicators WHERE field IS ? AND kind IN (?, ?) AND value_norm = ?
     AND negated = 0 AND scope = 0 AND rule_id <> ?`,
  );
  type Key = { field: string; kind: string; value: string };
  const countMany = (keys: Key[]): number =>
    (
      db
        .prepare(`SELECT COUNT(DISTINCT rule_id) AS n FROM corpus_keys WHERE neg = 0 AND rule_id <> ? AND (${keys.map(() => "(field = ? AND kind = ? AND value = ?)").join(" OR ")})`)
        .get(ruleId, ...keys.flatMap((k) => [k.field, k.kind, k.value])) as { n: number }
    ).n;
  return rows.map((r) =>
    r.values.map((v) => {
      if (r.scope || v === null) return { value: v, raw: 0, canonical: 0 };
      const value = String(v);
      const norm = r.caseSensitive === true ? value : value.toLowerCase();
      const kinds = r.kind === "in" || r.kind === "eq" ? ["eq", "in"] : [r.kind, r.kind];
      const raw = (countRaw.get(r.field, ...kinds, norm, ruleId) as { n: number }).n;
      let keys = ownCanon.all(ruleId, r.field, r.kind, value) as Key[];
      if (keys.length === 0) keys = [{ field: fieldKey(r.field), kind: canonicalKind(r.kind, value), value: canonicalValue(r.kind, value) }];
      return { value: v, raw, canonical: countMany(keys) };
    }),
  );
}

test("Sigma rundll32 rules: stored related rules and set-based corpus counts equal the reference", { skip: !existsSync(PROC) && "shared corpora absent" }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "ra-related-"));
  mkdirSync(join(dir, "rules"));
  for (const f of readdirSync(PROC).filter((f) => /^proc_creation_win_(rundll32|regsvr32|mshta)_/.test(f))) {
    copyFileSync(join(PROC, f), join(dir, "rules", f));
  }
  const db = openCatalog(":memory:");
  await ingest(db, [{ dir, name: "sigma", format: "sigma" }]);
  assert.ok(ids(db).length >= 30, `${ids(db).length} rules`);
  assertSameAsLive(db);
  for (const id of ids(db)) {
    const rows = indicators((getRecord(db, id) as NonNullable<ReturnType<typeof getRecord>>).logic);
    // A value that is none of the rule's own rows goes through the context-free fallback.
    rows.push({ field: "Image", kind: "endswith", values: ["\\RUNDLL32.EXE", "x"] }, { field: "CommandLine", kind: "contains", values: ["zzz-none"], caseSensitive: true });
    assert.deepEqual(corpusCounts(db, id, rows), corpusCountsPerValue(db, id, rows), id);
  }
});
