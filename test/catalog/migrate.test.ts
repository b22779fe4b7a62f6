import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { openCatalog } from "../../src/catalog/open.js";
import { SCHEMA_VERSION } from "../../src/catalog/schema.js";
import { ingest } from "../../src/ingest/pipeline.js";
import { REPO, tempDir } from "../helpers/paths.js";

test("a version-2 catalog is migrated: full-text rows get their rule's rowid and stay searchable", async () => {
  const path = join(tempDir(), "c.db");
  let db = openCatalog(path);
  await ingest(db, [{ dir: join(REPO, "examples", "sigma"), format: "sigma" }]);
  // Make it look like version 2: FTS rowids that do not follow the rules table.
  db.exec("UPDATE rules_fts SET rowid = rowid + 1000");
  db.pragma("user_version = 2");
  db.close();

  db = openCatalog(path);
  assert.equal(db.pragma("user_version", { simple: true }), SCHEMA_VERSION);
  const mismatched = db
    .prepare("SELECT COUNT(*) AS n FROM rules r LEFT JOIN rules_fts f ON f.rowid = r.rowid WHERE f.id IS NOT r.id")
    .get() as { n: number };
  assert.equal(mismatched.n, 0);
  const hits = db.prepare("SELECT COUNT(*) AS n FROM rules_fts WHERE rules_fts MATCH 'PutDeliveryChannel'").get() as { n: number };
  assert.ok(hits.n >= 1);
  db.close();
});

test("a catalog written by a newer ruleatlas is refused, not damaged", () => {
  const path = join(tempDir(), "c.db");
  let db = openCatalog(path);
  db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  db.close();
  assert.throws(() => openCatalog(path), /newer ruleatlas/);
  db = openCatalog(path, { readonly: true });
  assert.equal(db.pragma("user_version", { simple: true }), SCHEMA_VERSION + 1);
  db.close();
});

test("a version-3 catalog loses the unused value-only indicator index and keeps its rows", async () => {
  const path = join(tempDir(), "c.db");
  let db = openCatalog(path);
  await ingest(db, [{ dir: join(REPO, "examples", "sigma"), format: "sigma" }]);
  const rows = (db.prepare("SELECT COUNT(*) AS n FROM indicators").get() as { n: number }).n;
  db.exec("CREATE INDEX indicators_value ON indicators (value_norm)");
  db.pragma("user_version = 3");
  db.close();

  db = openCatalog(path);
  assert.equal(db.pragma("user_version", { simple: true }), SCHEMA_VERSION);
  assert.equal((db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'indicators_value'").get() as { n: number }).n, 0);
  assert.equal((db.prepare("SELECT COUNT(*) AS n FROM indicators").get() as { n: number }).n, rows);
  assert.ok(rows > 0);
  db.close();
});
