import type { Value } from "../model/expr.js";
import { logicHash } from "../model/canonical.js";
import type { Diagnostic, RuleRecord } from "../model/rule.js";
import { conditionsOf, occurrences } from "../model/views.js";

/**
 * An indicator value as its language compares it: lower-cased unless the
 * predicate is case-sensitive. The key of corpus counts (indicators.value_norm).
 */
export function normValue(value: string | null, caseSensitive: boolean | undefined): string | null {
  return value === null ? null : caseSensitive === true ? value : value.toLowerCase();
}

type Bit = 0 | 1;

/** Columns of the rules table that come from the record (the writer adds source and unit). */
export interface RuleColumns {
  id: string;
  vendor: string;
  native_id: string;
  format: string;
  language: string;
  path: string;
  commit_sha: string | null;
  title: string;
  description: string;
  severity: string | null;
  status: string | null;
  modality: string;
  enabled: Bit;
  fidelity: string;
  logic_hash: string;
  logic_json: string;
  record_json: string;
}

/** indicators columns after rule_id: field, kind, value, value_norm, negated, scope, case_sensitive, all_values, values_from, origin. */
export type IndicatorColumns = [string | null, string, string | null, string | null, Bit, Bit, Bit | null, Bit, string | null, string | null];
/** tests columns after rule_id and position: name, expected, event_json, mocks_json, log_type, min_matches. */
export type TestColumns = [string, Bit, string, string | null, string | null, number | null];

/**
 * A rule as the catalog stores it: every column of its row and of its child rows,
 * computed from the record alone. Compile workers build these, so the thread that
 * holds the transaction only inserts.
 */
export interface RuleRows {
  rule: RuleColumns;
  attack: [raw: string, tactic: string | null, technique: string | null, other: string | null, name: string | null][];
  logSources: [key: string, value: string][];
  indicators: IndicatorColumns[];
  outputFields: string[];
  tests: TestColumns[];
  diagnostics: Diagnostic[];
  fts: { body: string; indicators: string };
}

const bit = (b: boolean | undefined): Bit => (b ? 1 : 0);

export function ruleRows(r: RuleRecord): RuleRows {
  // The logic is stored once, in logic_json; the record holds everything else.
  const { tests, logic, ...rest } = r;
  const indicators: IndicatorColumns[] = [];
  const indicatorText: string[] = [];
  for (const cond of conditionsOf(logic)) {
    for (const o of occurrences(cond)) {
      const values: (Value | undefined)[] = o.values.length > 0 ? o.values : [undefined];
      for (const v of values) {
        const value = v === undefined || v === null ? null : String(v);
        if (value !== null && !o.negated) indicatorText.push(value);
        indicators.push([
          o.field,
          o.kind,
          value,
          normValue(value, o.caseSensitive),
          bit(o.negated),
          bit(o.scope),
          o.caseSensitive === undefined ? null : bit(o.caseSensitive),
          bit(o.all),
          o.valuesFrom ?? null,
          o.origin ?? null,
        ]);
      }
    }
  }
  return {
    rule: {
      id: r.id,
      vendor: r.vendor,
      native_id: r.nativeId,
      format: r.format,
      language: r.language,
      path: r.source.path,
      commit_sha: r.source.commit ?? null,
      title: r.title,
      description: r.description,
      severity: r.severity,
      status: r.status,
      modality: r.modality,
      enabled: bit(r.enabled),
      fidelity: logic.fidelity,
      logic_hash: logicHash(logic),
      logic_json: JSON.stringify(logic),
      record_json: JSON.stringify(rest),
    },
    attack: r.attack.map((a) => [a.raw, a.tactic ?? null, a.technique ?? null, a.other ?? null, a.name ?? null]),
    logSources: r.logSources.map((l) => [l.key, l.value]),
    indicators,
    outputFields: logic.outputFields,
    tests: tests.map((t) => [
      t.name,
      bit(t.expected),
      JSON.stringify((t.events ?? t.event) ?? null),
      t.mocks ? JSON.stringify(t.mocks) : null,
      t.logType ?? null,
      t.events ? (t.minMatches ?? 1) : null,
    ]),
    diagnostics: r.diagnostics,
    fts: { body: r.bodies.map((b) => b.text).join("\n"), indicators: indicatorText.join(" ") },
  };
}
