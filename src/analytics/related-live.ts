import type { Db } from "../catalog/open.js";
import type { RelatedOptions, RelatedResult, RelatedRule, SharedKey } from "./related.js";

/**
 * Related rules computed on the fly from corpus_keys: the reference the precomputed
 * table (related-store.ts) is tested against, and the answer for requests the table
 * cannot serve exactly (vendor filters, a limit above what is stored).
 */

interface JoinRow {
  grp: number;
  field: string;
  kind: string;
  value: string;
  mf: string | null;
  mk: string;
  mv: string;
  other: string;
  of: string | null;
  ok: string;
  ov: string;
  df: number;
}

export const METHOD =
  "Rules that share at least one non-negated, non-scope indicator with this rule once fields are mapped to canonical names " +
  "(data/canonical-fields) and values case-folded. Each key weighs w = ln(1 + N/df) (N rules, df rules holding it), so rare " +
  "values weigh more than common ones; score = cosine of the two weighted key sets (shared w² over the product of their " +
  "norms), so a rule that lists hundreds of values does not outrank an exact equivalent; a path and the file name it pins " +
  "down count once.";

const kindOf = (k: string) => (k === "in" ? "eq" : k);

function evidenceOf(k: SharedKey): string {
  const sameText = k.theirs.value.toLowerCase() === k.mine.value.toLowerCase();
  const shown = sameText ? k.mine.value : k.value;
  if ((k.mine.field ?? "") === (k.theirs.field ?? "") && kindOf(k.mine.kind) === kindOf(k.theirs.kind) && sameText) {
    return `both key on \`${shown}\` in ${k.mine.field ?? "(any field)"}`;
  }
  const side = (s: SharedKey["mine"]) => `${s.field ?? "(any field)"} ${s.kind} \`${s.value}\``;
  return `both key on \`${shown}\` in ${k.field}: ${side(k.mine)} / ${side(k.theirs)}`;
}

export const keyWeight = (n: number, df: number): number => Math.log(1 + n / Math.max(1, df));

/** Orders candidates: score, then overlap, then id. */
export const byRank = (a: RelatedRule, b: RelatedRule): number => b.score - a.score || b.overlap - a.overlap || (a.id < b.id ? -1 : 1);

/**
 * One candidate from its best shared key per own indicator row; null when it shares only
 * qualifier keys. Shared by the live path and the precompute so both rank alike.
 */
export function candidateOf(
  other: string,
  meta: { title: string; vendor: string; modality: string },
  myVendor: string,
  byGrp: Iterable<SharedKey>,
  qualifiers: ReadonlySet<string>,
  myNorm: number,
  otherNorm: number,
): RelatedRule | null {
  const unique = new Map<string, SharedKey>();
  for (const k of byGrp) unique.set(`${k.field}\u0000${k.kind}\u0000${k.value}`, k);
  const shared = [...unique.values()].sort((a, b) => b.weight - a.weight);
  // Sharing only an outcome ("ALLOW", "SUCCESS") is not sharing behaviour.
  if (shared.every((k) => qualifiers.has(k.field))) return null;
  const overlap = shared.reduce((s, k) => s + k.weight, 0);
  const score = shared.reduce((s, k) => s + k.weight * k.weight, 0) / (myNorm * otherNorm);
  return {
    id: other,
    title: meta.title,
    vendor: meta.vendor,
    modality: meta.modality,
    sameVendor: meta.vendor === myVendor,
    score: Math.round(score * 1000) / 1000,
    overlap: Math.round(overlap * 1000) / 1000,
    evidence: shared.slice(0, 5).map(evidenceOf),
    shared: shared.map((k) => ({ ...k, weight: Math.round(k.weight * 1000) / 1000 })),
  };
}

export function qualifierFields(db: Db): Set<string> {
  return new Set(db.prepare("SELECT DISTINCT canonical FROM canonical_aliases WHERE role = 'qualifier'").pluck().all() as string[]);
}

/** The on-the-fly answer (analytics tables assumed ready). */
export function relatedRulesLive(db: Db, id: string, opts: RelatedOptions = {}): RelatedResult {
  const limit = opts.limit ?? 20;
  const empty: RelatedResult = { id, method: METHOD, related: [], techniqueOnly: [] };
  const me = db.prepare("SELECT vendor FROM rules WHERE id = ?").get(id) as { vendor: string } | undefined;
  if (!me) return empty;
  const n = (db.prepare("SELECT COUNT(*) AS n FROM rules").get() as { n: number }).n;
  const rows = db
    .prepare(
      `SELECT k.grp, k.field, k.kind, k.value, mi.field AS mf, mi.kind AS mk, mi.value AS mv,
         o.rule_id AS other, oi.field AS "of", oi.kind AS ok, oi.value AS ov, c.rules AS df
       FROM corpus_keys k
       JOIN corpus_keys o ON o.field = k.field AND o.kind = k.kind AND o.value = k.value AND o.neg = 0 AND o.rule_id <> k.rule_id
       JOIN corpus_counts c ON c.field = k.field AND c.kind = k.kind AND c.value = k.value
       JOIN indicators mi ON mi.rowid = k.grp
       JOIN indicators oi ON oi.rowid = o.grp
       WHERE k.rule_id = ? AND k.neg = 0
       ORDER BY k.rowid, o.rule_id, o.rowid`,
    )
    .all(id) as JoinRow[];
  const best = bestSharedKeys(rows, n);
  const qualifiers = qualifierFields(db);
  const norms = normsOf(db, [id, ...best.keys()], n);
  const myNorm = norms.get(id) ?? 1;
  const meta = db.prepare("SELECT title, vendor, modality FROM rules WHERE id = ?");
  const wanted = (vendor: string) =>
    (!opts.vendors || opts.vendors.includes(vendor)) && !(opts.sameVendor === false && vendor === me.vendor);
  const out: RelatedRule[] = [];
  for (const [other, byGrp] of best) {
    const m = meta.get(other) as { title: string; vendor: string; modality: string } | undefined;
    if (!m) continue;
    if (!wanted(m.vendor)) continue;
    const c = candidateOf(other, m, me.vendor, byGrp.values(), qualifiers, myNorm, norms.get(other) ?? 1);
    if (c) out.push(c);
  }
  out.sort(byRank);
  const related = out.slice(0, limit);
  const tagOnly = techniqueOnly(db, id, new Set(out.map((r) => r.id)), limit * 4).filter((r) => wanted(r.vendor));
  return { id, method: METHOD, related, techniqueOnly: tagOnly.slice(0, limit) };
}

/** Per candidate and per own indicator row (grp), the rarest shared key: a path and its derived name count once. */
function bestSharedKeys(rows: JoinRow[], n: number): Map<string, Map<number, SharedKey>> {
  const best = new Map<string, Map<number, SharedKey>>();
  for (const r of rows) {
    const weight = keyWeight(n, r.df);
    let byGrp = best.get(r.other);
    if (!byGrp) best.set(r.other, (byGrp = new Map()));
    const prior = byGrp.get(r.grp);
    if (prior && prior.weight >= weight) continue;
    byGrp.set(r.grp, {
      field: r.field,
      kind: r.kind,
      value: r.value,
      rules: r.df,
      weight,
      mine: { field: r.mf, kind: r.mk, value: r.mv },
      theirs: { field: r.of, kind: r.ok, value: r.ov },
    });
  }
  return best;
}

/** Euclidean norm of each rule's weighted key set; per indicator row the heaviest key (path vs derived name). */
function normsOf(db: Db, ids: string[], n: number): Map<string, number> {
  const rows = db
    .prepare(
      `SELECT k.rule_id AS id, k.grp, MIN(c.rules) AS df FROM corpus_keys k
       JOIN corpus_counts c ON c.field = k.field AND c.kind = k.kind AND c.value = k.value
       WHERE k.rule_id IN (SELECT value FROM json_each(?)) AND k.neg = 0 GROUP BY k.rule_id, k.grp ORDER BY k.rule_id, k.grp`,
    )
    .all(JSON.stringify(ids)) as { id: string; grp: number; df: number }[];
  const sq = new Map<string, number>();
  for (const r of rows) {
    const w = keyWeight(n, r.df);
    sq.set(r.id, (sq.get(r.id) ?? 0) + w * w);
  }
  return new Map([...sq].map(([k, v]) => [k, Math.sqrt(v) || 1]));
}

function techniqueOnly(db: Db, id: string, overlapping: Set<string>, limit: number): RelatedResult["techniqueOnly"] {
  const rows = db
    .prepare(
      `SELECT p2.rule_id AS id, r.title, r.vendor, group_concat(DISTINCT COALESCE(p2.counts_as, p2.technique)) AS techs
       FROM attack_pairs p1 JOIN attack_pairs p2 ON COALESCE(p2.counts_as, p2.technique) = COALESCE(p1.counts_as, p1.technique)
         AND p2.rule_id <> p1.rule_id
       JOIN rules r ON r.id = p2.rule_id
       WHERE p1.rule_id = ? AND p1.technique IS NOT NULL
       GROUP BY p2.rule_id ORDER BY COUNT(DISTINCT COALESCE(p2.counts_as, p2.technique)) DESC, p2.rule_id LIMIT ?`,
    )
    .all(id, limit + overlapping.size) as { id: string; title: string; vendor: string; techs: string }[];
  return rows
    .filter((r) => !overlapping.has(r.id))
    .slice(0, limit)
    .map((r) => ({ id: r.id, title: r.title, vendor: r.vendor, techniques: r.techs.split(",").sort() }));
}
