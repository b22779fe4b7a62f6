// Native YARA-L 2.0 syntax tree. Every node carries its source span so the
// translator can quote the exact text of anything it cannot translate.

export interface Span {
  /** Offsets into the rule file's text, end exclusive. */
  start: number;
  end: number;
  /** 1-based line of `start`. */
  line: number;
}

export type PathSegment = { name: string } | { key: string };

export type CompareOp = "=" | "!=" | "<" | "<=" | ">" | ">=";
export type ArithOp = "+" | "-" | "*" | "/";

export type Node = Span &
  (
    | { kind: "and" | "or"; args: Node[] }
    | { kind: "not"; arg: Node }
    | { kind: "quant"; quantifier: "any" | "all"; arg: Node }
    | { kind: "compare"; op: CompareOp; left: Node; right: Node; nocase: boolean }
    | { kind: "inList"; left: Node; list: string; mode: "string" | "regex" | "cidr"; negated: boolean; nocase: boolean }
    | { kind: "arith"; op: ArithOp; left: Node; right: Node }
    | { kind: "neg"; arg: Node }
    /** `$e.a.b["k"]`: an event (or entity) variable's field. */
    | { kind: "path"; variable: string; segments: PathSegment[] }
    /** `$x` alone: a placeholder, an outcome variable, or (in `condition`) an event variable. */
    | { kind: "var"; name: string }
    /** `#e`: number of events (or distinct placeholder values) matched. */
    | { kind: "count"; name: string }
    | { kind: "call"; name: string; args: Node[]; nocase: boolean }
    | { kind: "string"; value: string; raw: boolean }
    | { kind: "regex"; pattern: string; nocase: boolean }
    | { kind: "number"; value: number }
    | { kind: "bool"; value: boolean }
    | { kind: "ident"; name: string }
    /** Source the parser could not read; `message` says why. */
    | { kind: "error"; message: string }
  );

export interface MetaEntry extends Span {
  key: string;
  value: string | number | boolean;
}

export interface OutcomeEntry extends Span {
  /** With the `$`. */
  name: string;
  expr: Node;
}

export interface MatchSection extends Span {
  /** Placeholder names with the `$`. */
  variables: string[];
  /** Duration as written after `over` / `by` ("5m"). */
  window: string | null;
  /** `over D` hop, `by D` tumbling, `over D before|after $e` sliding. */
  windowKind: "hop" | "tumbling" | "sliding" | null;
  /** Anything after the duration (sliding-window `before`/`after $e`), as written. */
  modifier: string | null;
}

export interface Rule extends Span {
  name: string;
  meta: MetaEntry[];
  events: Node[];
  match: MatchSection | null;
  outcome: OutcomeEntry[];
  condition: Node[];
  options: MetaEntry[];
}

export function isLiteral(n: Node): n is Node & { kind: "string" | "number" | "bool" } {
  return n.kind === "string" || n.kind === "number" || n.kind === "bool";
}
