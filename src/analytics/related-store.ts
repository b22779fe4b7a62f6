import type { Db } from "../catalog/open.js";
import { hasTable } from "../attack/schema.js";
import type { RelatedRule, RelatedResult, SharedKey } from "./related.js";
import { candidateOf, keyWeight, qualifierFields } from "./related-live.js";

/**
 * Precomputed related rules: per rule, its top STORED_RELATED candidates (all vendors)
 * and its first STORED_RELATED technique-only neighbours, in `related_rules`. Unfiltered,
 * a limit L ≤ STORED_RELATED takes the first L of each list, exactly as the live path does;
 * filtered requests are answered live (see related.ts).
 *
 * Every weight is ln(1 + N/df): adding or removing a single rule changes N and so
 * every score, so the table is recomputed whole, in memory, after any change and
 * only the rows whose answer changed are rewritten. The pass visits each
 * (key, holder) pair once per own key: Σ df² over keys (≈ 0.4 M for Sigma).
 */
export const STORED_RELATED = 20;

interface Meta {
  title: string;
  vendor: string;
  modality: string;
}

/**
 * One stored candidate: other rule, the product of the two norms, and per shared key
 * the (own, other) corpus_keys rowids it was found through — the evidence is rebuilt
 * from those rows on read, so the table stays small.
 */
type StoredPair = [other: string, normProduct: number, keys: [number, number][]];

/** A rule's stored answer: candidates in rank order and technique-only neighbours. */
interface StoredRow {
  total: number;
  related: StoredPair[];
  techniqueOnly: [string, string[]][];
}

/**
 * Row layout of the corpus: rules, keys and key rows as small integers (rule numbers follow
 * id order), holders of a key in the order the live query meets them: rule id, then rowid.
 * Narrow queries: key identity comes from GROUP BY over the key index, not from strings in JS.
 */
function loadKeys(db: Db, ruleNo: Map<string, number>) {
  const byRowid = new Map<number, number>();
  for (const [rowid, id] of db.prepare("SELECT rowid, id FROM rules").raw().all() as [number, string][]) {
    const no = ruleNo.get(id);
    if (no !== undefined) byRowid.set(rowid, no);
  }
  const raw = db
    .prepare("SELECT k.rowid, r.rowid, k.grp FROM corpus_keys k JOIN rules r ON r.id = k.rule_id WHERE k.neg = 0 ORDER BY k.rowid")
    .raw()
    .all() as [number, number, number][];
  const rowid: number[] = [];
  const grpOf: number[] = [];
  const ruleOf: number[] = [];
  const index = new Map<number, number>();
  const byRule: number[][] = Array.from({ length: ruleNo.size }, () => []);
  for (const [kr, rr, grp] of raw) {
    const no = byRowid.get(rr) as number;
    const i = rowid.length;
    index.set(kr, i);
    rowid.push(kr);
    grpOf.push(grp);
    ruleOf.push(no);
    byRule[no].push(i);
  }
  const keyOf: number[] = new Array(rowid.length).fill(-1);
  const holders: number[][] = [];
  const keyField: string[] = [];
  const groups = db
    .prepare("SELECT field, group_concat(rowid) FROM corpus_keys WHERE neg = 0 GROUP BY field, kind, value")
    .raw()
    .all() as [string, string][];
  for (const [field, list] of groups) {
    const h: number[] = [];
    for (const r of list.split(",")) {
      const i = index.get(Number(r));
      if (i !== undefined) h.push(i);
    }
    if (h.length === 0) continue;
    const k = holders.length;
    for (const i of h) keyOf[i] = k;
    h.sort((a, b) => ruleOf[a] - ruleOf[b] || a - b);
    holders.push(h);
    keyField.push(field);
  }
  const df = holders.map((h) => {
    let n = 0;
    let last = -1;
    for (const i of h) if (ruleOf[i] !== last) (last = ruleOf[i]), n++;
    return n;
  });
  return { rowid, grpOf, ruleOf, keyOf, holders, byRule, df, keyField };
}

/** Norm per rule: per indicator row (grp, ascending) its heaviest key. */
function norms(grpOf: number[], keyOf: number[], byRule: number[][], weight: number[]): Float64Array {
  return Float64Array.from(byRule, (own) => {
    const maxW = new Map<number, number>();
    for (const i of own) {
      const w = weight[keyOf[i]];
      const prior = maxW.get(grpOf[i]);
      if (prior === undefined || w > prior) maxW.set(grpOf[i], w);
    }
    let sq = 0;
    for (const g of [...maxW.keys()].sort((a, b) => a - b)) sq += (maxW.get(g) as number) ** 2;
    return Math.sqrt(sq) || 1;
  });
}

/** Technique-only neighbours, ordered as the live query orders them (shared techniques desc, id). */
function techniqueLists(db: Db, ids: string[], ruleNo: Map<string, number>) {
  const pairs = db
    .prepare("SELECT rule_id, technique, COALESCE(counts_as, technique) AS t FROM attack_pairs WHERE COALESCE(counts_as, technique) IS NOT NULL")
    .all() as { rule_id: string; technique: string | null; t: string }[];
  const holders = new Map<string, Set<number>>();
  const mine: Set<string>[] = ids.map(() => new Set());
  for (const p of pairs) {
    const no = ruleNo.get(p.rule_id);
    if (no === undefined) continue;
    let h = holders.get(p.t);
    if (!h) holders.set(p.t, (h = new Set()));
    h.add(no);
    if (p.technique !== null) mine[no].add(p.t);
  }
  const count = new Int32Array(ids.length);
  return (me: number, exclude: Uint8Array, limit: number): [string, string[]][] => {
    const touched: number[] = [];
    for (const t of mine[me]) {
      for (const other of holders.get(t) ?? []) {
        if (other === me || exclude[other]) continue;
        if (count[other]++ === 0) touched.push(other);
      }
    }
    touched.sort((a, b) => count[b] - count[a] || a - b);
    const top = touched.slice(0, limit);
    const out = top.map((other): [string, string[]] => [ids[other], [...mine[me]].filter((t) => holders.get(t)?.has(other)).sort()]);
    for (const o of touched) count[o] = 0;
    return out;
  };
}

/** Every rule's stored answer, computed in one pass over the corpus keys. */
export function computeAllRelated(db: Db): Map<string, StoredRow> {
  const ids = (db.prepare("SELECT id FROM rules").pluck().all() as string[]).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const ruleNo = new Map(ids.map((id, i) => [id, i]));
  const n = ids.length;
  const { rowid, grpOf, ruleOf, keyOf, holders, byRule, df, keyField } = loadKeys(db, ruleNo);
  const weight = df.map((d) => keyWeight(n, d));
  const norm = norms(grpOf, keyOf, byRule, weight);
  const qualifiers = qualifierFields(db);
  const qualifierKey = keyField.map((f) => qualifiers.has(f));
  const techs = techniqueLists(db, ids, ruleNo);
  const exclude = new Uint8Array(n);
  const out = new Map<string, StoredRow>();
  const scratch = new BestScratch();
  for (let me = 0; me < n; me++) {
    const best = scratch.run(me, byRule[me], grpOf, ruleOf, keyOf, holders, weight);
    const myNorm = norm[me];
    // Rank on numbers; the evidence is rebuilt on read from the stored key rows.
    const ranked: { other: number; score: number; overlap: number; entries: number[] }[] = [];
    for (const [other, entries] of best) {
      let overlap = 0;
      let sq = 0;
      if (entries.length === 1) {
        const e = entries[0];
        if (qualifierKey[keyOf[scratch.a[e]]]) continue;
        overlap = scratch.w[e];
        sq = overlap * overlap;
      } else {
        const keys = new Set<number>();
        for (const e of entries) keys.add(keyOf[scratch.a[e]]);
        let onlyQualifiers = true;
        for (const k of keys) if (!qualifierKey[k]) onlyQualifiers = false;
        if (onlyQualifiers) continue;
        // Same order of additions as candidateOf: weights descending (equal weights are equal numbers).
        const ws = [...keys].map((k) => weight[k]).sort((x, y) => y - x);
        for (const w of ws) overlap += w;
        for (const w of ws) sq += w * w;
      }
      const score = sq / (myNorm * norm[other]);
      ranked.push({ other, score: Math.round(score * 1000) / 1000, overlap: Math.round(overlap * 1000) / 1000, entries });
    }
    ranked.sort((a, b) => b.score - a.score || b.overlap - a.overlap || a.other - b.other);
    const related = ranked
      .slice(0, STORED_RELATED)
      .map((r): StoredPair => [ids[r.other], myNorm * norm[r.other], r.entries.map((e) => [rowid[scratch.a[e]], rowid[scratch.b[e]]])]);
    for (const r of ranked) exclude[r.other] = 1;
    const tech = techs(me, exclude, STORED_RELATED);
    for (const r of ranked) exclude[r.other] = 0;
    out.set(ids[me], { total: ranked.length, related, techniqueOnly: tech });
  }
  return out;
}

/**
 * Per other rule and own indicator row (grp), the heaviest shared key; the first met wins
 * ties, as in the live query. Entries live in flat arrays reused from rule to rule; each
 * other rule lists its entries in the order its (rule, grp) pairs were first met.
 */
class BestScratch {
  w: number[] = [];
  /** Own key row and the other rule's key row of each entry. */
  a: number[] = [];
  b: number[] = [];

  run(
    me: number,
    own: number[],
    grpOf: number[],
    ruleOf: number[],
    keyOf: number[],
    holders: number[][],
    weight: number[],
  ): Map<number, number[]> {
    this.w.length = this.a.length = this.b.length = 0;
    const localGrp = new Map<number, number>();
    for (const a of own) if (!localGrp.has(grpOf[a])) localGrp.set(grpOf[a], localGrp.size);
    const span = localGrp.size;
    const slot = new Map<number, number>();
    const byOther = new Map<number, number[]>();
    for (const a of own) {
      const k = keyOf[a];
      const w = weight[k];
      const g = localGrp.get(grpOf[a]) as number;
      for (const b of holders[k]) {
        const other = ruleOf[b];
        if (other === me) continue;
        const key = other * span + g;
        const prior = slot.get(key);
        if (prior !== undefined) {
          if (this.w[prior] >= w) continue;
          this.w[prior] = w;
          this.a[prior] = a;
          this.b[prior] = b;
          continue;
        }
        const e = this.w.length;
        this.w.push(w);
        this.a.push(a);
        this.b.push(b);
        slot.set(key, e);
        const list = byOther.get(other);
        if (list) list.push(e);
        else byOther.set(other, [e]);
      }
    }
    return byOther;
  }
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

/**
 * The stored answer of one rule, rebuilt with evidence exactly as the live path builds it;
 * undefined when the table has no row for it.
 */
export function storedRelated(db: Db, id: string, limit: number): { total: number; related: RelatedRule[]; techniqueOnly: RelatedResult["techniqueOnly"] } | undefined {
  const row = db.prepare("SELECT total, related_json, technique_json FROM related_rules WHERE rule_id = ?").get(id) as
    | { total: number; related_json: string; technique_json: string }
    | undefined;
  if (!row) return undefined;
  const pairs = (JSON.parse(row.related_json) as StoredPair[]).slice(0, limit);
  const techOnly = (JSON.parse(row.technique_json) as [string, string[]][]).slice(0, limit);
  const n = (db.prepare("SELECT COUNT(*) AS n FROM rules").get() as { n: number }).n;
  const ids = [id, ...pairs.map((p) => p[0]), ...techOnly.map((t) => t[0])];
  const meta = new Map(
    (
      db.prepare("SELECT id, title, vendor, modality FROM rules WHERE id IN (SELECT value FROM json_each(?))").all(JSON.stringify(ids)) as (Meta & {
        id: string;
      })[]
    ).map((r) => [r.id, r]),
  );
  const keyRows = new Map(
    (
      db
        .prepare(
          `SELECT k.rowid AS rowid, k.field, k.kind, k.value, c.rules AS df, i.field AS f, i.kind AS ik, i.value AS v
           FROM corpus_keys k JOIN indicators i ON i.rowid = k.grp
           LEFT JOIN corpus_counts c ON c.field = k.field AND c.kind = k.kind AND c.value = k.value
           WHERE k.rowid IN (SELECT value FROM json_each(?))`,
        )
        .all(JSON.stringify(pairs.flatMap((p) => p[2].flat()))) as {
        rowid: number;
        field: string;
        kind: string;
        value: string;
        df: number | null;
        f: string | null;
        ik: string;
        v: string;
      }[]
    ).map((r) => [r.rowid, r]),
  );
  const me = meta.get(id);
  if (!me) return undefined;
  const qualifiers = qualifierFields(db);
  const related: RelatedRule[] = [];
  for (const [other, normProduct, keys] of pairs) {
    // A key row gone since the table was written (its indicator deleted): answer live.
    const m = meta.get(other);
    const shared: SharedKey[] = [];
    for (const [a, b] of keys) {
      const ra = keyRows.get(a);
      const rb = keyRows.get(b);
      if (!ra || !rb || ra.df === null) return undefined;
      shared.push({
        field: ra.field,
        kind: ra.kind,
        value: ra.value,
        rules: ra.df,
        weight: keyWeight(n, ra.df),
        mine: { field: ra.f, kind: ra.ik, value: ra.v },
        theirs: { field: rb.f, kind: rb.ik, value: rb.v },
      });
    }
    const c = m ? candidateOf(other, m, me.vendor, shared, qualifiers, normProduct, 1) : null;
    if (!c) return undefined;
    related.push(c);
  }
  const techniqueOnly: RelatedResult["techniqueOnly"] = [];
  for (const [other, techniques] of techOnly) {
    const m = meta.get(other);
    if (!m) return undefined;
    techniqueOnly.push({ id: other, title: m.title, vendor: m.vendor, techniques });
  }
  return { total: row.total, related, techniqueOnly };
}
