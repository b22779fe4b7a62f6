import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, wherever the clone lives. */
export const REPO = fileURLToPath(new URL("../../", import.meta.url));
/** shared/ lies beside the repository (CI lays it there too). */
export const SHARED = join(REPO, "..", "shared");
export const CORPORA = join(SHARED, "corpora");

/** A skip reason when a corpus folder is absent, else false. */
export function needCorpus(name: string): string | false {
  return existsSync(join(CORPORA, name)) ? false : `../shared/corpora/${name} is absent: skipped`;
}

export function tempDir(prefix = "ruleatlas-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
