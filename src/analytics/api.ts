import type { Db } from "../catalog/open.js";
import type { Value } from "../model/expr.js";
import type { PredicateRow } from "../model/views.js";
import { attackViewOf } from "./attack-view.js";
import { corpusCounts } from "./corpus.js";
import { refreshAnalytics } from "./refresh.js";

/** A rule's ATT&CK reference as shown: resolved against the loaded ATT&CK data where possible. */
export interface AttackView {
  raw: string;
  /** TA id where known (TA0007), else the tactic as written; null: none stated nor derivable. */
  tactic: string | null;
  tacticName: string | null;
  technique: string | null;
  /** ATT&CK's name ("Parent: Sub" for sub-techniques), else the rule's own. */
  name: string | null;
  /** false: the id is not in the loaded ATT&CK version (kept, shown, never dropped). */
  known: boolean;
  /** current | revoked | deprecated | unknown | tactic (a tactic without technique). */
  status?: string;
  /** Revoked → replacement; v19 id → stated v18 equivalent. */
  note?: string;
}

/** How many OTHER rules look for the same (field, kind, value). */
export interface CorpusEntry {
  value: Value;
  raw: number;
  canonical: number;
}

/** Re-runs the analytics that depend on the rules that changed (inside the ingest transaction). */
export function afterIngest(db: Db, changed: { upserted: string[]; removed: string[] }): void {
  refreshAnalytics(db, changed);
}

/** The rule's (tactic, technique) pairs, named from the loaded ATT&CK. */
export function attackOf(db: Db, ruleId: string): AttackView[] {
  return attackViewOf(db, ruleId);
}

/** Per indicator row, one entry per value: other rules with the same key, raw and canonical. */
export function corpusOf(db: Db, ruleId: string, rows: PredicateRow[]): CorpusEntry[][] {
  return corpusCounts(db, ruleId, rows);
}
