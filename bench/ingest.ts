// Ingest benchmark: for each corpus, in one run, times
//   (a) baseline: reading + parsing the same files (YAML with the `yaml` package, Python with tree-sitter),
//   (b) a full ingest into a fresh catalog (compile + write + analytics),
//   (c) a no-change re-ingest,
// and prints (b)/(a) and (c)/(b). Usage:
//   node --import tsx bench/ingest.ts [sigma|chronicle|panther=<dir>|<format>=<dir> ...]
import { readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { openCatalog } from "../src/catalog/open.js";
import { adapterFor } from "../src/formats/registry.js";
import { ingest } from "../src/ingest/pipeline.js";
import { CORPORA, tempDir } from "../test/helpers/paths.js";

async function pythonParser(): Promise<(src: string) => void> {
  const { Parser, Language } = await import("web-tree-sitter");
  await Parser.init();
  const wasm = createRequire(import.meta.url).resolve("tree-sitter-python/tree-sitter-python.wasm");
  const parser = new Parser();
  parser.setLanguage(await Language.load(wasm));
  return (src) => {
    parser.parse(src)?.delete();
  };
}

async function baseline(format: string, dir: string): Promise<{ ms: number; files: number; parsed: number }> {
  const adapter = adapterFor(format);
  if (!adapter) throw new Error(`unknown format ${format}`);
  const units = await adapter.listUnits(dir);
  const py = units.some((u) => (u.deps ?? []).some((d) => d.endsWith(".py"))) ? await pythonParser() : null;
  const t0 = performance.now();
  let files = 0;
  let parsed = 0;
  for (const u of units) {
    for (const p of [u.path, ...(u.deps ?? [])]) {
      let text: string;
      try {
        text = readFileSync(join(dir, p), "utf8");
      } catch {
        continue;
      }
      files++;
      if (/\.ya?ml$/.test(p)) {
        parseDocument(text);
        parsed++;
      } else if (p.endsWith(".py") && py) {
        py(text);
        parsed++;
      }
      else if (p.endsWith(".json")) {
        try {
          JSON.parse(text);
        } catch {
          // concatenated JSON documents: the parse attempt is the cost
        }
      }
    }
  }
  return { ms: performance.now() - t0, files, parsed };
}

async function timeIngest(format: string, dir: string, dbPath: string) {
  const db = openCatalog(dbPath);
  const t0 = performance.now();
  const s = await ingest(db, [{ dir, format }]);
  const ms = performance.now() - t0;
  db.close();
  return { ms, rules: s.sources[0].rules, compiled: s.sources[0].compiled, phases: s.phases };
}

const targets = (process.argv.slice(2).length ? process.argv.slice(2) : ["sigma", "chronicle"]).map((a) => {
  const [format, dir] = a.includes("=") ? a.split("=") : [a, join(CORPORA, a)];
  return { format, dir };
});

for (const { format, dir } of targets) {
  const tmp = tempDir("ruleatlas-bench-");
  const dbPath = join(tmp, "bench.db");
  // Warm the file cache and the JIT of both sides once (the baseline, and a full ingest
  // into a scratch catalog) so the timings compare like with like.
  await baseline(format, dir);
  await timeIngest(format, dir, join(tmp, "warmup.db"));
  const base = await baseline(format, dir);
  const full = await timeIngest(format, dir, dbPath);
  const again = await timeIngest(format, dir, dbPath);
  rmSync(tmp, { recursive: true, force: true });
  console.log(
    `${format}: ${base.files} files, ${full.rules} rules\n` +
      `  (a) read+parse baseline  ${base.ms.toFixed(0)} ms${base.parsed === 0 ? "  (no YAML or Python here: a read-only baseline, so the ratio overstates the cost)" : ""}\n` +
      `  (b) full ingest          ${full.ms.toFixed(0)} ms   = ${(full.ms / base.ms).toFixed(2)}x baseline (goal <= 3x)\n` +
      `      phases: ${Object.entries(full.phases).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(", ")} ms\n` +
      `  (c) no-change re-ingest  ${again.ms.toFixed(0)} ms   = ${((100 * again.ms) / full.ms).toFixed(1)}% of full (goal <= 5%), ${again.compiled} recompiled`,
  );
}
