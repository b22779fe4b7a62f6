// Builds the web tests' catalog in a temp SQLite file: the bundled examples/
// (which hold the reference rule AWS.ConfigService.Created, compiled from its
// YAML and Python), then hand-written records for what no example shows (an XSS
// probe, a partial rule), then ATT&CK when ../shared has it.
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterIngest } from "../../src/analytics/api.js";
import { importAttackFile } from "../../src/attack/import.js";
import { after, before } from "node:test";
import { type Db, openCatalog } from "../../src/catalog/open.js";
import { ruleRows } from "../../src/catalog/rows.js";
import { ruleExists } from "../../src/catalog/read.js";
import { CatalogWriter } from "../../src/catalog/write.js";
import { ingest } from "../../src/ingest/pipeline.js";
import { FIXTURE_RECORDS } from "../fixtures/web/records.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const ATTACK_BUNDLE = join(ROOT, "../shared/attack/enterprise-attack-18.1.json");
export const HAS_ATTACK = existsSync(ATTACK_BUNDLE);

export interface FixtureCatalog {
  path: string;
  dispose(): void;
}

export async function buildFixtureCatalog(opts: { attack?: boolean } = {}): Promise<FixtureCatalog> {
  const dir = mkdtempSync(join(tmpdir(), "ruleatlas-web-"));
  const path = join(dir, "catalog.db");
  const db = openCatalog(path);
  let ok = false;
  try {
    const examples = join(ROOT, "examples");
    const dirs = existsSync(examples)
      ? readdirSync(examples)
          .filter((d) => statSync(join(examples, d)).isDirectory())
          .map((d) => ({ dir: join(examples, d), name: `examples-${d}`, format: d }))
      : [];
    for (const d of dirs) await ingest(db, [d]);
    const w = new CatalogWriter(db);
    const upserted: string[] = [];
    db.transaction(() => {
      w.upsertSource({ name: "fixtures", dir: "test/fixtures/web", format: "fixtures", commit: null, url: null });
      for (const r of FIXTURE_RECORDS) {
        if (ruleExists(db, r.id)) continue;
        upserted.push(...w.replaceUnit("fixtures", r.source.path, r.id, [ruleRows(r)], []).upserted);
      }
      w.refreshSourceCounts("fixtures", null);
      afterIngest(db, { upserted, removed: [] });
    })();
    if ((opts.attack ?? true) && HAS_ATTACK) importAttackFile(db, ATTACK_BUNDLE);
    ok = true;
  } finally {
    db.close();
    // A failed build leaves no temp folder behind.
    if (!ok) rmSync(dir, { recursive: true, force: true });
  }
  return { path, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * For a test file: the fixture catalog (no ATT&CK) is built before its tests and removed after;
 * the returned function gives the read-only connection the tests share.
 */
export function sharedReadOnlyCatalog(): () => Db {
  let cat: FixtureCatalog | undefined;
  let db: Db | undefined;
  before(async () => {
    cat = await buildFixtureCatalog({ attack: false });
    db = openCatalog(cat.path, { readonly: true });
  });
  after(() => {
    db?.close();
    cat?.dispose();
  });
  return () => {
    if (!db) throw new Error("the fixture catalog is built in before()");
    return db;
  };
}
