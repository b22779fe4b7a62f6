import { type Modality, type Severity, VENDORS } from "../model/rule.js";
import type { Db } from "./open.js";
import { FACETS, type Facet, type RuleFacetRow, type SearchIndex, searchIndex, tacticIds, tacticKey } from "./search-index.js";

export { FACETS, type Facet } from "./search-index.js";

export const SORTS = ["relevance", "title", "severity", "vendor", "fidelity", "modified"] as const;
export type Sort = (typeof SORTS)[number];

export interface SearchQuery {
  q: string;
  /** Kept for the CLI: same as filters.vendor = [vendor]. */
  vendor?: string;
  filters?: Partial<Record<Facet, string[]>>;
  sort?: Sort;
  limit?: number;
  offset?: number;
  /** Compute facet counts (the CLI does not need them). */
  facets?: boolean;
}

export interface SearchHit {
  id: string;
  nativeId: string;
  title: string;
  vendor: string;
  severity: string | null;
  status: string | null;
  modality: string;
  fidelity: string;
  /** Last modified (else created) date as the rule writes it. */
  modified: string | null;
  /** ATT&CK technique ids as the rule wrote them, sorted. */
  techniques: string[];
  /** The query matched this rule only through values it excludes (a NOT), never as something it looks for. */
  onlyInExclusion: boolean;
}

export interface FacetCount {
  value: string;
  count: number;
}

export interface SearchResult {
  total: number;
  hits: SearchHit[];
  /** Counts per facet value: the query and every other facet's filter applied. */
  facets?: Record<Facet, FacetCount[]>;
}

/** A facet value the catalog does not know: reported, never turned into an empty result. */
export class SearchValueError extends Error {
  constructor(
    readonly facet: string,
    readonly value: string,
    readonly suggestions: string[],
    message?: string,
  ) {
    super(
      message ??
        `unknown ${facet} '${value}'${suggestions.length ? `; did you mean ${suggestions.map((s) => `'${s}'`).join(" or ")}?` : ""}`,
    );
  }
}

const SEVERITIES: Severity[] = ["informational", "low", "medium", "high", "critical"];
export const MODALITIES: Modality[] = [
  "detection",
  "hunting",
  "building_block",
  "correlation",
  "machine_learning",
  "alert_passthrough",
  "indicator_list",
  "policy",
  "scheduled_query",
  "signal",
];
const FIDELITIES = ["full", "partial", "none"];
const TECHNIQUE = /^T\d{4}(\.\d{3})?$/;
const TECHNIQUE_ROLLUP = /^(T\d{4})(\.\*)$/;
const FACET_LIMIT = 30;
const MAX_LIMIT = 200;

/**
 * Turns free text into an FTS5 query of quoted terms (every term must match,
 * prefix match on the last one). Quoting keeps FTS syntax out of user input.
 */
export function ftsQuery(q: string): string | null {
  const terms = termsOf(q);
  if (terms.length === 0) return null;
  return terms.map((t, i) => `"${t}"${i === terms.length - 1 ? "*" : ""}`).join(" ");
}

function termsOf(q: string): string[] {
  return (q.match(/[\p{L}\p{N}_]+/gu) ?? []).slice(0, 16);
}

/** Closest known values, for the error message. */
function suggest(value: string, known: Iterable<string>): string[] {
  const v = value.toLowerCase();
  const scored = [...known]
    .map((k) => ({ k, d: k.toLowerCase().includes(v) || v.includes(k.toLowerCase()) ? 0 : distance(v, k.toLowerCase()) }))
    .filter((x) => x.d <= Math.max(2, Math.floor(v.length / 3)))
    .sort((a, b) => a.d - b.d || a.k.localeCompare(b.k));
  return scored.slice(0, 3).map((x) => x.k);
}

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 8) return 99;
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/** Values a facet can take: fixed vocabularies, else what the catalog holds. */
function knownValues(index: SearchIndex, facet: Facet): Set<string> {
  switch (facet) {
    case "vendor":
      return new Set(VENDORS);
    case "severity":
      return new Set([...SEVERITIES, "none"]);
    case "modality":
      return new Set(MODALITIES);
    case "fidelity":
      return new Set(FIDELITIES);
    default: {
      const out = new Set<string>(facet === "status" ? ["none"] : []);
      for (const r of index.rows) {
        const v = r[facet];
        if (Array.isArray(v)) for (const x of v) out.add(x);
        else out.add(v);
      }
      return out;
    }
  }
}

type Test = (r: RuleFacetRow) => boolean;

/** A predicate per facet; throws SearchValueError on a value the catalog cannot have. */
function facetTest(db: Db, index: SearchIndex, facet: Facet, values: string[]): Test {
  if (facet === "technique") {
    const exact = new Set<string>();
    const prefixes: string[] = [];
    for (const raw of values) {
      const v = raw.trim().toUpperCase();
      const roll = TECHNIQUE_ROLLUP.exec(v);
      if (roll) {
        exact.add(roll[1]);
        prefixes.push(`${roll[1]}.`);
      } else if (TECHNIQUE.test(v)) {
        exact.add(v);
      } else {
        throw new SearchValueError(
          facet,
          raw,
          [],
          `'${raw}' is not a technique id: write T1055, T1055.001, or T1055.* for the technique and its sub-techniques`,
        );
      }
    }
    return (r) => r.technique.some((t) => exact.has(t) || prefixes.some((p) => t.startsWith(p)));
  }
  const known = knownValues(index, facet);
  let wanted = values;
  if (facet === "tactic") {
    const ids = tacticIds(db);
    wanted = values.map((v) => tacticKey(v, ids));
  }
  if (facet === "logsource") {
    // A bare value matches that value under any key.
    const bare = new Set([...known].map((k) => k.slice(k.indexOf(":") + 1)));
    for (const v of wanted) if (!known.has(v) && !bare.has(v)) throw new SearchValueError(facet, v, suggest(v, known));
    const set = new Set(wanted);
    return (r) => r.logsource.some((l) => set.has(l) || set.has(l.slice(l.indexOf(":") + 1)));
  }
  wanted.forEach((v, i) => {
    if (!known.has(v)) throw new SearchValueError(facet, values[i], suggest(v, known));
  });
  const set = new Set(wanted);
  return (r) => {
    const v = r[facet];
    return Array.isArray(v) ? v.some((x) => set.has(x)) : set.has(v);
  };
}

const SEVERITY_RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3, informational: 4 };
const FIDELITY_RANK: Record<string, number> = { full: 0, partial: 1, none: 2 };
const byTitle = (a: RuleFacetRow, b: RuleFacetRow) => (a.sortTitle < b.sortTitle ? -1 : a.sortTitle > b.sortTitle ? 1 : 0);

const ORDER: Record<Exclude<Sort, "relevance">, (a: RuleFacetRow, b: RuleFacetRow) => number> = {
  title: byTitle,
  vendor: (a, b) => a.vendor.localeCompare(b.vendor) || byTitle(a, b),
  severity: (a, b) => (SEVERITY_RANK[a.severity] ?? 5) - (SEVERITY_RANK[b.severity] ?? 5) || byTitle(a, b),
  fidelity: (a, b) => (FIDELITY_RANK[a.fidelity] ?? 3) - (FIDELITY_RANK[b.fidelity] ?? 3) || byTitle(a, b),
  // Newest first; dates are compared as written (ISO and Sigma's YYYY/MM/DD both sort as text).
  modified: (a, b) => (b.modified ?? "").localeCompare(a.modified ?? "") || byTitle(a, b),
};

/**
 * Full-text match in SQLite (FTS5, bm25 rank), then filters, sort, facet
 * counts and paging over the in-memory facet rows: a few milliseconds even
 * when the query matches every rule.
 */
export function search(db: Db, sq: SearchQuery): SearchResult {
  const index = searchIndex(db);
  const filters: Partial<Record<Facet, string[]>> = { ...sq.filters };
  if (sq.vendor) filters.vendor = [...(filters.vendor ?? []), sq.vendor];
  const tests: { facet: Facet; test: Test }[] = [];
  for (const f of FACETS) {
    const vals = (filters[f] ?? []).filter((v) => v !== "");
    if (vals.length > 0) tests.push({ facet: f, test: facetTest(db, index, f, vals) });
  }
  const fts = ftsQuery(sq.q);
  let rank: Map<string, number> | undefined;
  let rows = index.rows;
  const sort = sq.sort ?? (fts ? "relevance" : "title");
  if (fts) {
    // bm25 costs about as much as the match itself on broad queries: only computed when it orders the page.
    const ranked = (
      sort === "relevance"
        ? db.prepare("SELECT id, bm25(rules_fts, 0, 10.0, 4.0, 1.0, 2.0) AS rank FROM rules_fts WHERE rules_fts MATCH ?").all(fts)
        : db.prepare("SELECT id, 0 AS rank FROM rules_fts WHERE rules_fts MATCH ?").all(fts)
    ) as { id: string; rank: number }[];
    rank = new Map(ranked.map((r) => [r.id, r.rank]));
    rows = ranked.map((r) => index.byId.get(r.id)).filter((r): r is RuleFacetRow => r !== undefined);
  }
  const matched = rows;
  if (tests.length > 0) rows = rows.filter((r) => tests.every((t) => t.test(r)));
  if (sort === "relevance" && rank) {
    const rk = rank;
    rows = [...rows].sort((a, b) => (rk.get(a.id) ?? 0) - (rk.get(b.id) ?? 0) || byTitle(a, b));
  } else if (sort !== "title" || fts) {
    rows = [...rows].sort(ORDER[sort === "relevance" ? "title" : sort]);
  }
  const limit = Math.max(0, Math.min(sq.limit ?? 20, MAX_LIMIT));
  const offset = Math.max(0, sq.offset ?? 0);
  const page = rows.slice(offset, offset + limit);
  const terms = termsOf(sq.q).map((t) => t.toLowerCase());
  const neg = db.prepare("SELECT negated, value_norm FROM indicators WHERE rule_id = ? AND value_norm IS NOT NULL");
  const desc = db.prepare("SELECT description FROM rules WHERE id = ?");
  const hits: SearchHit[] = page.map((r) => ({
    id: r.id,
    nativeId: r.nativeId,
    title: r.title,
    vendor: r.vendor,
    severity: r.severity === "none" ? null : r.severity,
    status: r.status === "none" ? null : r.status,
    modality: r.modality,
    fidelity: r.fidelity,
    modified: r.modified,
    techniques: r.technique,
    onlyInExclusion:
      terms.length > 0 &&
      onlyExcluded(neg.all(r.id) as Ind[], `${r.title}\n${(desc.get(r.id) as { description: string }).description}`, terms),
  }));
  const result: SearchResult = { total: rows.length, hits };
  if (sq.facets) result.facets = facetCounts(index, matched, tests);
  return result;
}

type Ind = { negated: number; value_norm: string };

/** True when some term appears only in negated indicator values, and nowhere in the title or description. */
function onlyExcluded(rows: Ind[], text: string, terms: string[]): boolean {
  const lower = text.toLowerCase();
  return terms.some(
    (t) =>
      !lower.includes(t) &&
      rows.some((x) => x.negated === 1 && x.value_norm.includes(t)) &&
      !rows.some((x) => x.negated === 0 && x.value_norm.includes(t)),
  );
}

/**
 * Counts per facet value. A facet's counts apply the query and every OTHER
 * facet's filter, so picking a vendor still shows how many rules the other
 * vendors have. Values are counted by their interned codes (no string hashing
 * per row). Top values first; long facets are cut to FACET_LIMIT.
 */
function facetCounts(index: SearchIndex, rows: RuleFacetRow[], tests: { facet: Facet; test: Test }[]): Record<Facet, FacetCount[]> {
  const counts = FACETS.map((_, i) => new Uint32Array(index.values[i].length));
  const slot = new Map(FACETS.map((f, i) => [f, i]));
  for (const r of rows) {
    let failed = -1;
    let fails = 0;
    for (const t of tests) {
      if (!t.test(r)) {
        failed = slot.get(t.facet) ?? -1;
        if (++fails > 1) break;
      }
    }
    if (fails === 0) {
      for (let i = 0; i < FACETS.length; i++) for (const c of r.codes[i]) counts[i][c]++;
    } else if (fails === 1 && failed >= 0) {
      for (const c of r.codes[failed]) counts[failed][c]++;
    }
  }
  const out = {} as Record<Facet, FacetCount[]>;
  FACETS.forEach((f, i) => {
    const list: FacetCount[] = [];
    counts[i].forEach((n, c) => {
      if (n > 0) list.push({ value: index.values[i][c], count: n });
    });
    list.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    out[f] = f === "technique" || f === "logsource" || f === "field" ? list.slice(0, FACET_LIMIT) : list;
  });
  return out;
}
