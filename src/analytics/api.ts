import type { Db } from "../catalog/open.js";
import type { Value } from "../model/expr.js";
import type { PredicateRow } from "../model/views.js";

/** A rule's ATT&CK reference as shown: resolved against the loaded ATT&CK data where possible. */
export interface AttackView {
  raw: string;
  tactic: string | null;
  tacticName: string | null;
  technique: string | null;
  name: string | null;
  /** false: the id is not in the loaded ATT&CK version (kept, shown, never dropped). */
  known: boolean;
}

/** How many OTHER rules look for the same (field, kind, value). */
export interface CorpusEntry {
  value: Value;
  raw: number;
  canonical: number;
}

/** Re-runs the analytics that depend on the rules that changed. Placeholder: nothing to refresh. */
export function afterIngest(_db: Db, _changed: { upserted: string[]; removed: string[] }): void {}

/** Placeholder: the rule's references as written. */
export function attackOf(db: Db, ruleId: string): AttackView[] {
  const rows = db
    .prepare("SELECT raw, tactic, technique, name FROM rule_attack WHERE rule_id = ? AND other IS NULL")
    .all(ruleId) as { raw: string; tactic: string | null; technique: string | null; name: string | null }[];
  return rows.map((r) => ({ ...r, tacticName: null, known: false }));
}

/** Placeholder: raw counts only, one entry per value of each row. */
export function corpusOf(db: Db, ruleId: string, rows: PredicateRow[]): CorpusEntry[][] {
  const stmt = db.prepare(
    "SELECT COUNT(DISTINCT rule_id) AS n FROM indicators WHERE field IS ? AND kind = ? AND value_norm IS ? AND negated = 0 AND rule_id <> ?",
  );
  return rows.map((r) =>
    r.values.map((v) => {
      const norm = v === null ? null : r.caseSensitive ? String(v) : String(v).toLowerCase();
      const n = (stmt.get(r.field, r.kind, norm, ruleId) as { n: number }).n;
      return { value: v, raw: n, canonical: n };
    }),
  );
}
