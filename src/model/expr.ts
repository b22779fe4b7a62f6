// The normalized condition tree every rule language compiles into.
// It never names a vendor: differences between languages live in the
// `Semantics` handed to the evaluator (see evaluate.ts), not in the tree.

export type Value = string | number | boolean | null;

export type PredKind =
  | "eq"
  | "in"
  | "contains"
  | "startswith"
  | "endswith"
  | "wildcard" // values are globs: `*` any run, `?` one char, `\` escapes `*`, `?` and `\`
  | "regex" // values are regex sources in the language's dialect (Semantics.regexDialect)
  | "is_null"
  | "is_not_null"
  | "gt"
  | "gte"
  | "lt"
  | "lte"
  | "cidr"
  | "fieldref"; // values are other field names; true when the two fields are equal

export interface Predicate {
  type: "pred";
  /** The vendor's own field path; null = keyword / any-field search. */
  field: string | null;
  kind: PredKind;
  /** Empty for is_null / is_not_null. */
  values: Value[];
  /** Every value must match (Sigma `|all`); default: any value. */
  all?: boolean;
  /** Stated explicitly by the adapter; absent means the language default. */
  caseSensitive?: boolean;
  /** Regex flags beyond case (`m`, `s`), for kind "regex". */
  regexFlags?: string;
  /** Values come from a named list (Splunk lookup, KQL let, YARA-L %list, Sigma %placeholder%). */
  valuesFrom?: string;
  /** Selects the log source / event category rather than behaviour. */
  scope?: boolean;
  /** Where the predicate came from in the source (identifier name, line): shown, never evaluated. */
  origin?: string;
}

/** Untranslatable source: evaluates to UNKNOWN, is never guessed. */
export interface Opaque {
  type: "opaque";
  text: string;
  reason: string;
  fields?: string[];
}

/**
 * A quantifier over an array field: `cond` is evaluated per element with
 * field paths relative to the element. Python `any(x.get("a") == 1 for x in
 * event["items"])`, YARA-L `any $e.f`, KQL mv-apply.
 */
export interface Quantified {
  type: "quant";
  quantifier: "any" | "all";
  over: string;
  cond: Expr;
}

export type Expr =
  | { type: "and"; args: Expr[] }
  | { type: "or"; args: Expr[] }
  | { type: "not"; arg: Expr }
  | Predicate
  | Opaque
  | Quantified
  | { type: "true" }
  | { type: "false" };

export type AggregationKind = "threshold" | "sequence" | "join" | "new_terms" | "stats" | "correlation";

export interface Aggregation {
  kind: AggregationKind;
  by?: string[];
  window?: string;
  threshold?: string;
  /** Multi-event rules: one named condition per event (EQL sequence, YARA-L $e1/$e2). */
  events?: { name: string; condition: Expr }[];
  /** Free text that says what the aggregation does where the fields above do not. */
  note?: string;
}

export type Fidelity = "full" | "partial" | "none";

export interface Logic {
  /** Per-event filter, simplified. */
  condition: Expr;
  aggregation?: Aggregation;
  /** Event fields the rule emits when it fires. */
  outputFields: string[];
  fidelity: Fidelity;
}

// Small constructors keep adapters terse and the tree well-formed.
export const T: Expr = { type: "true" };
export const F: Expr = { type: "false" };
export const and = (...args: Expr[]): Expr => ({ type: "and", args });
export const or = (...args: Expr[]): Expr => ({ type: "or", args });
export const not = (arg: Expr): Expr => ({ type: "not", arg });
export const opaque = (text: string, reason: string, fields?: string[]): Opaque =>
  fields && fields.length > 0 ? { type: "opaque", text, reason, fields } : { type: "opaque", text, reason };
export function pred(
  field: string | null,
  kind: PredKind,
  values: Value[] = [],
  extra: Omit<Partial<Predicate>, "type" | "field" | "kind" | "values"> = {},
): Predicate {
  return { type: "pred", field, kind, values, ...extra };
}
