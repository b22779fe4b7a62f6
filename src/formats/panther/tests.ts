import type { RuleTest } from "../../model/rule.js";
import type { FieldType, TypeOracle } from "../../languages/python/predicates.js";

/** Tests[] → RuleTest; the LogType is the test's, else the log's p_log_type, else the rule's first. */
export function readTests(raw: unknown, ruleLogTypes: string[]): RuleTest[] {
  if (!Array.isArray(raw)) return [];
  const out: RuleTest[] = [];
  raw.forEach((t, i) => {
    if (!t || typeof t !== "object") return;
    const r = t as Record<string, unknown>;
    const event = r.Log ?? r.Resource ?? r.RuleOutputs ?? null;
    const test: RuleTest = {
      name: typeof r.Name === "string" ? r.Name : `test ${i + 1}`,
      expected: r.ExpectedResult === true,
      event,
    };
    if (Array.isArray(r.Mocks)) {
      const mocks: Record<string, unknown> = {};
      for (const m of r.Mocks as Record<string, unknown>[]) if (typeof m?.objectName === "string") mocks[m.objectName] = m.returnValue;
      test.mocks = mocks;
    }
    const logLt = event && typeof event === "object" && !Array.isArray(event) ? (event as Record<string, unknown>).p_log_type : undefined;
    const lt = typeof r.LogType === "string" ? r.LogType : typeof logLt === "string" ? logLt : ruleLogTypes[0];
    if (lt) test.logType = lt;
    out.push(test);
  });
  return out;
}

/**
 * Field types seen in the rule's own test logs, used as the log schema: a
 * path that is a string in every sample is taken to be a string.
 */
export function typeOracle(tests: RuleTest[]): TypeOracle {
  const seen = new Map<string, Set<FieldType>>();
  const walk = (v: unknown, path: string, depth: number): void => {
    if (depth > 12 || v === null || v === undefined) return;
    const t: FieldType | null = typeof v === "string" ? "str" : typeof v === "number" ? "num" : typeof v === "boolean" ? "bool" : Array.isArray(v) ? "list" : typeof v === "object" ? "dict" : null;
    if (t && path) {
      let s = seen.get(path);
      if (!s) seen.set(path, (s = new Set()));
      s.add(t);
    }
    if (t === "dict") for (const [k, x] of Object.entries(v as object)) walk(x, path ? `${path}.${k.toLowerCase()}` : k.toLowerCase(), depth + 1);
    // Array elements are recorded under `<path>.[]` (loop variables), JSON strings under `<path>.json()`.
    if (t === "list" && path) for (const x of (v as unknown[]).slice(0, 50)) walk(x, `${path}.[]`, depth + 1);
    if (t === "str" && path && /^\s*[[{]/.test(v as string) && (v as string).length < 100_000) {
      try {
        walk(JSON.parse(v as string), `${path}.json()`, depth + 1);
      } catch {
        // not JSON
      }
    }
  };
  for (const t of tests) walk(t.event, "", 0);
  const oracle: TypeOracle = (name: string) => {
    const s = seen.get(name.toLowerCase());
    return s && s.size === 1 ? [...s][0] : undefined;
  };
  oracle.seen = (name: string) => {
    const s = seen.get(name.toLowerCase());
    return s ? [...s] : undefined;
  };
  return oracle;
}
