import type { Db } from "../catalog/open.js";
import { type AttackRefRow, resolveRefs } from "./resolve.js";
import { ensureAttackSchema } from "./schema.js";
import { attackIndex } from "./store.js";

interface RefRow extends AttackRefRow {
  rule_id: string;
}

/**
 * Re-resolves the ATT&CK pairs of the given rules (all rules when `ruleIds` is
 * null). `ruleIds` name a temp table of ids (see withIdTable) to keep this set-based.
 */
export function refreshAttackPairs(db: Db, idTable: string | null): void {
  ensureAttackSchema(db);
  const index = attackIndex(db);
  const where = idTable ? `WHERE rule_id IN (SELECT id FROM ${idTable})` : "";
  db.prepare(`DELETE FROM attack_pairs ${where}`).run();
  const rows = db
    .prepare(
      `SELECT rule_id, raw, tactic, technique, name FROM rule_attack ${where ? `${where} AND` : "WHERE"} other IS NULL ORDER BY rule_id, rowid`,
    )
    .all() as RefRow[];
  const ins = db.prepare("INSERT INTO attack_pairs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  let i = 0;
  while (i < rows.length) {
    const id = rows[i].rule_id;
    let j = i;
    while (j < rows.length && rows[j].rule_id === id) j++;
    for (const p of resolveRefs(index, rows.slice(i, j))) {
      ins.run(id, p.raw, p.tactic, p.tacticShort, p.tacticName, p.tacticKnown ? 1 : 0, p.technique, p.name, p.status, p.countsAs, p.note);
    }
    i = j;
  }
}
