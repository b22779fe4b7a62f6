import type { Db } from "../catalog/open.js";
import { hasTable } from "../attack/schema.js";
import type { RelatedRule, RelatedResult, SharedKey } from "./related.js";
import { byRank, candidateOf, keyWeight, qualifierFields } from "./related-live.js";

/**
 * Precomputed related rules: per rule, its top STORED_RELATED candidates (all vendors)
 * and its first 4 × STORED_RELATED technique-only neighbours, in `related_rules`.
 *
 * Every weight is ln(1 + N/df): adding or removing a single rule changes N and so
 * every score, so the table is recomputed whole, in memory, after any change and
 * only the rows whose answer changed are rewritten. The pass visits each
 * (key, holder) pair once per own key: Σ df² over keys (≈ 0.4 M for Sigma).
 */
export const STORED_RELATED = 20;

interface KeyRow {
  rule_id: string;
  grp: number;
  field: string;
  kind: string;
  value: string;
  mf: string | null;
  mk: string;
  mv: string;
}

interface Meta {
  title: string;
  vendor: string;
  modality: string;
}

export interface StoredRelated {
  total: number;
  related: RelatedRule[];
  techniqueOnly: RelatedResult["techniqueOnly"];
}

/** Row layout of the corpus: keys as small integers, holders in the order the live query meets them. */
function loadKeys(db: Db) {
  const rows = db
    .prepare(
      `SELECT k.rule_id, k.grp, k.field, k.kind, k.value, i.field AS mf, i.kind AS mk, i.value AS mv
       FROM corpus_keys k JOIN indicators i ON i.rowid = k.grp WHERE k.neg = 0 ORDER BY k.rowid`,
    )
    .all() as KeyRow[];
  const keyIdx = new Map<string, number>();
  const keyOf = new Int32Array(rows.length);
  const holders: number[][] = [];
  const byRule = new Map<string, number[]>();
  rows.forEach((r, i) => {
    const s = `${r.field}\u0000${r.kind}\u0000${r.value}`;
    let k = keyIdx.get(s);
    if (k === undefined) {
      keyIdx.set(s, (k = holders.length));
      holders.push([]);
    }
    keyOf[i] = k;
    holders[k].push(i);
    let own = byRule.get(r.rule_id);
    if (!own) byRule.set(r.rule_id, (own = []));
    own.push(i);
  });
  // The live query walks holders by the key index: rule id, then rowid (= row order here).
  for (const h of holders) h.sort((a, b) => (rows[a].rule_id < rows[b].rule_id ? -1 : rows[a].rule_id > rows[b].rule_id ? 1 : a - b));
  const df = holders.map((h) => {
    let n = 0;
    let last = "";
    for (const i of h) if (rows[i].rule_id !== last) (last = rows[i].rule_id), n++;
    return n;
  });
  return { rows, keyOf, holders, byRule, df };
}

/** Norm per rule: per indicator row (grp, ascending) its heaviest key. */
function norms(rows: KeyRow[], keyOf: Int32Array, byRule: Map<string, number[]>, df: number[], n: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const [id, own] of byRule) {
    const minDf = new Map<number, number>();
    for (const i of own) {
      const d = df[keyOf[i]];
      const prior = minDf.get(rows[i].grp);
      if (prior === undefined || d < prior) minDf.set(rows[i].grp, d);
    }
    let sq = 0;
    for (const g of [...minDf.keys()].sort((a, b) => a - b)) sq += keyWeight(n, minDf.get(g) as number) ** 2;
    out.set(id, Math.sqrt(sq) || 1);
  }
  return out;
}

/** Technique-only neighbours, ordered as the live query orders them (shared techniques desc, id). */
function techniqueLists(db: Db, meta: Map<string, Meta>) {
  const pairs = db
    .prepare("SELECT rule_id, technique, COALESCE(counts_as, technique) AS t FROM attack_pairs WHERE COALESCE(counts_as, technique) IS NOT NULL")
    .all() as { rule_id: string; technique: string | null; t: string }[];
  const holders = new Map<string, Set<string>>();
  const mine = new Map<string, Set<string>>();
  for (const p of pairs) {
    if (meta.has(p.rule_id)) {
      let h = holders.get(p.t);
      if (!h) holders.set(p.t, (h = new Set()));
      h.add(p.rule_id);
    }
    if (p.technique !== null) {
      let m = mine.get(p.rule_id);
      if (!m) mine.set(p.rule_id, (m = new Set()));
      m.add(p.t);
    }
  }
  return (id: string, exclude: ReadonlySet<string>, limit: number): RelatedResult["techniqueOnly"] => {
    const shared = new Map<string, string[]>();
    for (const t of mine.get(id) ?? []) {
      for (const other of holders.get(t) ?? []) {
        if (other === id) continue;
        let s = shared.get(other);
        if (!s) shared.set(other, (s = []));
        s.push(t);
      }
    }
    return [...shared]
      .filter(([other]) => !exclude.has(other))
      .sort(([a, ta], [b, tb]) => tb.length - ta.length || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, limit)
      .map(([other, techs]) => {
        const m = meta.get(other) as Meta;
        return { id: other, title: m.title, vendor: m.vendor, techniques: [...techs].sort() };
      });
  };
}

/** Every rule's stored answer, computed in one pass over the corpus keys. */
export function computeAllRelated(db: Db): Map<string, StoredRelated> {
  const meta = new Map(
    (db.prepare("SELECT id, title, vendor, modality FROM rules").all() as (Meta & { id: string })[]).map((r) => [r.id, r as Meta]),
  );
  const n = meta.size;
  const { rows, keyOf, holders, byRule, df } = loadKeys(db);
  const norm = norms(rows, keyOf, byRule, df, n);
  const qualifiers = qualifierFields(db);
  const techs = techniqueLists(db, meta);
  const out = new Map<string, StoredRelated>();
  for (const [id, m] of meta) {
    const best = new Map<string, Map<number, { weight: number; a: number; b: number }>>();
    for (const a of byRule.get(id) ?? []) {
      const k = keyOf[a];
      const weight = keyWeight(n, df[k]);
      const grp = rows[a].grp;
      for (const b of holders[k]) {
        const other = rows[b].rule_id;
        if (other === id) continue;
        let byGrp = best.get(other);
        if (!byGrp) best.set(other, (byGrp = new Map()));
        const prior = byGrp.get(grp);
        if (prior && prior.weight >= weight) continue;
        byGrp.set(grp, { weight, a, b });
      }
    }
    const candidates: RelatedRule[] = [];
    const myNorm = norm.get(id) ?? 1;
    for (const [other, byGrp] of best) {
      const om = meta.get(other);
      if (!om) continue;
      const keys = [...byGrp.values()].map(({ weight, a, b }): SharedKey => {
        const ra = rows[a];
        const rb = rows[b];
        return {
          field: ra.field,
          kind: ra.kind,
          value: ra.value,
          rules: df[keyOf[a]],
          weight,
          mine: { field: ra.mf, kind: ra.mk, value: ra.mv },
          theirs: { field: rb.mf, kind: rb.mk, value: rb.mv },
        };
      });
      const c = candidateOf(other, om, m.vendor, keys, qualifiers, myNorm, norm.get(other) ?? 1);
      if (c) candidates.push(c);
    }
    candidates.sort(byRank);
    const overlapping = new Set(candidates.map((c) => c.id));
    out.set(id, {
      total: candidates.length,
      related: candidates.slice(0, STORED_RELATED),
      techniqueOnly: techs(id, overlapping, STORED_RELATED * 4),
    });
  }
  return out;
}

/**
 * The ATT&CK data technique-only neighbours were computed against: an ATT&CK import
 * re-resolves every rule's pairs (src/attack/import.ts) without an ingest.
 */
function attackStamp(db: Db): string {
  const row = db
    .prepare("SELECT group_concat(s, ';') AS s FROM (SELECT domain || '@' || version || '@' || imported_at AS s FROM attack_versions ORDER BY s)")
    .get() as { s: string | null };
  return row.s ?? "";
}

/** True when the stored table answers for the current catalog; on a writable catalog a stale table is rebuilt once. */
export function relatedTableReady(db: Db): boolean {
  if (!hasTable(db, "related_rules")) return false;
  const stamp = (db.prepare("SELECT value FROM meta WHERE key = 'related_attack'").get() as { value: string } | undefined)?.value;
  if (stamp === attackStamp(db)) return true;
  if (db.readonly) return false;
  db.transaction(() => refreshRelated(db))();
  return true;
}

/** Recomputes the table and rewrites the rows whose answer changed (inside the caller's transaction). */
export function refreshRelated(db: Db): void {
  db.prepare("INSERT INTO meta (key, value) VALUES ('related_attack', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(
    attackStamp(db),
  );
  const fresh = computeAllRelated(db);
  const stored = new Map(
    (db.prepare("SELECT rule_id, total, related_json, technique_json FROM related_rules").raw().all() as [string, number, string, string][]).map(
      (r) => [r[0], r],
    ),
  );
  const upsert = db.prepare(
    `INSERT INTO related_rules (rule_id, total, related_json, technique_json) VALUES (?, ?, ?, ?)
     ON CONFLICT (rule_id) DO UPDATE SET total = excluded.total, related_json = excluded.related_json, technique_json = excluded.technique_json`,
  );
  const del = db.prepare("DELETE FROM related_rules WHERE rule_id = ?");
  for (const [id, r] of fresh) {
    const rel = JSON.stringify(r.related);
    const tech = JSON.stringify(r.techniqueOnly);
    const prior = stored.get(id);
    if (!prior || prior[1] !== r.total || prior[2] !== rel || prior[3] !== tech) upsert.run(id, r.total, rel, tech);
  }
  for (const id of stored.keys()) if (!fresh.has(id)) del.run(id);
}

/** The stored answer of one rule, or undefined when the table has none. */
export function storedRelated(db: Db, id: string): StoredRelated | undefined {
  const row = db.prepare("SELECT total, related_json, technique_json FROM related_rules WHERE rule_id = ?").get(id) as
    | { total: number; related_json: string; technique_json: string }
    | undefined;
  if (!row) return undefined;
  return { total: row.total, related: JSON.parse(row.related_json), techniqueOnly: JSON.parse(row.technique_json) };
}
