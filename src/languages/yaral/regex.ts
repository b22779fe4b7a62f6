// RE2 regexes that say no more than a literal test. YARA-L matches regexes
// partially (unanchored), so `foo` is "contains foo", `^foo$` is "equals foo",
// `^foo` "starts with", `foo$` "ends with". A top-level alternation or a group
// of literal alternatives expands into several values. Anything else stays a
// regex.

export type LiteralKind = "eq" | "contains" | "startswith" | "endswith";

export interface LiteralTest {
  kind: LiteralKind;
  values: string[];
}

export interface RegexReading {
  /** The pattern without a leading `(?i)`. */
  pattern: string;
  /** A leading `(?i)` made it case-insensitive. */
  caseInsensitive: boolean;
  /** Literal tests the regex is equivalent to (ORed), or null when it is a genuine regex. */
  literal: LiteralTest[] | null;
}

/** Expanding `(a|b)(c|d)…` stops beyond this many values. */
const MAX_VALUES = 64;
const META = new Set([".", "[", "]", "(", ")", "{", "}", "*", "+", "?", "|", "^", "$", "\\"]);
const ESCAPES: Record<string, string> = { t: "\t", n: "\n", r: "\r", f: "\f", v: "\v" };

export function readRegex(source: string): RegexReading {
  let pattern = source;
  let caseInsensitive = false;
  const inline = /^\(\?i\)/.exec(pattern);
  if (inline) {
    pattern = pattern.slice(inline[0].length);
    caseInsensitive = true;
  }
  return { pattern, caseInsensitive, literal: literalTests(pattern) };
}

function literalTests(pattern: string): LiteralTest[] | null {
  const branches = splitTopLevel(pattern);
  if (branches === null) return null;
  const out: LiteralTest[] = [];
  for (const b of branches) {
    const t = branchTest(b);
    if (t === null) return null;
    const same = out.find((o) => o.kind === t.kind);
    if (same) same.values.push(...t.values.filter((v) => !same.values.includes(v)));
    else out.push(t);
  }
  return out;
}

function branchTest(branch: string): LiteralTest | null {
  let body = branch;
  const start = body.startsWith("^");
  if (start) body = body.slice(1);
  const end = body.endsWith("$") && !isEscaped(body, body.length - 1);
  if (end) body = body.slice(0, -1);
  // Unanchored `.*` at either end adds nothing to a partial match.
  if (!start) body = body.replace(/^\.\*\??/, "");
  if (!end && /\.\*\??$/.test(body) && !isEscaped(body, body.search(/\.\*\??$/))) body = body.replace(/\.\*\??$/, "");
  const values = expand(body);
  if (values === null || values.length === 0) return null;
  const kind: LiteralKind = start && end ? "eq" : start ? "startswith" : end ? "endswith" : "contains";
  // An empty needle matches everything; leave such patterns as regexes.
  if (kind !== "eq" && values.some((v) => v === "")) return null;
  return { kind, values };
}

function isEscaped(s: string, i: number): boolean {
  let k = i - 1;
  let n = 0;
  while (k >= 0 && s[k] === "\\") {
    n++;
    k--;
  }
  return n % 2 === 1;
}

/** Splits on `|` outside groups and classes; null when brackets do not balance. */
function splitTopLevel(p: string): string[] | null {
  const out: string[] = [];
  let depth = 0;
  let inClass = false;
  let from = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      continue;
    }
    if (c === "[") inClass = true;
    else if (c === "(") depth++;
    else if (c === ")") {
      if (--depth < 0) return null;
    } else if (c === "|" && depth === 0) {
      out.push(p.slice(from, i));
      from = i + 1;
    }
  }
  if (depth !== 0 || inClass) return null;
  out.push(p.slice(from));
  return out;
}

/** The finite set of strings a regex of literals and literal groups matches exactly; null otherwise. */
function expand(p: string): string[] | null {
  const r = expandSeq(p, 0, 0);
  return r && r.next === p.length ? r.values : null;
}

function expandSeq(p: string, i: number, depth: number): { values: string[]; next: number } | null {
  if (depth > 8) return null;
  let values = [""];
  while (i < p.length && p[i] !== ")" && p[i] !== "|") {
    let piece: string[];
    const c = p[i];
    if (c === "\\") {
      const e = p[i + 1];
      if (e === undefined) return null;
      if (/[A-Za-z0-9]/.test(e)) {
        if (!(e in ESCAPES)) return null; // \d \w \b \x41 … are classes or assertions
        piece = [ESCAPES[e]];
      } else piece = [e];
      i += 2;
    } else if (c === "(") {
      let j = i + 1;
      if (p[j] === "?") {
        if (p[j + 1] !== ":") return null;
        j += 2;
      }
      const alts: string[] = [];
      for (;;) {
        const r = expandSeq(p, j, depth + 1);
        if (r === null) return null;
        alts.push(...r.values);
        j = r.next;
        if (p[j] === "|") {
          j++;
          continue;
        }
        if (p[j] !== ")") return null;
        j++;
        break;
      }
      piece = alts;
      i = j;
    } else if (META.has(c)) return null;
    else {
      piece = [c];
      i++;
    }
    // A quantifier after the piece makes it a genuine regex.
    if (i < p.length && "*+?{".includes(p[i])) return null;
    const nextValues: string[] = [];
    for (const v of values) for (const w of piece) nextValues.push(v + w);
    if (nextValues.length > MAX_VALUES) return null;
    values = nextValues;
  }
  return { values, next: i };
}
