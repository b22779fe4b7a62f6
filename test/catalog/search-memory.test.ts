// The in-memory full-text index must answer exactly as SQLite's FTS5 does:
// same rules, same bm25 order, same counts and facets, for words, prefixes,
// several words, filters, sorts and pages. The reference is the same search
// with the in-memory index switched off (searchEngine.memory = false).
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { type Db, openCatalog } from "../../src/catalog/open.js";
import { type SearchQuery, search, searchEngine } from "../../src/catalog/search.js";
import { answers, searchIndex } from "../../src/catalog/search-index.js";
import { ingest } from "../../src/ingest/pipeline.js";
import { sharedReadOnlyCatalog } from "../web/catalog.js";

const SIGMA_SUBSET = fileURLToPath(new URL("../../../shared/corpora/sigma/rules/windows/process_creation", import.meta.url));

function both(db: Db, sq: SearchQuery): { memory: unknown; sql: unknown } {
  const run = () => {
    try {
      return search(db, sq);
    } catch (err) {
      return String(err);
    }
  };
  const memory = run();
  searchEngine.memory = false;
  try {
    return { memory, sql: run() };
  } finally {
    searchEngine.memory = true;
  }
}

/** Words of the catalog's titles and descriptions, whole and cut to prefixes, alone and in pairs. */
function queries(db: Db, n: number): string[] {
  const words = [
    ...new Set((db.prepare("SELECT title || ' ' || description FROM rules").pluck().all() as string[]).flatMap((t) => t.match(/[A-Za-z0-9]+/g) ?? [])),
  ].sort();
  const out = ["a", "e", "s", "pro", "process", "windows", "exe", "1", "PutDelivery", "registry run", "x y", "zzzzqq", "café", "process_creation", "ünï"];
  for (let i = 0; out.length < n && words.length > 0; i++) {
    const w = words[(i * 7919) % words.length];
    const v = words[(i * 104729 + 13) % words.length];
    out.push(i % 4 === 0 ? w.slice(0, 1 + (i % 3)) : i % 4 === 1 ? `${w} ${v}` : i % 4 === 2 ? `${w} ${v.slice(0, 2)}` : w);
  }
  return out;
}

const FILTERS: SearchQuery["filters"][] = [{}, { severity: ["high", "critical"] }, { vendor: ["sigma"] }, { fidelity: ["partial"] }, { technique: ["T1059.*"] }, { tactic: ["execution"] }];
const SORTS: SearchQuery["sort"][] = [undefined, "relevance", "title", "severity", "vendor", "fidelity", "modified"];

function compareAll(db: Db, n: number): number {
  let compared = 0;
  queries(db, n).forEach((q, i) => {
    const sq: SearchQuery = { q, filters: FILTERS[i % FILTERS.length], sort: SORTS[i % SORTS.length], limit: 25, offset: i % 5 === 0 ? 25 : 0, facets: true };
    const r = both(db, sq);
    assert.deepEqual(r.memory, r.sql, JSON.stringify(sq));
    compared++;
  });
  return compared;
}

const catalog = sharedReadOnlyCatalog();

test("the in-memory index answers plain words; anything else goes to SQLite", () => {
  assert.equal(answers(["PutDelivery", "t1059"]), true);
  assert.equal(answers(["process_creation"]), false, "unicode61 splits at _: a phrase");
  assert.equal(answers(["café"]), false, "diacritics are folded by SQLite");
  assert.equal(answers([]), false);
});

test("fixture catalog: every search equals FTS5's", () => {
  assert.ok(compareAll(catalog(), 120) >= 120);
});

test("the text index mirrors FTS5's own totals", () => {
  const ti = searchIndex(catalog()).text();
  assert.equal(ti.nRow, (catalog().prepare("SELECT COUNT(*) FROM rules_fts").pluck().get() as number));
  assert.equal(ti.rowid.length, ti.nRow);
});

test("Sigma process_creation rules: every search equals FTS5's, bm25 order included", { skip: !existsSync(SIGMA_SUBSET) && "shared corpora absent" }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "ruleatlas-search-"));
  try {
    const path = join(dir, "sigma.db");
    const w = openCatalog(path);
    await ingest(w, [{ dir: SIGMA_SUBSET, name: "sigma-process-creation", format: "sigma" }]);
    w.close();
    const sdb = openCatalog(path, { readonly: true });
    try {
      assert.ok(compareAll(sdb, 400) >= 400);
      // Broad words rank hundreds of rules: the whole order is FTS5's.
      for (const q of ["process", "cmd", "e", "windows exe"]) {
        const r = both(sdb, { q, limit: 200 });
        assert.deepEqual(r.memory, r.sql, q);
        assert.ok((r.memory as { total: number }).total > 50, q);
      }
    } finally {
      sdb.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
