import type { Db } from "../catalog/open.js";
import type { Value } from "../model/expr.js";
import type { PredicateRow } from "../model/views.js";
import type { CorpusEntry } from "./api.js";
import { canonicalKind, canonicalValue, fieldKey } from "./canonical.js";
import { analyticsReady } from "./fresh.js";

interface Key {
  field: string;
  kind: string;
  value: string;
}

/**
 * Counts per value of each row. Raw: other rules with the same (field as written,
 * kind, value_norm), from the core indicators table. Canonical: other rules sharing any canonical key the rule's own
 * indicator produced (the derived name key included), read back from corpus_keys so the
 * context-dependent mapping is exactly the one ingest used. Scope rows and null values
 * count 0: they are kept out of corpus counts.
 */
export function corpusCounts(db: Db, ruleId: string, rows: PredicateRow[]): CorpusEntry[][] {
  if (!analyticsReady(db)) return rows.map((r) => r.values.map((value) => ({ value, raw: 0, canonical: 0 })));
  const ownCanon = db.prepare(
    `SELECT DISTINCT k.field, k.kind, k.value FROM corpus_keys k JOIN indicators i ON i.rowid = k.grp
     WHERE k.rule_id = ? AND k.neg = 0 AND i.field IS ? AND i.kind = ? AND i.value = ?`,
  );
  // Raw counts straight from the core index indicators (field, kind, value_norm); in and eq are one kind.
  const countRaw = db.prepare(
    `SELECT COUNT(DISTINCT rule_id) AS n FROM indicators WHERE field IS ? AND kind IN (?, ?) AND value_norm = ?
     AND negated = 0 AND scope = 0 AND rule_id <> ?`,
  );
  const countOne = db.prepare(
    "SELECT COUNT(DISTINCT rule_id) AS n FROM corpus_keys WHERE field = ? AND kind = ? AND value = ? AND neg = 0 AND rule_id <> ?",
  );
  const countMany = (keys: Key[]): number => {
    if (keys.length === 1) return (countOne.get(keys[0].field, keys[0].kind, keys[0].value, ruleId) as { n: number }).n;
    const sql = `SELECT COUNT(DISTINCT rule_id) AS n FROM corpus_keys WHERE neg = 0 AND rule_id <> ? AND (${keys
      .map(() => "(field = ? AND kind = ? AND value = ?)")
      .join(" OR ")})`;
    return (db.prepare(sql).get(ruleId, ...keys.flatMap((k) => [k.field, k.kind, k.value])) as { n: number }).n;
  };
  return rows.map((r) =>
    r.values.map((v: Value): CorpusEntry => {
      if (r.scope || v === null) return { value: v, raw: 0, canonical: 0 };
      const value = String(v);
      const norm = r.caseSensitive === true ? value : value.toLowerCase();
      const kinds = r.kind === "in" || r.kind === "eq" ? ["eq", "in"] : [r.kind, r.kind];
      const raw = (countRaw.get(r.field, ...kinds, norm, ruleId) as { n: number }).n;
      let keys = ownCanon.all(ruleId, r.field, r.kind, value) as Key[];
      if (keys.length === 0) {
        // Not one of the rule's stored indicators: fall back to the context-free transform.
        keys = [{ field: fieldKey(r.field), kind: canonicalKind(r.kind, value), value: canonicalValue(r.kind, value) }];
      }
      return { value: v, raw, canonical: countMany(keys) };
    }),
  );
}
