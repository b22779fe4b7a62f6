// Sigma condition expressions: tokenizer and recursive-descent parser.
// Precedence, loosest first: or < and < not < `x of` < parentheses.
// A legacy aggregation after a top-level `|` is split off, not parsed here.

export type CondNode =
  | { t: "id"; name: string; pos: number }
  | { t: "of"; quant: "any" | "all" | number; pattern: string; pos: number } // pattern "them" = every identifier
  | { t: "and" | "or"; args: CondNode[] }
  | { t: "not"; arg: CondNode };

export class ConditionError extends Error {
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(message);
  }
}

type Tok = { k: "lp"; pos: number } | { k: "rp"; pos: number } | { k: "word"; v: string; pos: number };

const MAX_TOKENS = 10_000;
const MAX_DEPTH = 200;

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
    } else if (c === "(" || c === ")") {
      out.push(c === "(" ? { k: "lp", pos: i } : { k: "rp", pos: i });
      i++;
    } else {
      const start = i;
      while (i < src.length && !" \t\n\r()".includes(src[i])) i++;
      out.push({ k: "word", v: src.slice(start, i), pos: start });
    }
    if (out.length > MAX_TOKENS) throw new ConditionError("condition too long", i);
  }
  return out;
}

const KEYWORDS = new Set(["and", "or", "not", "of", "them", "all"]);

/** Splits `sel | count() by x > 5` into the search part and the aggregation text (or null). */
export function splitAggregation(src: string): { search: string; aggregation: string | null } {
  const bar = src.indexOf("|");
  if (bar === -1) return { search: src, aggregation: null };
  return { search: src.slice(0, bar), aggregation: src.slice(bar + 1).trim() };
}

/** Parses a condition (without aggregation). Throws ConditionError with the offending position. */
export function parseCondition(src: string): CondNode {
  const toks = tokenize(src);
  let i = 0;
  let depth = 0;
  const peekWord = (): string | null => {
    const t = toks[i];
    return t && t.k === "word" ? t.v.toLowerCase() : null;
  };
  const here = (): number => toks[i]?.pos ?? src.length;

  const parseOr = (): CondNode => {
    const args = [parseAnd()];
    while (peekWord() === "or") {
      i++;
      args.push(parseAnd());
    }
    return args.length === 1 ? args[0] : { t: "or", args };
  };
  const parseAnd = (): CondNode => {
    const args = [parseNot()];
    while (peekWord() === "and") {
      i++;
      args.push(parseNot());
    }
    return args.length === 1 ? args[0] : { t: "and", args };
  };
  const parseNot = (): CondNode => {
    if (peekWord() === "not") {
      i++;
      if (++depth > MAX_DEPTH) throw new ConditionError("condition nested too deeply", here());
      const arg = parseNot();
      depth--;
      return { t: "not", arg };
    }
    return parsePrimary();
  };
  const parsePrimary = (): CondNode => {
    const t = toks[i];
    if (!t) throw new ConditionError("condition ends where a search identifier was expected", src.length);
    if (t.k === "lp") {
      i++;
      if (++depth > MAX_DEPTH) throw new ConditionError("condition nested too deeply", t.pos);
      const inner = parseOr();
      depth--;
      if (toks[i]?.k !== "rp") throw new ConditionError("missing ')'", here());
      i++;
      return inner;
    }
    if (t.k === "rp") throw new ConditionError("unexpected ')'", t.pos);
    const w = t.v.toLowerCase();
    const next = toks[i + 1];
    if (next && next.k === "word" && next.v.toLowerCase() === "of") {
      const quant = w === "all" ? "all" : /^\d+$/.test(w) ? (Number(w) === 1 ? "any" : Number(w)) : null;
      if (quant === null) throw new ConditionError(`'${t.v} of' needs '1' or 'all'`, t.pos);
      const target = toks[i + 2];
      if (!target || target.k !== "word") throw new ConditionError(`'${t.v} of' needs an identifier pattern or 'them'`, next.pos);
      i += 3;
      const pattern = target.v.toLowerCase() === "them" ? "them" : target.v;
      return { t: "of", quant, pattern, pos: t.pos };
    }
    if (KEYWORDS.has(w)) throw new ConditionError(`unexpected '${t.v}'`, t.pos);
    i++;
    return { t: "id", name: t.v, pos: t.pos };
  };

  const tree = parseOr();
  if (i < toks.length) {
    const t = toks[i];
    throw new ConditionError(`unexpected '${t.k === "word" ? t.v : t.k === "lp" ? "(" : ")"}'`, t.pos);
  }
  return tree;
}

/** Identifier names an `x of` pattern selects; `them` skips names starting with `_`. */
export function expandPattern(pattern: string, names: string[]): string[] {
  if (pattern === "them") return names.filter((n) => !n.startsWith("_"));
  if (!pattern.includes("*")) return names.filter((n) => n === pattern);
  const pieces = pattern.split("*");
  return names.filter((n) => globNames(pieces, n));
}

/** `*` in identifier patterns matches any run; no other wildcard. */
function globNames(pieces: string[], name: string): boolean {
  if (!name.startsWith(pieces[0])) return false;
  let at = pieces[0].length;
  for (let k = 1; k < pieces.length - 1; k++) {
    const found = name.indexOf(pieces[k], at);
    if (found === -1) return false;
    at = found + pieces[k].length;
  }
  const last = pieces[pieces.length - 1];
  return name.length - at >= last.length && name.endsWith(last);
}
