// SigmaHQ regression data: regression_data/**/info.yml names the rule(s) a
// test folder belongs to; `<rule-id>.json` beside it holds the evtx_dump
// records of the test (positive tests only: the rule must fire).
import { parse } from "yaml";
import type { RuleTest } from "../../model/rule.js";

export interface RegressionInfo {
  ruleIds: string[];
  tests: { name: string; path?: string; matchCount?: number }[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** Reads an info.yml; null when it is not one. */
export function readInfo(text: string): RegressionInfo | null {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch {
    return null;
  }
  if (!isObj(doc)) return null;
  const meta = Array.isArray(doc.rule_metadata) ? doc.rule_metadata : [];
  const ruleIds = meta.filter(isObj).map((m) => String(m.id ?? "")).filter((s) => s !== "");
  const info = Array.isArray(doc.regression_tests_info) ? doc.regression_tests_info : [];
  const tests = info.filter(isObj).map((t) => ({
    name: String(t.name ?? "regression test"),
    path: typeof t.path === "string" ? t.path : undefined,
    matchCount: typeof t.match_count === "number" ? t.match_count : undefined,
  }));
  return { ruleIds, tests };
}

const MAX_EVENTS = 10_000;

/**
 * Every JSON value in a file: the files hold one or several concatenated
 * pretty-printed objects (not an array) and may start with a BOM.
 */
export function decodeConcatenatedJson(text: string): { values: unknown[]; error?: string } {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const values: unknown[] = [];
  let i = 0;
  while (i < src.length && values.length < MAX_EVENTS) {
    while (i < src.length && /\s/.test(src[i])) i++;
    if (i >= src.length) break;
    const end = endOfValue(src, i);
    if (end === -1) return { values, error: `unterminated JSON value at offset ${i}` };
    try {
      values.push(JSON.parse(src.slice(i, end)));
    } catch (e) {
      return { values, error: `${(e as Error).message} at offset ${i}` };
    }
    i = end;
  }
  return { values };
}

/** End offset of the object/array starting at `start`, by bracket depth outside strings. */
function endOfValue(s: string, start: number): number {
  const open = s[start];
  if (open !== "{" && open !== "[") {
    // A scalar runs to the next whitespace.
    let j = start;
    while (j < s.length && !/\s/.test(s[j])) j++;
    return j;
  }
  let depth = 0;
  let inStr = false;
  for (let j = start; j < s.length; j++) {
    const c = s[j];
    if (inStr) {
      if (c === "\\") j++;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  return -1;
}

/** Folder of a relative path, with a trailing slash ("" at the root). */
export function folderOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i === -1 ? "" : path.slice(0, i + 1);
}

/**
 * The tests of one rule from its unit's dependency texts: each info.yml that
 * names the rule, and the `<rule-id>.json` events beside it.
 */
export function testsFor(
  ruleId: string,
  deps: Record<string, string | undefined>,
  problem: (file: string, message: string) => void,
): RuleTest[] {
  const tests: RuleTest[] = [];
  for (const [path, text] of Object.entries(deps)) {
    if (!path.endsWith("info.yml") || text === undefined) continue;
    const info = readInfo(text);
    if (!info || !info.ruleIds.includes(ruleId)) continue;
    const dir = folderOf(path);
    for (const t of info.tests) {
      const jsonPath = t.path ? `${dir}${t.path.slice(t.path.lastIndexOf("/") + 1).replace(/\.evtx$/, "")}.json` : `${dir}${ruleId}.json`;
      const json = deps[jsonPath] ?? deps[`${dir}${ruleId}.json`];
      if (json === undefined) {
        problem(path, `test '${t.name}': events file ${jsonPath} is missing`);
        continue;
      }
      const { values, error } = decodeConcatenatedJson(json);
      if (error) problem(jsonPath, `test '${t.name}': ${error}`);
      if (values.length <= 1 || t.matchCount === values.length) {
        // Every record of the test must fire: one test per record.
        values.forEach((event, k) => {
          tests.push({ name: values.length > 1 ? `${t.name} #${k + 1}` : t.name, expected: true, event });
        });
      } else {
        // Only `match_count` (or an unstated number, read as one) of the records fire and the
        // data does not say which: one test over all records, each evaluated on its own.
        tests.push({
          name: `${t.name} (${t.matchCount ?? "some"} of ${values.length} records fire)`,
          expected: true,
          event: null,
          events: values,
          minMatches: t.matchCount ?? 1,
        });
      }
    }
  }
  return tests;
}
