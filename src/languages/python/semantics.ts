import type { RuleTest } from "../../model/rule.js";
import type { Semantics } from "../../model/semantics.js";

/**
 * Panther's Python: event keys are case-insensitive at every level, dicts are
 * not traversed through lists (`.get` on a list raises), truthiness is
 * Python's, strings compare case-sensitively and "5" != 5.
 */
export const pythonSemantics: Semantics = {
  name: "python",
  caseSensitive: true,
  regexDialect: "python",
  looseNumbers: false,
  resolve: resolvePython,
  present: pyTruthy,
  prepareEvent,
};

/** Python truthiness: "", 0, False, [], {} and None are false. */
export function pyTruthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.keys(v as object).length > 0;
  return true;
}

/**
 * The value at a dotted path. A key containing dots is tried whole before it
 * is split (`annotations.authorization.k8s.io/decision`). Only the leaf fans
 * out: an array there yields its elements (membership, quantifiers).
 */
export function resolvePython(event: unknown, field: string): unknown[] | undefined {
  const v = walk(event, field, 0, true);
  if (v === MISSING) return undefined;
  if (Array.isArray(v)) return v;
  return [v];
}

const MISSING = Symbol("missing");

const JSON_STEP = "json()";

function walk(node: unknown, rest: string, depth: number, ci: boolean): unknown {
  if (rest === "") return node;
  if (typeof node === "string" && (rest === JSON_STEP || rest.startsWith(`${JSON_STEP}.`))) {
    // json.loads as a path step: an unparsable string has nothing below it.
    if (node.length > 1_000_000) return MISSING;
    let parsed: unknown;
    try {
      parsed = JSON.parse(node);
    } catch {
      return MISSING;
    }
    // json.loads builds plain dicts: below it keys are case-sensitive.
    return walk(parsed, rest.slice(JSON_STEP.length + 1), depth + 1, false);
  }
  if (Array.isArray(node) && depth <= 64) {
    // `x[0]` of a list is a path step: a non-negative integer (the translator emits it only for lists).
    const dot = rest.indexOf(".");
    const step = dot < 0 ? rest : rest.slice(0, dot);
    if (!/^(?:0|[1-9]\d{0,8})$/.test(step)) return MISSING;
    const i = Number(step);
    if (i >= node.length) return MISSING;
    return dot < 0 ? node[i] : walk(node[i], rest.slice(dot + 1), depth + 1, ci);
  }
  if (depth > 64 || node === null || typeof node !== "object") return MISSING;
  const obj = node as Record<string, unknown>;
  const whole = lookup(obj, rest, ci);
  if (whole !== MISSING) return whole;
  let dot = rest.indexOf(".");
  while (dot !== -1) {
    const child = lookup(obj, rest.slice(0, dot), ci);
    if (child !== MISSING) {
      const r = walk(child, rest.slice(dot + 1), depth + 1, ci);
      if (r !== MISSING) return r;
    }
    dot = rest.indexOf(".", dot + 1);
  }
  return MISSING;
}

function lookup(obj: Record<string, unknown>, key: string, ci: boolean): unknown {
  if (Object.hasOwn(obj, key)) return obj[key];
  if (!ci) return MISSING;
  const lower = key.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return MISSING;
}

/** Places the test's LogType where multi-LogType conditions read it. */
function prepareEvent(event: unknown, test?: RuleTest): unknown {
  if (!test || event === null || typeof event !== "object" || Array.isArray(event)) return event;
  let e = event as Record<string, unknown>;
  if (test.logType && e.p_log_type === undefined) e = { ...e, p_log_type: test.logType };
  // Mocked names are marked so that logic reading them is unknown in this test.
  if (test.mocks && Object.keys(test.mocks).length > 0) {
    e = { ...e, [MOCK_FLAG]: Object.fromEntries(Object.keys(test.mocks).map((k) => [k, true])) };
  }
  return e;
}

/** Must match interp.ts MOCK_FLAG (kept here so semantics has no evaluator dependency). */
const MOCK_FLAG = "__panther_mocked__";
