import { RE2JS } from "re2js";

type Compiled = { test(s: string): boolean } | null;
const cache = new Map<string, Compiled>();

/** Inputs longer than this are not handed to a backtracking engine. */
const BACKTRACK_INPUT_LIMIT = 2_000;

/**
 * Bounded regex evaluation. RE2-compatible patterns run on re2js (linear
 * time). Patterns RE2 rejects (lookaround, backreferences) run on JS RegExp
 * only when they have no nested quantifier and the input is short; otherwise
 * the verdict is unknown. Returns null for unknown.
 */
export function regexTest(
  pattern: string,
  input: string,
  caseInsensitive: boolean,
  flags: string,
  _dialect: string,
): boolean | null {
  const key = `${caseInsensitive ? "i" : ""}${flags}/${pattern}`;
  let c = cache.get(key);
  if (c === undefined) {
    c = compile(pattern, caseInsensitive, flags);
    if (cache.size > 20_000) cache.clear();
    cache.set(key, c);
  }
  if (c === null) return null;
  if ("backtracking" in c && input.length > BACKTRACK_INPUT_LIMIT) return null;
  return c.test(input);
}

function compile(source: string, ci: boolean, flags: string): Compiled {
  let pattern = source;
  let insensitive = ci;
  // Inline (?i) at the start is common in PCRE/Python rules; JS rejects it.
  const inline = /^\(\?([imsx]+)\)/.exec(pattern);
  let extra = flags;
  if (inline) {
    pattern = pattern.slice(inline[0].length);
    if (inline[1].includes("i")) insensitive = true;
    extra += inline[1].replace("i", "");
  }
  try {
    let f = 0;
    if (insensitive) f |= RE2JS.CASE_INSENSITIVE;
    if (extra.includes("m")) f |= RE2JS.MULTILINE;
    if (extra.includes("s")) f |= RE2JS.DOTALL;
    const re = RE2JS.compile(pattern, f);
    return { test: (s: string) => re.matcher(s).find() };
  } catch {
    // fall through to a guarded backtracking engine
  }
  if (/[)*+}]\s*[*+{]|\)[*+]/.test(pattern) && /\([^)]*[*+][^)]*\)[*+{]/.test(pattern)) return null;
  try {
    const jsFlags = `${insensitive ? "i" : ""}${extra.includes("m") ? "m" : ""}${extra.includes("s") ? "s" : ""}u`;
    let re: RegExp;
    try {
      re = new RegExp(pattern, jsFlags);
    } catch {
      re = new RegExp(pattern, jsFlags.replace("u", ""));
    }
    return Object.assign({ test: (s: string) => re.test(s) }, { backtracking: true });
  } catch {
    return null;
  }
}
