// Whole-corpus check on SigmaHQ/sigma (../shared/corpora/sigma): every active
// rule compiles without errors, and every regression test replays as positive.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import type { LoadedUnit } from "../../../src/formats/adapter.js";
import { replayTest } from "../../../src/verify/replay.js";
import { sigmaAdapter } from "../../../src/formats/sigma/adapter.js";

const CORPUS = fileURLToPath(new URL("../../../../shared/corpora/sigma", import.meta.url));
const absent = !existsSync(join(CORPUS, "rules")) && "shared corpora absent";

test("SigmaHQ corpus: every active rule compiles, every regression test fires", { skip: absent, timeout: 60_000 }, async () => {
  assert.equal(await sigmaAdapter.detect(CORPUS), 1);
  const root = { name: "sigma", dir: CORPUS };
  const ctx = (await sigmaAdapter.loadContext!(root)).ctx;
  const units = await sigmaAdapter.listUnits(CORPUS);
  let active = 0;
  let full = 0;
  let deprecated = 0;
  let regressionFiles = 0;
  const errors: string[] = [];
  const failures: string[] = [];
  let replayed = 0;
  for (const u of units) {
    const deps: Record<string, string | undefined> = {};
    for (const d of u.deps ?? []) deps[d] = await readFile(join(CORPUS, d), "utf8");
    regressionFiles += (u.deps ?? []).filter((d) => d.endsWith(".json")).length;
    const loaded: LoadedUnit = { root, path: u.path, text: await readFile(join(CORPUS, u.path), "utf8"), deps };
    const { rules, diagnostics } = sigmaAdapter.compile(loaded, ctx);
    const isActive = u.path.startsWith("rules");
    for (const d of diagnostics) if (d.level === "error") errors.push(`${d.file}:${d.line} ${d.message}`);
    for (const r of rules) {
      if (u.path.startsWith("deprecated/")) deprecated++;
      if (!isActive) continue;
      active++;
      if (r.logic.fidelity === "full") full++;
      for (const d of r.diagnostics) if (d.level === "error") errors.push(`${d.file}:${d.line} ${d.message}`);
      for (const t of r.tests) {
        replayed++;
        const v = replayTest(r.language, r.logic, t);
        if (v.verdict !== "agree") failures.push(`${u.path} ${t.name}: ${v.got}`);
      }
    }
  }
  assert.deepEqual(errors, []);
  assert.equal(active, 3780);
  assert.ok(full / active >= 0.995, `full ${full}/${active}`);
  assert.equal(deprecated, 172);
  assert.ok(regressionFiles >= 202, `regression event files ${regressionFiles}`);
  assert.ok(replayed >= 202, `replayed ${replayed}`);
  assert.deepEqual(failures, []);
});
