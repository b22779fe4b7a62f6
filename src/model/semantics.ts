import type { RuleTest } from "./rule.js";

/**
 * How a rule language reads events and compares strings. Plain data plus a
 * field resolver: the evaluator never learns a vendor's name.
 */
export interface Semantics {
  name: string;
  /** Default for string kinds when a predicate does not say. */
  caseSensitive: boolean;
  /** Regex dialect of `regex` predicates. RE2-compatible patterns are run in linear time either way. */
  regexDialect: "re2" | "pcre" | "python" | "js";
  /**
   * When both sides look numeric, compare as numbers ("4688" == 4688).
   * False for Python-like languages where "4688" != 4688.
   */
  looseNumbers: boolean;
  /**
   * The values at `field` in `event`. undefined: the field is absent.
   * An array-valued field yields its elements (predicates hold if any element matches).
   */
  resolve(event: unknown, field: string): unknown[] | undefined;
  /** Strings searched by a keyword (field-less) predicate. */
  keywords?(event: unknown): string[];
  /** What makes a present value count for is_not_null (Python truthiness; default: not null). */
  present?(value: unknown): boolean;
  /**
   * Turns a stored test event into the shape `resolve` reads (e.g. flatten an
   * evtx dump). Gets the whole test so that replay inputs such as Panther
   * Mocks can be placed where the compiled logic reads them.
   */
  prepareEvent?(event: unknown, test?: RuleTest): unknown;
}
