import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { LoadedUnit, SourceRoot } from "../../../src/formats/adapter.js";
import { pantherAdapter } from "../../../src/formats/panther/adapter.js";
import type { RuleRecord } from "../../../src/model/rule.js";

export const FIXTURES = fileURLToPath(new URL("../../fixtures/panther/", import.meta.url));

/** Reads a unit the way the ingest pipeline does: main text plus its deps (undefined when missing). */
export function loadUnit(root: SourceRoot, path: string, deps: string[] = []): LoadedUnit {
  const d: Record<string, string | undefined> = {};
  for (const p of deps) {
    try {
      d[p] = readFileSync(join(root.dir, p), "utf8");
    } catch {
      d[p] = undefined;
    }
  }
  return { root, path, text: readFileSync(join(root.dir, path), "utf8"), deps: d };
}

/** Ingests every unit of a folder with the adapter. */
export async function ingestDir(dir: string, withDeps = true): Promise<{ rules: RuleRecord[]; ms: number }> {
  const root: SourceRoot = { name: "fixture", dir };
  const ctx = await pantherAdapter.loadContext!(root);
  const units = await pantherAdapter.listUnits(dir);
  const start = performance.now();
  const rules: RuleRecord[] = [];
  for (const u of units) rules.push(...pantherAdapter.compile(loadUnit(root, u.path, withDeps ? u.deps : []), ctx.ctx).rules);
  return { rules, ms: performance.now() - start };
}
