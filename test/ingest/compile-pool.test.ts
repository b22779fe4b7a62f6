import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { openCatalog } from "../../src/catalog/open.js";
import type { FormatAdapter } from "../../src/formats/adapter.js";
import type { PreparedUnit } from "../../src/ingest/compile-unit.js";
import { adapterFor } from "../../src/formats/registry.js";
import { CompilePool, compileInOrder, POOL_MIN_UNITS } from "../../src/ingest/compile-pool.js";
import { ingest } from "../../src/ingest/pipeline.js";
import { loadUnit } from "../../src/ingest/read-unit.js";
import { tempDir } from "../helpers/paths.js";

const IMAGES = ["\\rundll32.exe", "\\regsvr32.exe", "\\mshta.exe", "\\certutil.exe", "\\wmic.exe"];

/** More rules than the pool threshold, with unreadable and invalid files among them. */
function corpus(): string {
  const dir = tempDir();
  mkdirSync(join(dir, "rules"), { recursive: true });
  for (let i = 0; i < POOL_MIN_UNITS + 40; i++) {
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
    const name = join(dir, "rules", `r${String(i).padStart(4, "0")}.yml`);
    if (i % 37 === 5) writeFileSync(name, Buffer.from([0x74, 0x00, 0x01]));
    else if (i % 41 === 7) writeFileSync(name, "title: broken\ndetection: [unclosed\n");
    else {
      writeFileSync(
        name,
        `title: Rule ${i}\nid: ${id}\nstatus: test\nlogsource:\n  category: process_creation\n  product: windows\n` +
          `detection:\n  selection:\n    Image|endswith: '${IMAGES[i % IMAGES.length]}'\n    CommandLine|contains: 'arg${i % 13}'\n` +
          `  filter:\n    User: 'SYSTEM'\n  condition: selection and not filter\nlevel: medium\ntags:\n  - attack.t1218\n`,
      );
    }
  }
  return dir;
}

const TABLES = {
  rules: "SELECT rowid, id, logic_hash, logic_json, record_json FROM rules ORDER BY rowid",
  indicators: "SELECT rowid, * FROM indicators ORDER BY rowid",
  diagnostics: "SELECT rowid, * FROM diagnostics ORDER BY rowid",
  units: "SELECT rowid, source, path, hash, rules FROM units ORDER BY rowid",
  related: "SELECT * FROM related_rules ORDER BY rule_id",
};

test("a worker-assisted ingest writes exactly the catalog a single-threaded one writes, row ids included", async () => {
  const dir = corpus();
  const dumps = [];
  for (const workers of [0, 1]) {
    const db = openCatalog(join(tempDir(), "c.db"));
    const s = await ingest(db, [{ dir, name: "synthetic" }], { workers });
    assert.equal(s.sources[0].compiled, POOL_MIN_UNITS + 40);
    dumps.push(Object.fromEntries(Object.entries(TABLES).map(([t, sql]) => [t, db.prepare(sql).all()])));
    db.close();
  }
  assert.ok((dumps[0].rules as unknown[]).length > POOL_MIN_UNITS);
  assert.ok((dumps[0].diagnostics as unknown[]).length >= 10, "unreadable and invalid files are diagnosed");
  assert.deepEqual(dumps[1], dumps[0]);
});

async function loadedUnits(dir: string) {
  const sigma = adapterFor("sigma") as FormatAdapter;
  const root = { name: "synthetic", dir };
  const units = (await sigma.listUnits(dir)).flatMap((u) => {
    const l = loadUnit(root, u, "");
    return l.ok ? [l.unit] : [];
  });
  return { sigma, root, units };
}

async function compileWith(adapter: FormatAdapter, pool: CompilePool, units: Awaited<ReturnType<typeof loadedUnits>>["units"]) {
  const order: number[] = [];
  const results: PreparedUnit[] = [];
  try {
    await pool.ready();
    const { byWorkers } = await compileInOrder(adapter, pool, units, undefined, (i, r) => {
      order.push(i);
      results.push(r);
    });
    return { order, results, byWorkers };
  } finally {
    await pool.close();
  }
}

test("ready workers take a share of the units; results come back in unit order, as one thread compiles them", async () => {
  const { sigma, root, units } = await loadedUnits(corpus());
  // The main thread's copy of the adapter is slowed down, so the workers surely get a share even on a busy machine.
  const slow: FormatAdapter = {
    ...sigma,
    compile: (u, ctx) => {
      for (const end = performance.now() + 2; performance.now() < end; );
      return sigma.compile(u, ctx);
    },
  };
  const { order, results, byWorkers } = await compileWith(slow, new CompilePool(sigma, root, 2), units);
  assert.ok(byWorkers > 0, "the workers compiled some units");
  assert.deepEqual(order, units.map((_, i) => i));
  const single: PreparedUnit[] = [];
  await compileInOrder(sigma, undefined, units, undefined, (_, r) => single.push(r));
  assert.deepEqual(results, single);
});

test("workers that cannot load the format leave every unit to the main thread: nothing is lost", async () => {
  const { sigma, root, units } = await loadedUnits(corpus());
  // The workers look the format up by name, find nothing and claim no unit.
  const orphan: FormatAdapter = { ...sigma, format: "no-such-format" };
  const { order, results, byWorkers } = await compileWith(orphan, new CompilePool(orphan, root, 2), units);
  assert.equal(byWorkers, 0);
  assert.deepEqual(order, units.map((_, i) => i));
  assert.equal(results.reduce((n, r) => n + r.rules.length, 0), units.filter((u) => !u.text.includes("broken")).length);
});
