import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const SRC = fileURLToPath(new URL("..", import.meta.url));
/** The code that decides what a unit compiles to. The website and CLI do not. */
const COMPILER_DIRS = ["model", "languages", "formats", "ingest", "catalog"];

let cached: string | undefined;

/**
 * A hash of the compiler's own source. It is part of every unit's content
 * hash, so a new version of ruleatlas recompiles what it would compile
 * differently instead of keeping stale logic.
 */
export function compilerFingerprint(): string {
  if (cached) return cached;
  const h = createHash("sha1");
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|json)$/.test(e.name)) h.update(p.slice(SRC.length)).update(readFileSync(p));
    }
  };
  for (const d of COMPILER_DIRS) walk(join(SRC, d));
  cached = h.digest("hex");
  return cached;
}
