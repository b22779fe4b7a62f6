// Recursive-descent parser for YARA-L 2.0. Precedence, lowest first:
//   or < and < not/any/all (prefix) < comparison [nocase] | [not] in [regex|cidr] %list
//   < + - < * / < primary
// Sections hold sequences of expressions joined by implicit AND; a section
// ends at the next `<section>:` header or at the rule's closing brace.
import type { ArithOp, CompareOp, MatchSection, MetaEntry, Node, OutcomeEntry, PathSegment, Rule, Span } from "./ast.js";
import { type Token, tokenize } from "./tokenizer.js";

export interface ParseError {
  line: number;
  code: string;
  message: string;
}

export interface ParseResult {
  rules: Rule[];
  errors: ParseError[];
}

const SECTIONS = new Set(["meta", "events", "match", "outcome", "condition", "options"]);
const COMPARE_OPS = new Set(["=", "!=", "<", "<=", ">", ">="]);
/** Deeper nesting than this is refused (it would only come from hostile input). */
const MAX_DEPTH = 200;

class Fail extends Error {
  constructor(
    readonly line: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function parseRules(text: string): ParseResult {
  const { tokens, errors: lexErrors } = tokenize(text);
  const p = new Parser(text, tokens);
  const rules = p.parseFile();
  return { rules, errors: [...lexErrors, ...p.errors] };
}

class Parser {
  private i = 0;
  private depth = 0;
  readonly errors: ParseError[] = [];

  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
  ) {}

  private get tok(): Token {
    return this.tokens[this.i];
  }
  private peek(k = 1): Token {
    return this.tokens[Math.min(this.i + k, this.tokens.length - 1)];
  }
  private next(): Token {
    const t = this.tokens[this.i];
    if (t.type !== "eof") this.i++;
    return t;
  }
  private isKw(t: Token, kw: string): boolean {
    return t.type === "ident" && t.value.toLowerCase() === kw;
  }
  private isPunct(t: Token, v: string): boolean {
    return t.type === "punct" && t.value === v;
  }
  private expectPunct(v: string): Token {
    const t = this.tok;
    if (!this.isPunct(t, v)) throw new Fail(t.line, "yaral.syntax", `expected '${v}', found ${describe(t)}`);
    return this.next();
  }
  private span(start: Token, end: Token = this.tokens[this.i - 1] ?? start): Span {
    return { start: start.start, end: Math.max(end.end, start.end), line: start.line };
  }
  /** A section header `name:` (any identifier followed by a colon). */
  private atSectionHeader(): boolean {
    return this.tok.type === "ident" && this.isPunct(this.peek(), ":");
  }
  private atEof(): boolean {
    return this.tok.type === "eof";
  }
  private atSectionEnd(): boolean {
    return this.tok.type === "eof" || this.isPunct(this.tok, "}") || this.atSectionHeader();
  }

  parseFile(): Rule[] {
    const rules: Rule[] = [];
    while (!this.atEof()) {
      if (!this.isKw(this.tok, "rule")) {
        const t = this.tok;
        this.errors.push({ line: t.line, code: "yaral.syntax", message: `expected 'rule', found ${describe(t)}` });
        // Skip to the next `rule` keyword.
        this.next();
        while (!this.atEof() && !this.isKw(this.tok, "rule")) this.next();
        continue;
      }
      rules.push(this.parseRule());
    }
    return rules;
  }

  private parseRule(): Rule {
    const start = this.next(); // rule
    const rule: Rule = { ...this.span(start), name: "", meta: [], events: [], match: null, outcome: [], condition: [], options: [] };
    const nameTok = this.tok;
    if (nameTok.type !== "ident") {
      this.errors.push({ line: nameTok.line, code: "yaral.syntax", message: `expected a rule name, found ${describe(nameTok)}` });
    } else {
      rule.name = nameTok.value;
      this.next();
    }
    if (!this.isPunct(this.tok, "{")) {
      this.errors.push({ line: this.tok.line, code: "yaral.syntax", message: `expected '{' after rule name, found ${describe(this.tok)}` });
      while (this.tok.type !== "eof" && !this.isPunct(this.tok, "{") && !this.isKw(this.tok, "rule")) this.next();
      if (!this.isPunct(this.tok, "{")) return rule;
    }
    this.next();
    const seen = new Set<string>();
    while (!this.isPunct(this.tok, "}") && this.tok.type !== "eof") {
      const head = this.tok;
      if (!this.atSectionHeader()) {
        this.errors.push({ line: head.line, code: "yaral.syntax", message: `expected a section header, found ${describe(head)}` });
        this.skipToSectionEnd();
        if (!this.atSectionHeader()) continue;
      }
      const name = this.tok.value.toLowerCase();
      const headerLine = this.tok.line;
      this.next();
      this.next(); // ':'
      if (!SECTIONS.has(name)) {
        this.errors.push({ line: headerLine, code: "yaral.unknown-section", message: `unknown section '${this.tokens[this.i - 2].value}:'` });
        this.skipToSectionEnd();
        continue;
      }
      if (seen.has(name)) this.errors.push({ line: headerLine, code: "yaral.duplicate-section", message: `section '${name}:' appears twice` });
      seen.add(name);
      this.parseSection(name, rule);
    }
    if (this.atEof()) {
      this.errors.push({ line: this.tok.line, code: "yaral.unbalanced-braces", message: `rule '${rule.name}' is not closed: missing '}'` });
    } else this.next();
    Object.assign(rule, this.span(start));
    return rule;
  }

  private skipToSectionEnd(): void {
    // Skips balanced brackets so a stray `}` inside parentheses does not end the rule.
    let depth = 0;
    while (this.tok.type !== "eof") {
      if (depth === 0 && (this.isPunct(this.tok, "}") || this.atSectionHeader())) return;
      if (this.isPunct(this.tok, "(") || this.isPunct(this.tok, "[")) depth++;
      if ((this.isPunct(this.tok, ")") || this.isPunct(this.tok, "]")) && depth > 0) depth--;
      this.next();
    }
  }

  private parseSection(name: string, rule: Rule): void {
    switch (name) {
      case "meta":
      case "options":
        for (const m of this.parseAssignments()) (name === "meta" ? rule.meta : rule.options).push(m);
        return;
      case "events":
        for (const x of this.parseExpressions()) rule.events.push(x);
        return;
      case "condition":
        for (const x of this.parseExpressions()) rule.condition.push(x);
        return;
      case "outcome":
        for (const x of this.parseOutcome()) rule.outcome.push(x);
        return;
      case "match":
        rule.match = this.parseMatch();
        return;
    }
  }

  /** Runs `body` until the section ends; a failure becomes an error node and skips to the section end. */
  private recover<T>(body: () => T, onError: (n: Node) => void): void {
    const from = this.tok;
    try {
      body();
    } catch (e) {
      if (!(e instanceof Fail)) throw e;
      this.errors.push({ line: e.line, code: e.code, message: e.message });
      this.depth = 0;
      this.skipToSectionEnd();
      const last = this.tokens[this.i - 1] ?? from;
      onError({ kind: "error", message: e.message, start: from.start, end: Math.max(from.end, last.end), line: from.line });
    }
  }

  private parseExpressions(): Node[] {
    const out: Node[] = [];
    // One recovery per statement, so the error node quotes only the unread part of the section.
    let failed = false;
    while (!failed && !this.atSectionEnd()) {
      failed = true;
      this.recover(
        () => {
          const before = this.i;
          out.push(this.parseOr());
          if (this.i === before) throw new Fail(this.tok.line, "yaral.syntax", `unexpected ${describe(this.tok)}`);
          failed = false;
        },
        (n) => out.push(n),
      );
    }
    return out;
  }

  private parseAssignments(): MetaEntry[] {
    const out: MetaEntry[] = [];
    this.recover(
      () => {
        while (!this.atSectionEnd()) {
          const key = this.tok;
          if (key.type !== "ident") throw new Fail(key.line, "yaral.syntax", `expected a meta key, found ${describe(key)}`);
          this.next();
          this.expectPunct("=");
          const v = this.next();
          let value: string | number | boolean;
          if (v.type === "string" || v.type === "raw") value = v.value;
          else if (v.type === "number") value = Number(v.value);
          else if (v.type === "ident" && /^(true|false)$/i.test(v.value)) value = v.value.toLowerCase() === "true";
          else if (this.isPunct(v, "-") && this.tok.type === "number") value = -Number(this.next().value);
          else throw new Fail(v.line, "yaral.syntax", `expected a value for '${key.value}', found ${describe(v)}`);
          out.push({ ...this.span(key), key: key.value, value });
        }
      },
      () => {},
    );
    return out;
  }

  private parseOutcome(): OutcomeEntry[] {
    const out: OutcomeEntry[] = [];
    this.recover(
      () => {
        while (!this.atSectionEnd()) {
          const v = this.tok;
          if (v.type !== "variable") throw new Fail(v.line, "yaral.syntax", `expected an outcome variable, found ${describe(v)}`);
          this.next();
          this.expectPunct("=");
          const expr = this.parseOr();
          out.push({ ...this.span(v), name: `$${v.value}`, expr });
        }
      },
      () => {},
    );
    return out;
  }

  private parseMatch(): MatchSection | null {
    const start = this.tok;
    let result: MatchSection | null = null;
    this.recover(
      () => {
        const variables: string[] = [];
        for (;;) {
          const v = this.tok;
          if (v.type !== "variable") throw new Fail(v.line, "yaral.syntax", `expected a match variable, found ${describe(v)}`);
          variables.push(`$${v.value}`);
          this.next();
          if (!this.isPunct(this.tok, ",")) break;
          this.next();
        }
        let window: string | null = null;
        let modifier: string | null = null;
        let windowKind: MatchSection["windowKind"] = null;
        if (this.isKw(this.tok, "over") || this.isKw(this.tok, "by")) {
          const how = this.next().value.toLowerCase();
          const d = this.next();
          if (d.type !== "duration") throw new Fail(d.line, "yaral.syntax", `expected a duration after '${how}', found ${describe(d)}`);
          window = d.value;
          windowKind = how === "by" ? "tumbling" : "hop";
          const modStart = this.i;
          while (!this.atSectionEnd()) this.next();
          if (this.i > modStart) {
            modifier = this.text.slice(this.tokens[modStart].start, this.tokens[this.i - 1].end).trim();
            if (/^(before|after)\b/i.test(modifier)) windowKind = "sliding";
          }
        } else if (!this.atSectionEnd()) {
          throw new Fail(this.tok.line, "yaral.syntax", `expected 'over <duration>' or 'by <duration>', found ${describe(this.tok)}`);
        }
        result = { ...this.span(start), variables, window, windowKind, modifier };
      },
      () => {},
    );
    return result;
  }

  private enter(t: Token): void {
    if (++this.depth > MAX_DEPTH) throw new Fail(t.line, "yaral.too-deep", `expression nested deeper than ${MAX_DEPTH} levels`);
  }

  private parseOr(): Node {
    return this.parseChain("or", () => this.parseAnd());
  }
  private parseAnd(): Node {
    return this.parseChain("and", () => this.parseUnary());
  }
  /** n-ary and/or: long chains stay flat (soc_prime rules have thousands of `or`s on one line). */
  private parseChain(op: "and" | "or", operand: () => Node): Node {
    const first = operand();
    if (!this.isKw(this.tok, op)) return first;
    const args = [first];
    while (this.isKw(this.tok, op)) {
      this.next();
      args.push(operand());
    }
    const last = args[args.length - 1];
    return { kind: op, args, start: first.start, end: last.end, line: first.line };
  }

  private parseUnary(): Node {
    const t = this.tok;
    if (this.isKw(t, "not") || this.isPunct(t, "!")) {
      this.enter(t);
      this.next();
      const arg = this.parseUnary();
      this.depth--;
      return { kind: "not", arg, start: t.start, end: arg.end, line: t.line };
    }
    if ((this.isKw(t, "any") || this.isKw(t, "all")) && this.peek().type === "variable") {
      this.enter(t);
      this.next();
      const arg = this.parseUnary();
      this.depth--;
      return { kind: "quant", quantifier: t.value.toLowerCase() as "any" | "all", arg, start: t.start, end: arg.end, line: t.line };
    }
    return this.parseComparison();
  }

  private parseComparison(): Node {
    const left = this.parseAdditive();
    const t = this.tok;
    if (t.type === "punct" && COMPARE_OPS.has(t.value)) {
      this.next();
      const right = this.parseAdditive();
      const nocase = this.eatNocase();
      return { kind: "compare", op: t.value as CompareOp, left, right, nocase, start: left.start, end: this.tokens[this.i - 1].end, line: left.line };
    }
    const negated = this.isKw(t, "not") && this.isKw(this.peek(), "in");
    if (this.isKw(t, "in") || negated) {
      if (negated) this.next();
      this.next();
      let mode: "string" | "regex" | "cidr" = "string";
      if (this.isKw(this.tok, "regex") || this.isKw(this.tok, "cidr")) mode = this.next().value.toLowerCase() as "regex" | "cidr";
      const l = this.tok;
      if (l.type !== "list") throw new Fail(l.line, "yaral.syntax", `expected a %reference_list after 'in', found ${describe(l)}`);
      this.next();
      const nocase = this.eatNocase();
      return { kind: "inList", left, list: l.value, mode, negated, nocase, start: left.start, end: this.tokens[this.i - 1].end, line: left.line };
    }
    return left;
  }

  private eatNocase(): boolean {
    if (!this.isKw(this.tok, "nocase")) return false;
    this.next();
    return true;
  }

  private parseAdditive(): Node {
    return this.parseArith(["+", "-"], () => this.parseMultiplicative());
  }
  private parseMultiplicative(): Node {
    return this.parseArith(["*", "/"], () => this.parsePrimary());
  }
  private parseArith(ops: string[], operand: () => Node): Node {
    let left = operand();
    let length = 0;
    while (this.tok.type === "punct" && ops.includes(this.tok.value)) {
      // Arithmetic nests to the left: a chain is as deep as it is long.
      if (++length > MAX_DEPTH) throw new Fail(this.tok.line, "yaral.too-deep", `arithmetic chain longer than ${MAX_DEPTH} operators`);
      const op = this.next().value as ArithOp;
      const right = operand();
      left = { kind: "arith", op, left, right, start: left.start, end: right.end, line: left.line };
    }
    return left;
  }

  private parsePrimary(): Node {
    const t = this.tok;
    switch (t.type) {
      case "punct":
        if (t.value === "(") {
          this.enter(t);
          this.next();
          const inner = this.parseOr();
          this.expectPunct(")");
          this.depth--;
          // Keep the parenthesised span so quoted text includes the brackets.
          return { ...inner, start: t.start, end: this.tokens[this.i - 1].end, line: t.line };
        }
        if (t.value === "-") {
          this.enter(t);
          this.next();
          const arg = this.parsePrimary();
          this.depth--;
          return { kind: "neg", arg, start: t.start, end: arg.end, line: t.line };
        }
        break;
      case "variable":
        return this.parseVariable();
      case "count":
        this.next();
        return { kind: "count", name: `#${t.value}`, ...this.span(t) };
      case "string":
      case "raw":
        this.next();
        return { kind: "string", value: t.value, raw: t.type === "raw", ...this.span(t) };
      case "regex": {
        this.next();
        const nocase = this.eatNocase();
        return { kind: "regex", pattern: t.value, nocase, ...this.span(t) };
      }
      case "number":
        this.next();
        return { kind: "number", value: Number(t.value), ...this.span(t) };
      case "ident":
        return this.parseIdent();
      default:
        break;
    }
    throw new Fail(t.line, "yaral.syntax", `unexpected ${describe(t)}`);
  }

  private parseVariable(): Node {
    const t = this.next();
    const name = `$${t.value}`;
    if (!this.isPunct(this.tok, ".")) return { kind: "var", name, ...this.span(t) };
    const segments: PathSegment[] = [];
    for (;;) {
      if (this.isPunct(this.tok, ".")) {
        this.next();
        const seg = this.tok;
        // Field names may be keywords (`$e.metadata.event_type`, `.match`) or start with a digit.
        if (seg.type !== "ident" && seg.type !== "number") throw new Fail(seg.line, "yaral.syntax", `expected a field name after '.', found ${describe(seg)}`);
        this.next();
        segments.push({ name: seg.value });
      } else if (this.isPunct(this.tok, "[")) {
        this.next();
        const k = this.next();
        if (k.type !== "string" && k.type !== "raw" && k.type !== "number") throw new Fail(k.line, "yaral.syntax", `expected a map key, found ${describe(k)}`);
        this.expectPunct("]");
        segments.push({ key: k.value });
      } else break;
    }
    return { kind: "path", variable: name, segments, ...this.span(t) };
  }

  private parseIdent(): Node {
    const t = this.next();
    let name = t.value;
    // Namespaced function names: re.regex, strings.to_lower, net.ip_in_range_cidr.
    while (this.isPunct(this.tok, ".") && this.peek().type === "ident" && this.isPunct(this.peek(2), "(")) {
      this.next();
      name += `.${this.next().value}`;
    }
    if (this.isPunct(this.tok, "(")) {
      this.enter(t);
      this.next();
      const args: Node[] = [];
      if (!this.isPunct(this.tok, ")")) {
        for (;;) {
          args.push(this.parseOr());
          if (!this.isPunct(this.tok, ",")) break;
          this.next();
        }
      }
      this.expectPunct(")");
      this.depth--;
      const nocase = this.eatNocase();
      return { kind: "call", name, args, nocase, ...this.span(t) };
    }
    const lower = name.toLowerCase();
    if (lower === "true" || lower === "false") return { kind: "bool", value: lower === "true", ...this.span(t) };
    return { kind: "ident", name, ...this.span(t) };
  }
}

function describe(t: Token): string {
  if (t.type === "eof") return "end of file";
  const v = t.value.length > 40 ? `${t.value.slice(0, 40)}…` : t.value;
  return t.type === "punct" || t.type === "ident" ? `'${v}'` : `${t.type} '${v}'`;
}
