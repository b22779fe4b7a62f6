// Hand-written YARA-L 2.0 tokenizer. Linear in the input; comments are
// trivia; `/` is a regex literal only where an operand is expected.

export type TokenType =
  | "ident"
  | "variable" // $name
  | "count" // #name
  | "list" // %name or %name.column
  | "string" // "…" with escapes resolved
  | "raw" // `…` as written
  | "regex" // /…/ with `\/` unescaped
  | "number"
  | "duration" // 5m, 1h, 30s, 1d
  | "punct"
  | "eof";

export interface Token {
  type: TokenType;
  /** Decoded value (string contents, regex pattern, name without sigil, punctuation). */
  value: string;
  start: number;
  end: number;
  line: number;
}

export interface LexError {
  line: number;
  code: string;
  message: string;
}

const PUNCT2 = ["!=", "<=", ">="];
const PUNCT1 = "{}()[],:.=<>+-*/!";
const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;

/** Tokens after which `/` opens a regex literal (an operand is expected). */
function regexAllowedAfter(prev: Token | undefined): boolean {
  if (!prev) return true;
  if (prev.type === "punct") return ["=", "!=", "(", ",", "{", ":", "!"].includes(prev.value);
  if (prev.type === "ident") return ["in", "and", "or", "not"].includes(prev.value.toLowerCase());
  return false;
}

export function tokenize(text: string): { tokens: Token[]; errors: LexError[] } {
  const tokens: Token[] = [];
  const errors: LexError[] = [];
  let i = 0;
  let line = 1;
  const n = text.length;
  const push = (type: TokenType, value: string, start: number, startLine: number) =>
    tokens.push({ type, value, start, end: i, line: startLine });

  while (i < n) {
    const c = text[i];
    if (c === "\n") {
      line++;
      i++;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r" || c === "\f" || c === "\v" || c === "\uFEFF") {
      i++;
      continue;
    }
    const start = i;
    const startLine = line;
    if (c === "/" && text[i + 1] === "/") {
      while (i < n && text[i] !== "\n") i++;
      continue;
    }
    if (c === "/" && text[i + 1] === "*") {
      const close = text.indexOf("*/", i + 2);
      const stop = close === -1 ? n : close + 2;
      for (let k = i; k < stop; k++) if (text[k] === "\n") line++;
      if (close === -1) errors.push({ line: startLine, code: "yaral.unterminated-comment", message: "unterminated /* comment" });
      i = stop;
      continue;
    }
    if (c === '"') {
      let value = "";
      i++;
      let closed = false;
      // A raw newline inside "…" is accepted (deprecated rules carry some).
      while (i < n) {
        const d = text[i];
        if (d === "\n") line++;
        if (d === "\\" && i + 1 < n) {
          const e = text[i + 1];
          if (e === "\n") line++;
          // Unknown escapes keep their backslash, so a regex written in "…" keeps its meaning.
          value += e === "n" ? "\n" : e === "t" ? "\t" : e === "r" ? "\r" : e === "\\" || e === '"' || e === "'" ? e : `\\${e}`;
          i += 2;
          continue;
        }
        i++;
        if (d === '"') {
          closed = true;
          break;
        }
        value += d;
      }
      if (!closed) errors.push({ line: startLine, code: "yaral.unterminated-string", message: "unterminated string literal" });
      push("string", value, start, startLine);
      continue;
    }
    if (c === "`") {
      const close = text.indexOf("`", i + 1);
      const stop = close === -1 ? n : close;
      const value = text.slice(i + 1, stop);
      for (const ch of value) if (ch === "\n") line++;
      if (close === -1) errors.push({ line: startLine, code: "yaral.unterminated-string", message: "unterminated `raw` string" });
      i = close === -1 ? n : close + 1;
      push("raw", value, start, startLine);
      continue;
    }
    if (c === "/" && regexAllowedAfter(tokens[tokens.length - 1])) {
      let value = "";
      i++;
      let closed = false;
      while (i < n && text[i] !== "\n") {
        const d = text[i];
        if (d === "\\" && i + 1 < n && text[i + 1] !== "\n") {
          // `\/` is the delimiter escaped; every other escape belongs to the regex.
          value += text[i + 1] === "/" ? "/" : d + text[i + 1];
          i += 2;
          continue;
        }
        i++;
        if (d === "/") {
          closed = true;
          break;
        }
        value += d;
      }
      if (!closed) errors.push({ line: startLine, code: "yaral.unterminated-regex", message: "unterminated /regex/ literal" });
      push("regex", value, start, startLine);
      continue;
    }
    if (c === "$" || c === "#" || c === "%") {
      i++;
      while (i < n && IDENT_PART.test(text[i])) i++;
      if (c === "%") {
        // `%list.column`
        while (i + 1 < n && text[i] === "." && IDENT_START.test(text[i + 1])) {
          i++;
          while (i < n && IDENT_PART.test(text[i])) i++;
        }
      }
      const name = text.slice(start + 1, i);
      if (name === "") {
        errors.push({ line, code: "yaral.bad-token", message: `'${c}' not followed by a name` });
        continue;
      }
      push(c === "$" ? "variable" : c === "#" ? "count" : "list", name, start, startLine);
      continue;
    }
    if (/[0-9]/.test(c)) {
      while (i < n && /[0-9]/.test(text[i])) i++;
      if (text[i] === "." && /[0-9]/.test(text[i + 1] ?? "")) {
        i++;
        while (i < n && /[0-9]/.test(text[i])) i++;
      }
      if (/[smhd]/.test(text[i] ?? "") && !IDENT_PART.test(text[i + 1] ?? "")) {
        i++;
        push("duration", text.slice(start, i), start, startLine);
      } else push("number", text.slice(start, i), start, startLine);
      continue;
    }
    if (IDENT_START.test(c)) {
      while (i < n && IDENT_PART.test(text[i])) i++;
      push("ident", text.slice(start, i), start, startLine);
      continue;
    }
    const two = text.slice(i, i + 2);
    if (PUNCT2.includes(two)) {
      i += 2;
      push("punct", two, start, startLine);
      continue;
    }
    if (PUNCT1.includes(c)) {
      i++;
      push("punct", c, start, startLine);
      continue;
    }
    errors.push({ line, code: "yaral.bad-token", message: `unexpected character '${c}'` });
    i++;
  }
  tokens.push({ type: "eof", value: "", start: n, end: n, line });
  return { tokens, errors };
}
