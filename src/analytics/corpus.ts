import type { Db } from "../catalog/open.js";
import type { Value } from "../model/expr.js";
import type { PredicateRow } from "../model/views.js";
import type { CorpusEntry } from "./api.js";
import { canonicalKind, canonicalValue, fieldKey } from "./canonical.js";
import { analyticsReady } from "./schema.js";

interface Key {
  field: string;
  kind: string;
  value: string;
}

/**
 * Counts per value of each row. Raw: other rules with the same (field as written,
 * kind, value_norm). Canonical: other rules sharing any canonical key the rule's own
 * indicator produced (the derived name key included), read back from corpus_keys so the
 * context-dependent mapping is exactly the one ingest used. Scope rows and null values
 * count 0: they are kept out of corpus counts.
 */
export function corpusCounts(db: Db, ruleId: string, rows: PredicateRow[]): CorpusEntry[][] {
  if (!analyticsReady(db)) return rows.map((r) => r.values.map((value) => ({ value, raw: 0, canonical: 0 })));
  const ownCanon = db.prepare(
    `SELECT DISTINCT field, kind, value FROM corpus_keys WHERE rule_id = ? AND space = 'canon' AND neg = 0
     AND src_field IS ? AND src_kind = ? AND src_value = ?`,
  );
  const countRaw = db.prepare(
    "SELECT COUNT(DISTINCT rule_id) AS n FROM corpus_keys WHERE space = 'raw' AND field = ? AND kind = ? AND value = ? AND neg = 0 AND rule_id <> ?",
  );
  const countOne = db.prepare(
    "SELECT COUNT(DISTINCT rule_id) AS n FROM corpus_keys WHERE space = 'canon' AND field = ? AND kind = ? AND value = ? AND neg = 0 AND rule_id <> ?",
  );
  const countMany = (keys: Key[]): number => {
    if (keys.length === 1) return (countOne.get(keys[0].field, keys[0].kind, keys[0].value, ruleId) as { n: number }).n;
    const sql = `SELECT COUNT(DISTINCT rule_id) AS n FROM corpus_keys WHERE space = 'canon' AND neg = 0 AND rule_id <> ? AND (${keys
      .map(() => "(field = ? AND kind = ? AND value = ?)")
      .join(" OR ")})`;
    return (db.prepare(sql).get(ruleId, ...keys.flatMap((k) => [k.field, k.kind, k.value])) as { n: number }).n;
  };
  return rows.map((r) =>
    r.values.map((v: Value): CorpusEntry => {
      if (r.scope || v === null) return { value: v, raw: 0, canonical: 0 };
      const value = String(v);
      const norm = r.caseSensitive === true ? value : value.toLowerCase();
      const kind = r.kind === "in" ? "eq" : r.kind;
      const raw = (countRaw.get(r.field ?? "", kind, norm, ruleId) as { n: number }).n;
      let keys = ownCanon.all(ruleId, r.field, r.kind, value) as Key[];
      if (keys.length === 0) {
        // Not one of the rule's stored indicators: fall back to the context-free transform.
        keys = [{ field: fieldKey(r.field), kind: canonicalKind(r.kind, value), value: canonicalValue(r.kind, value) }];
      }
      return { value: v, raw, canonical: countMany(keys) };
    }),
  );
}
