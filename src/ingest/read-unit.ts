import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { LoadedUnit, RuleUnit, SourceRoot } from "../formats/adapter.js";
import type { Diagnostic } from "../model/rule.js";

/** Larger files are refused before they are read: no rule file is anywhere near this. */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;

const utf8 = new TextDecoder("utf-8", { fatal: true });

export type ReadResult = { ok: true; text: string } | { ok: false; diagnostic: Diagnostic };

/** Reads a rule file as text, turning every way it can be unusable into a diagnostic. */
export function readRuleFile(dir: string, path: string): ReadResult {
  const fail = (code: string, message: string): ReadResult => ({
    ok: false,
    diagnostic: { file: path, line: 1, level: "error", code, message },
  });
  let buf: Buffer;
  try {
    const size = statSync(join(dir, path)).size;
    if (size > MAX_FILE_BYTES) {
      return fail("file.too-large", `file is ${size} bytes; files over ${MAX_FILE_BYTES} bytes are not read`);
    }
    buf = readFileSync(join(dir, path));
  } catch (err) {
    return fail("file.unreadable", `cannot read file: ${(err as Error).message}`);
  }
  if (buf.subarray(0, 8192).includes(0)) return fail("file.binary", "file holds NUL bytes: not a text rule file");
  let text: string;
  try {
    text = utf8.decode(buf);
  } catch {
    return fail("file.encoding", "file is not valid UTF-8");
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === "") return fail("file.empty", "file is empty");
  return { ok: true, text };
}

export type LoadResult = { ok: true; unit: LoadedUnit; hash: string } | { ok: false; hash: string; diagnostic: Diagnostic };

/**
 * Loads a unit and hashes everything its rules depend on: the main file, its
 * dependencies and the repository-wide context.
 */
export function loadUnit(root: SourceRoot, unit: RuleUnit, contextHash: string): LoadResult {
  const h = createHash("sha1").update(contextHash).update("\0").update(unit.path).update("\0");
  const main = readRuleFile(root.dir, unit.path);
  if (!main.ok) {
    h.update(main.diagnostic.code);
    return { ok: false, hash: h.digest("hex"), diagnostic: main.diagnostic };
  }
  h.update(main.text);
  const deps: Record<string, string | undefined> = {};
  for (const dep of unit.deps ?? []) {
    const r = readRuleFile(root.dir, dep);
    // An empty dependency (an empty __init__.py) is still a dependency.
    deps[dep] = r.ok ? r.text : r.diagnostic.code === "file.empty" ? "" : undefined;
    h.update("\0").update(dep).update("\0").update(r.ok ? r.text : `<${r.diagnostic.code}>`);
  }
  return { ok: true, unit: { root, path: unit.path, text: main.text, deps }, hash: h.digest("hex") };
}
