import type { Db } from "../catalog/open.js";
import { type AttackRefRow, resolveRefs } from "../attack/resolve.js";
import { attackIndex } from "../attack/store.js";
import type { AttackView } from "./api.js";

/** Resolved on read (cheap: a few refs against the cached index), so it is never stale. */
export function attackViewOf(db: Db, ruleId: string): AttackView[] {
  const refs = db
    .prepare(
      `SELECT raw, tactic, technique, name FROM rule_attack WHERE rule_id = ? AND other IS NULL ORDER BY rowid`,
    )
    .all(ruleId) as AttackRefRow[];
  return resolveRefs(attackIndex(db), refs).map((p) => {
    const v: AttackView = {
      raw: p.raw,
      tactic: p.tactic,
      tacticName: p.tacticName,
      technique: p.technique,
      name: p.name,
      known: p.technique ? p.status !== "unknown" : p.tacticKnown,
      status: p.status,
    };
    if (p.note) v.note = p.note;
    return v;
  });
}
