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

/** Raw probes: (field as written, kind, its in/eq twin, value_norm) → other rules with a non-negated, non-scope row. */
const RAW = `SELECT p.key AS i, (SELECT COUNT(DISTINCT x.rule_id) FROM indicators x
    WHERE x.field IS p.value ->> '$[0]' AND x.kind IN (p.value ->> '$[1]', p.value ->> '$[2]') AND x.value_norm = p.value ->> '$[3]'
      AND x.negated = 0 AND x.scope = 0 AND x.rule_id <> ?) AS n
  FROM json_each(?) p`;

/** Canonical probes: one per value, holding one or more keys; distinct other rules holding any of them. */
const CANONICAL = `SELECT p.value ->> '$[0]' AS i, COUNT(DISTINCT c.rule_id) AS n
  FROM json_each(?) p CROSS JOIN corpus_keys c
  WHERE c.field = p.value ->> '$[1]' AND c.kind = p.value ->> '$[2]' AND c.value = p.value ->> '$[3]' AND c.neg = 0 AND c.rule_id <> ?
  GROUP BY 1`;

const sig = (field: string | null, kind: string, value: string) => JSON.stringify([field, kind, value]);

/**
 * Counts per value of each row. Raw: other rules with the same (field as written,
 * kind, value_norm), from the core indicators table. Canonical: other rules sharing any canonical key the rule's own
 * indicator produced (the derived name key included), read back from corpus_keys so the
 * context-dependent mapping is exactly the one ingest used. Scope rows and null values
 * count 0: they are kept out of corpus counts. Three queries per rule, whatever its number
 * of values: the probes travel as one JSON array each.
 */
export function corpusCounts(db: Db, ruleId: string, rows: PredicateRow[]): CorpusEntry[][] {
  if (!analyticsReady(db)) return rows.map((r) => r.values.map((value) => ({ value, raw: 0, canonical: 0 })));
  const own = new Map<string, Key[]>();
  const ownRows = db
    .prepare(
      `SELECT DISTINCT i.field AS f, i.kind AS ik, i.value AS iv, k.field, k.kind, k.value FROM corpus_keys k JOIN indicators i ON i.rowid = k.grp
       WHERE k.rule_id = ? AND k.neg = 0`,
    )
    .all(ruleId) as (Key & { f: string | null; ik: string; iv: string })[];
  for (const r of ownRows) {
    const s = sig(r.f, r.ik, r.iv);
    const list = own.get(s);
    const key = { field: r.field, kind: r.kind, value: r.value };
    if (list) list.push(key);
    else own.set(s, [key]);
  }
  const rawProbes = new Map<string, number>();
  const canonProbes = new Map<string, number>();
  const canonRows: [number, string, string, string][] = [];
  const slots = rows.map((r) =>
    r.values.map((v: Value) => {
      if (r.scope || v === null) return null;
      const value = String(v);
      const norm = r.caseSensitive === true ? value : value.toLowerCase();
      const kinds = r.kind === "in" || r.kind === "eq" ? ["eq", "in"] : [r.kind, r.kind];
      const rawSig = JSON.stringify([r.field, kinds[0], kinds[1], norm]);
      if (!rawProbes.has(rawSig)) rawProbes.set(rawSig, rawProbes.size);
      const s = sig(r.field, r.kind, value);
      if (!canonProbes.has(s)) {
        const at = canonProbes.size;
        canonProbes.set(s, at);
        // Not one of the rule's stored indicators: fall back to the context-free transform.
        const keys = own.get(s) ?? [{ field: fieldKey(r.field), kind: canonicalKind(r.kind, value), value: canonicalValue(r.kind, value) }];
        for (const k of keys) canonRows.push([at, k.field, k.kind, k.value]);
      }
      return { raw: rawProbes.get(rawSig) as number, canonical: canonProbes.get(s) as number };
    }),
  );
  const rawN = new Map<number, number>();
  if (rawProbes.size > 0) {
    const probes = `[${[...rawProbes.keys()].join(",")}]`;
    for (const r of db.prepare(RAW).all(ruleId, probes) as { i: number; n: number }[]) rawN.set(r.i, r.n);
  }
  const canonN = new Map<number, number>();
  if (canonRows.length > 0) {
    for (const r of db.prepare(CANONICAL).all(JSON.stringify(canonRows), ruleId) as { i: number; n: number }[]) canonN.set(r.i, r.n);
  }
  return rows.map((r, ri) =>
    r.values.map((v: Value, vi): CorpusEntry => {
      const slot = slots[ri][vi];
      if (!slot) return { value: v, raw: 0, canonical: 0 };
      return { value: v, raw: rawN.get(slot.raw) ?? 0, canonical: canonN.get(slot.canonical) ?? 0 };
    }),
  );
}
