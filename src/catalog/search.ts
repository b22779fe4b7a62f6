import type { Db } from "./open.js";

export interface SearchQuery {
  q: string;
  vendor?: string;
  limit?: number;
  offset?: number;
}

export interface SearchHit {
  id: string;
  title: string;
  vendor: string;
  severity: string | null;
  status: string | null;
  modality: string;
  fidelity: string;
  /** The query matched this rule only through values it excludes (a NOT), never as something it looks for. */
  onlyInExclusion: boolean;
}

/**
 * Turns free text into an FTS5 query of quoted terms (every term must match,
 * prefix match on the last one). Quoting keeps FTS syntax out of user input.
 */
export function ftsQuery(q: string): string | null {
  const terms = q.match(/[\p{L}\p{N}_]+/gu) ?? [];
  if (terms.length === 0) return null;
  return terms.map((t, i) => `"${t}"${i === terms.length - 1 ? "*" : ""}`).join(" ");
}

export function search(db: Db, sq: SearchQuery): { total: number; hits: SearchHit[] } {
  const fts = ftsQuery(sq.q);
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (fts) {
    where.push("r.id IN (SELECT id FROM rules_fts WHERE rules_fts MATCH ?)");
    args.push(fts);
  }
  if (sq.vendor) {
    where.push("r.vendor = ?");
    args.push(sq.vendor);
  }
  const w = where.length ? `WHERE ${where.join(" AND ")}` : "";
  const total = (db.prepare(`SELECT COUNT(*) AS n FROM rules r ${w}`).get(...args) as { n: number }).n;
  const order = fts
    ? "ORDER BY (SELECT bm25(rules_fts, 0, 10.0, 4.0, 1.0, 2.0) FROM rules_fts WHERE rules_fts MATCH ? AND rules_fts.id = r.id), r.title"
    : "ORDER BY r.title";
  const rows = db
    .prepare(
      `SELECT r.id, r.title, r.vendor, r.severity, r.status, r.modality, r.fidelity FROM rules r ${w} ${order} LIMIT ? OFFSET ?`,
    )
    .all(...args, ...(fts ? [fts] : []), sq.limit ?? 20, sq.offset ?? 0) as Omit<SearchHit, "onlyInExclusion">[];
  const terms = (sq.q.match(/[\p{L}\p{N}_]+/gu) ?? []).map((t) => t.toLowerCase());
  const neg = db.prepare("SELECT negated, value_norm FROM indicators WHERE rule_id = ? AND value_norm IS NOT NULL");
  const hits = rows.map((r) => ({ ...r, onlyInExclusion: terms.length > 0 && onlyExcluded(neg.all(r.id) as Ind[], r, terms) }));
  return { total, hits };
}

type Ind = { negated: number; value_norm: string };

/** True when some term appears only in negated indicator values, and nowhere in the title. */
function onlyExcluded(rows: Ind[], r: { title: string }, terms: string[]): boolean {
  const title = r.title.toLowerCase();
  return terms.some(
    (t) =>
      !title.includes(t) &&
      rows.some((x) => x.negated === 1 && x.value_norm.includes(t)) &&
      !rows.some((x) => x.negated === 0 && x.value_norm.includes(t)),
  );
}
