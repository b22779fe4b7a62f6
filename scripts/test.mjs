// Node 20's test runner does not expand globs: list test files here.
// `npm test -- <substring>` runs only the files whose path contains it.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}
const filter = process.argv.slice(2);
if (filter.length === 0) {
  // The whole suite starts with the type check: a type error is a failed build.
  const tsc = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "--noEmit"], { stdio: "inherit" });
  if (tsc.status !== 0) {
    console.error("typecheck failed");
    process.exit(tsc.status ?? 1);
  }
}
const files = walk("test").filter((f) => filter.length === 0 || filter.some((s) => f.includes(s)));
const r = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=2", ...files],
  { stdio: "inherit" },
);
process.exit(r.status ?? 1);
