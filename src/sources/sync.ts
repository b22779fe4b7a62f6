import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** A public rule repository ruleatlas knows how to fetch (data/sources.json). */
export interface KnownSource {
  name: string;
  url: string;
  branch: string;
  format: string;
  /** Folder inside the repository to ingest, when not its root. */
  subdir?: string;
}

export const DEFAULT_SOURCES_FILE = fileURLToPath(new URL("../../data/sources.json", import.meta.url));

export function loadSources(file = DEFAULT_SOURCES_FILE): KnownSource[] {
  const list = JSON.parse(readFileSync(file, "utf8")) as KnownSource[];
  if (!Array.isArray(list)) throw new Error(`${file}: expected a JSON array of sources`);
  for (const s of list) {
    for (const k of ["name", "url", "branch", "format"] as const) {
      if (typeof s[k] !== "string" || s[k] === "") throw new Error(`${file}: a source lacks '${k}'`);
    }
    if (!/^[\w.-]+$/.test(s.name)) throw new Error(`${file}: source name '${s.name}' must be a plain folder name`);
  }
  return list;
}

function git(args: string[], cwd?: string): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/**
 * Clones a source into the cache, or brings an existing clone to the tip of
 * its branch. Returns the checkout folder and its commit.
 */
export function fetchSource(src: KnownSource, cacheDir: string): { dir: string; commit: string } {
  mkdirSync(cacheDir, { recursive: true });
  const dir = resolve(join(cacheDir, src.name));
  if (existsSync(join(dir, ".git"))) {
    git(["fetch", "--depth", "1", "origin", src.branch], dir);
    git(["checkout", "--force", "--detach", "FETCH_HEAD"], dir);
  } else {
    git(["clone", "--depth", "1", "--branch", src.branch, "--", src.url, dir]);
  }
  return { dir: src.subdir ? join(dir, src.subdir) : dir, commit: git(["rev-parse", "HEAD"], dir) };
}
