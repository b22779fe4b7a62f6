import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO } from "./paths.js";

/** Runs the real CLI as a user would, returning its exit code and output. */
export function cli(args: string[], opts: { cwd?: string } = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(REPO, "bin/ruleatlas.js"), ...args], {
    cwd: opts.cwd ?? REPO,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
