// Ingest benchmark: for each corpus, in one run, times
//   (a) baseline: reading + parsing the same files (YAML with the `yaml` package, Python with tree-sitter),
//   (b) a full ingest into a fresh catalog (compile + write + analytics), with worker threads
//       (the default) and on the main thread only,
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

async function timeIngest(format: string, dir: string, dbPath: string, workers?: number) {
  const db = openCatalog(dbPath);
  const t0 = performance.now();
  const s = await ingest(db, [{ dir, format }], { workers });
  const ms = performance.now() - t0;
  db.close();
  return { ms, rules: s.sources[0].rules, compiled: s.sources[0].compiled, byWorkers: s.sources[0].compiledByWorkers, phases: s.phases };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const REPS = Number(process.env.BENCH_REPS ?? 3);

const targets = (process.argv.slice(2).length ? process.argv.slice(2) : ["sigma", "chronicle"]).map((a) => {
  const [format, dir] = a.includes("=") ? a.split("=") : [a, join(CORPORA, a)];
  return { format, dir };
});

for (const { format, dir } of targets) {
  const tmp = tempDir("ruleatlas-bench-");
  // Warm the file cache and the JIT of both sides once (the baseline, and a full ingest
  // into a scratch catalog) so the timings compare like with like.
  await baseline(format, dir);
  await timeIngest(format, dir, join(tmp, "warmup.db"));
  // Each repetition measures the baseline next to both kinds of full ingest, so that
  // load from other processes hits all of them alike; medians are reported.
  const runs: { base: number; full: number; single: number; again: number }[] = [];
  let last: Awaited<ReturnType<typeof timeIngest>> | undefined;
  let base: Awaited<ReturnType<typeof baseline>> | undefined;
  for (let r = 0; r < REPS; r++) {
    base = await baseline(format, dir);
    const full = await timeIngest(format, dir, join(tmp, `full-${r}.db`));
    const again = await timeIngest(format, dir, join(tmp, `full-${r}.db`));
    const single = await timeIngest(format, dir, join(tmp, `single-${r}.db`), 0);
    runs.push({ base: base.ms, full: full.ms, single: single.ms, again: again.ms });
    last = full;
  }
  rmSync(tmp, { recursive: true, force: true });
  if (!last || !base) continue;
  const m = { base: median(runs.map((r) => r.base)), full: median(runs.map((r) => r.full)), single: median(runs.map((r) => r.single)) };
  const ratios = (k: "full" | "single") => runs.map((r) => (r[k] / r.base).toFixed(2)).join(", ");
  const againPct = median(runs.map((r) => (100 * r.again) / r.full));
  console.log(
    `${format}: ${base.files} files, ${last.rules} rules; ${REPS} repetitions, medians (BENCH_REPS to change)\n` +
      `  (a) read+parse baseline  ${m.base.toFixed(0)} ms (one thread)${base.parsed === 0 ? "  (no YAML or Python here: a read-only baseline, so the ratio overstates the cost)" : ""}\n` +
      `  (b) full ingest          ${m.full.toFixed(0)} ms   = ${(m.full / m.base).toFixed(2)}x baseline (goal <= 3x); per run ${ratios("full")}\n` +
      `      ${last.byWorkers} of ${last.compiled} units compiled by worker threads; phases of the last run: ` +
      `${Object.entries(last.phases).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(", ")} ms\n` +
      `      on the main thread only: ${m.single.toFixed(0)} ms = ${(m.single / m.base).toFixed(2)}x baseline; per run ${ratios("single")}\n` +
      `  (c) no-change re-ingest  ${againPct.toFixed(1)}% of full (goal <= 5%)`,
  );
}
