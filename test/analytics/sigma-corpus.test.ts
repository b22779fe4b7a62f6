// Real Sigma rules through the real ingest: corpus keys, counts and related rules on rule text as written.
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { corpusOf } from "../../src/analytics/api.js";
import { indicatorRules } from "../../src/analytics/indicators.js";
import { relatedRules } from "../../src/analytics/related.js";
import { openCatalog } from "../../src/catalog/open.js";
import { ingest } from "../../src/ingest/pipeline.js";

const PROC = fileURLToPath(new URL("../../../shared/corpora/sigma/rules/windows/process_creation/", import.meta.url));

test("Sigma rundll32 rules: counts, derived name keys and related rules", { skip: !existsSync(PROC) && "shared corpora absent" }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "ra-sigma-"));
  mkdirSync(join(dir, "rules"));
  const files = readdirSync(PROC).filter((f) => f.startsWith("proc_creation_win_rundll32_"));
  for (const f of files) copyFileSync(join(PROC, f), join(dir, "rules", f));
  const db = openCatalog(":memory:");
  await ingest(db, [{ dir, name: "sigma", format: "sigma" }]);
  const ids = db.prepare("SELECT id FROM rules").pluck().all() as string[];
  assert.ok(ids.length >= 20, `${ids.length} rules`);

  // Every non-negated, non-scope Image endswith \rundll32.exe row is one rule in the counts.
  const holders = db
    .prepare("SELECT COUNT(DISTINCT rule_id) FROM indicators WHERE field = 'Image' AND kind = 'endswith' AND value_norm = ? AND negated = 0 AND scope = 0")
    .pluck()
    .get("\\rundll32.exe") as number;
  assert.ok(holders >= 10);
  const someHolder = db
    .prepare("SELECT rule_id FROM indicators WHERE field = 'Image' AND kind = 'endswith' AND value_norm = ? AND negated = 0 AND scope = 0 LIMIT 1")
    .pluck()
    .get("\\rundll32.exe") as string;
  const [[e]] = corpusOf(db, someHolder, [{ field: "Image", kind: "endswith", values: ["\\rundll32.exe"] }]);
  assert.equal(e.raw, holders - 1);
  assert.ok(e.canonical >= e.raw);

  // process.name == rundll32.exe (canonical, derived from the paths) finds the same rules.
  const byName = indicatorRules(db, { field: "process.name", kind: "eq", value: "rundll32.exe" });
  assert.ok(byName.counts.lookFor >= holders);

  const rel = relatedRules(db, someHolder, { limit: 5 });
  assert.ok(rel.related.length > 0);
  for (const r of rel.related) {
    assert.ok(r.evidence.length > 0);
    assert.ok(r.score > 0 && r.score <= 1.0001);
  }
});
