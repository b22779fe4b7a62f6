import { readdirSync } from "node:fs";
import { join } from "node:path";

export interface WalkOptions {
  /** Folders never entered. */
  skip?: ReadonlySet<string>;
  /** Walking stops below this depth (symlink loops, hostile trees). */
  maxDepth?: number;
  /** Walking stops after this many files. */
  maxFiles?: number;
}

const DEFAULT_SKIP: ReadonlySet<string> = new Set([".git", "node_modules", ".github"]);

/**
 * Files under `root/rel` whose name passes `keep`, as paths relative to
 * `root` with forward slashes, in sorted order. Synchronous on purpose:
 * thousands of small directory reads cost several times more through the
 * promise API, and listing is on the no-change ingest path. An unreadable
 * folder is skipped, never fatal.
 */
export function listFiles(root: string, rel: string, keep: (name: string) => boolean, opts: WalkOptions = {}): string[] {
  const skip = opts.skip ?? DEFAULT_SKIP;
  const maxDepth = opts.maxDepth ?? 40;
  const maxFiles = opts.maxFiles ?? 200_000;
  const out: string[] = [];
  const visit = (dir: string, depth: number): void => {
    if (depth > maxDepth || out.length >= maxFiles) return;
    let entries;
    try {
      entries = readdirSync(join(root, dir), { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (out.length >= maxFiles) return;
      const p = dir ? `${dir}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!skip.has(e.name)) visit(p, depth + 1);
      } else if (e.isFile() && keep(e.name)) {
        out.push(p);
      }
    }
  };
  visit(rel, 0);
  return out;
}
