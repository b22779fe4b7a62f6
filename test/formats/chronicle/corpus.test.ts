// Whole-corpus check on chronicle/detection-rules (../shared/corpora/chronicle):
// every file ingests, parse and fidelity rates by group, multi-event shape.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { chronicleAdapter } from "../../../src/formats/chronicle/adapter.js";
import type { RuleRecord } from "../../../src/model/rule.js";

const CORPUS = fileURLToPath(new URL("../../../../shared/corpora/chronicle", import.meta.url));
const absent = !existsSync(join(CORPUS, "rules")) && "shared corpora absent";

interface Group {
  files: number;
  clean: number;
  single: number;
  singleFull: number;
  multi: RuleRecord[];
}

test("chronicle corpus: all files ingest; parse and fidelity rates by group", { skip: absent, timeout: 60_000 }, async () => {
  assert.equal(await chronicleAdapter.detect(CORPUS), 1);
  const root = { name: "detection-rules", dir: CORPUS };
  const { ctx } = await chronicleAdapter.loadContext!(root);
  const units = await chronicleAdapter.listUnits(CORPUS);
  assert.equal(units.length, 886);
  const groups: Record<"community" | "deprecated", Group> = {
    community: { files: 0, clean: 0, single: 0, singleFull: 0, multi: [] },
    deprecated: { files: 0, clean: 0, single: 0, singleFull: 0, multi: [] },
  };
  const ids = new Set<string>();
  for (const u of units) {
    const g = groups[u.path.startsWith("rules/_deprecated/") ? "deprecated" : "community"];
    g.files++;
    const { rules, diagnostics } = chronicleAdapter.compile({ root, path: u.path, text: await readFile(join(CORPUS, u.path), "utf8"), deps: {} }, ctx);
    assert.deepEqual(diagnostics, [], u.path);
    assert.equal(rules.length, 1, u.path);
    const r = rules[0];
    assert.ok(!ids.has(r.id), `duplicate id ${r.id}`);
    ids.add(r.id);
    if (r.diagnostics.length === 0) g.clean++;
    if ((r.logic.aggregation?.events?.length ?? 0) > 1) g.multi.push(r);
    else {
      g.single++;
      if (r.logic.fidelity === "full") g.singleFull++;
    }
  }
  const { community, deprecated } = groups;
  assert.equal(community.files, 348);
  assert.equal(deprecated.files, 538);
  assert.ok(community.clean >= 0.95 * 348, `community parsed cleanly: ${community.clean}/348`);
  assert.equal(deprecated.clean, 538, "every deprecated rule parses");
  assert.ok(community.singleFull >= 0.9 * community.single, `community single-event full: ${community.singleFull}/${community.single}`);
  assert.ok(deprecated.singleFull >= 0.95 * deprecated.single, `deprecated single-event full: ${deprecated.singleFull}/${deprecated.single}`);
  // Multi-event rules carry one condition per event variable, join keys and a window.
  assert.ok(community.multi.length >= 60, `multi-event community rules: ${community.multi.length}`);
  for (const r of [...community.multi, ...deprecated.multi]) {
    const agg = r.logic.aggregation;
    assert.equal(agg?.kind, "join", r.id);
    assert.ok((agg?.by?.length ?? 0) > 0, `${r.id} has join keys`);
    assert.ok(agg?.window, `${r.id} has a window`);
    assert.match(agg?.note ?? "", /primary event \$/, r.id);
  }
});
