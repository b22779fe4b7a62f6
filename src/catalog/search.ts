import { type Modality, type Severity, VENDORS } from "../model/rule.js";
import type { Db } from "./open.js";
import { FACETS, FTS_WEIGHTS, type Facet, type RuleFacetRow, type SearchIndex, answers, searchIndex, tacticKey, textSearch } from "./search-index.js";

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
    default:
      return index.known[FACETS.indexOf(facet)];
  }
}

/** Whether one facet value passes a filter. */
type ValueTest = (v: string) => boolean;

/** A filter on one facet: which of its value codes pass; a rule passes when any of its values does. */
interface Test {
  slot: number;
  allowed: Uint8Array;
}

function compileTest(index: SearchIndex, facet: Facet, values: string[]): Test {
  const slot = FACETS.indexOf(facet);
  const test = facetTest(index, facet, values);
  return { slot, allowed: Uint8Array.from(index.values[slot], (v) => (test(v) ? 1 : 0)) };
}

function passes(index: SearchIndex, t: Test, n: number): boolean {
  const { start, codes } = index.codes[t.slot];
  for (let k = start[n]; k < start[n + 1]; k++) if (t.allowed[codes[k]] === 1) return true;
  return false;
}

/** A predicate on the values of one facet; throws SearchValueError on a value the catalog cannot have. */
function facetTest(index: SearchIndex, facet: Facet, values: string[]): ValueTest {
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
    return (t) => exact.has(t) || prefixes.some((p) => t.startsWith(p));
  }
  const known = knownValues(index, facet);
  let wanted = values;
  if (facet === "tactic") {
    wanted = values.map((v) => tacticKey(v, index.tacticIds));
  }
  if (facet === "logsource") {
    // A bare value matches that value under any key.
    const bare = new Set([...known].map((k) => k.slice(k.indexOf(":") + 1)));
    for (const v of wanted) if (!known.has(v) && !bare.has(v)) throw new SearchValueError(facet, v, suggest(v, known));
    const set = new Set(wanted);
    return (l) => set.has(l) || set.has(l.slice(l.indexOf(":") + 1));
  }
  wanted.forEach((v, i) => {
    if (!known.has(v)) throw new SearchValueError(facet, values[i], suggest(v, known));
  });
  const set = new Set(wanted);
  return (v) => set.has(v);
}

const SEVERITY_RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3, informational: 4 };
const FIDELITY_RANK: Record<string, number> = { full: 0, partial: 1, none: 2 };

/** Orders as integer comparisons (ranks precomputed in the index); ties fall to title, then to the rule id (see search). */
const ORDER: Record<Exclude<Sort, "relevance">, (a: RuleFacetRow, b: RuleFacetRow) => number> = {
  title: (a, b) => a.titleRank - b.titleRank,
  vendor: (a, b) => a.vendorRank - b.vendorRank || a.titleRank - b.titleRank,
  severity: (a, b) => (SEVERITY_RANK[a.severity] ?? 5) - (SEVERITY_RANK[b.severity] ?? 5) || a.titleRank - b.titleRank,
  fidelity: (a, b) => (FIDELITY_RANK[a.fidelity] ?? 3) - (FIDELITY_RANK[b.fidelity] ?? 3) || a.titleRank - b.titleRank,
  // Newest first; dates are compared as written (ISO and Sigma's YYYY/MM/DD both sort as text).
  modified: (a, b) => b.modifiedRank - a.modifiedRank || a.titleRank - b.titleRank,
};

/** Switch for tests: false answers every query through SQLite, the reference the in-memory index must equal. */
export const searchEngine = { memory: true };

const BM25 = `bm25(rules_fts, ${FTS_WEIGHTS.map((w) => w.toFixed(1)).join(", ")})`;

/** Rules matching the words, in FTS5 order (rowid), with their bm25 rank when it orders the page. */
function textMatches(db: Db, index: SearchIndex, q: string, withRank: boolean): { rows: RuleFacetRow[]; rank: number[] } | undefined {
  const terms = termsOf(q);
  let found: { rowids: number[]; rank: number[] };
  if (searchEngine.memory && answers(terms)) {
    found = textSearch(index.text(), terms, withRank);
  } else {
    const fts = ftsQuery(q);
    if (!fts) return undefined;
    // bm25 costs about as much as the match itself on broad queries: only computed when it orders the page.
    const rows = db
      .prepare(withRank ? `SELECT rowid, ${BM25} FROM rules_fts WHERE rules_fts MATCH ?` : "SELECT rowid, 0 FROM rules_fts WHERE rules_fts MATCH ?")
      .raw()
      .all(fts) as [number, number][];
    found = { rowids: rows.map((r) => r[0]), rank: rows.map((r) => r[1]) };
  }
  const rows: RuleFacetRow[] = [];
  const rank: number[] = [];
  for (let i = 0; i < found.rowids.length; i++) {
    const r = index.byRowid.get(found.rowids[i]);
    if (!r) continue;
    rows.push(r);
    rank.push(withRank ? found.rank[i] : 0);
  }
  return { rows, rank };
}

/**
 * The first `k` of `n` positions under `cmp` (a strict order once positions break ties),
 * exactly as a stable sort would put them: a bounded insertion list when k is small.
 */
function firstK(n: number, k: number, cmp: (a: number, b: number) => number): number[] {
  if (k <= 0) return [];
  const c = (a: number, b: number) => cmp(a, b) || a - b;
  if (k * 4 >= n) return Array.from({ length: n }, (_, i) => i).sort(c).slice(0, k);
  const best: number[] = [];
  for (let i = 0; i < n; i++) {
    if (best.length === k && c(i, best[k - 1]) >= 0) continue;
    let lo = 0;
    let hi = best.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (c(best[mid], i) < 0) lo = mid + 1;
      else hi = mid;
    }
    best.splice(lo, 0, i);
    if (best.length > k) best.pop();
  }
  return best;
}

/**
 * Full-text match (the in-memory copy of FTS5, or FTS5 itself for words it
 * cannot answer exactly), then filters, sort, facet counts and paging over
 * the in-memory facet rows: well under a millisecond even when the query
 * matches every rule.
 */
export function search(db: Db, sq: SearchQuery): SearchResult {
  const index = searchIndex(db);
  const filters: Partial<Record<Facet, string[]>> = { ...sq.filters };
  if (sq.vendor) filters.vendor = [...(filters.vendor ?? []), sq.vendor];
  const tests: Test[] = [];
  for (const f of FACETS) {
    const vals = (filters[f] ?? []).filter((v) => v !== "");
    if (vals.length > 0) tests.push(compileTest(index, f, vals));
  }
  const sort = sq.sort ?? (ftsQuery(sq.q) ? "relevance" : "title");
  const text = textMatches(db, index, sq.q, sort === "relevance");
  const matched = text ? text.rows : index.rows;
  let rows = matched;
  let rank = text?.rank;
  // Per matched rule, which filter it fails: -1 none, a facet slot when exactly one, -2 more (see facetCounts).
  const failed = tests.length > 0 ? failedFilters(index, matched, tests) : undefined;
  if (failed) {
    // Plain loops: flatMap/every cost microseconds per row here.
    const kept: RuleFacetRow[] = [];
    const keptRank: number[] = [];
    for (let i = 0; i < matched.length; i++) {
      if (failed[i] !== -1) continue;
      kept.push(matched[i]);
      if (rank) keptRank.push(rank[i]);
    }
    rows = kept;
    if (rank) rank = keptRank;
  }
  const limit = Math.max(0, Math.min(sq.limit ?? 20, MAX_LIMIT));
  const offset = Math.max(0, sq.offset ?? 0);
  let page: RuleFacetRow[];
  if (!text && sort === "title") {
    page = rows.slice(offset, offset + limit);
  } else {
    const list = rows;
    const order = ORDER[sort === "relevance" ? "title" : sort];
    const rk = rank;
    const cmp =
      sort === "relevance" && text && rk
        ? (a: number, b: number) => rk[a] - rk[b] || list[a].titleRank - list[b].titleRank || list[a].n - list[b].n
        : (a: number, b: number) => order(list[a], list[b]) || list[a].n - list[b].n;
    page = firstK(list.length, offset + limit, cmp)
      .slice(offset)
      .map((i) => list[i]);
  }
  const terms = termsOf(sq.q).map((t) => t.toLowerCase());
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
    onlyInExclusion: terms.length > 0 && r.exclusion !== undefined && onlyExcluded(r.exclusion, terms),
  }));
  const result: SearchResult = { total: rows.length, hits };
  if (sq.facets) result.facets = text || failed ? facetCounts(index, matched, failed) : allFacets(index);
  return result;
}

/** True when some term appears only in negated indicator values, and nowhere in the title or description. */
function onlyExcluded(x: NonNullable<RuleFacetRow["exclusion"]>, terms: string[]): boolean {
  return terms.some((t) => !x.text.includes(t) && x.negated.some((v) => v.includes(t)) && !x.positive.some((v) => v.includes(t)));
}

const unfiltered = new WeakMap<SearchIndex, Record<Facet, FacetCount[]>>();

/** Facet counts of the whole catalog (no words, no filter), computed once per index. */
function allFacets(index: SearchIndex): Record<Facet, FacetCount[]> {
  let f = unfiltered.get(index);
  if (!f) unfiltered.set(index, (f = facetLists(index, catalogCounts(index))));
  return f;
}

/** Per row, the one facet filter it fails (-1: none, -2: more than one). */
function failedFilters(index: SearchIndex, rows: RuleFacetRow[], tests: Test[]): Int8Array {
  const failed = new Int8Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    let slot = -1;
    for (let j = 0; j < tests.length; j++) {
      if (passes(index, tests[j], rows[i].n)) continue;
      if (slot !== -1) {
        slot = -2;
        break;
      }
      slot = tests[j].slot;
    }
    failed[i] = slot;
  }
  return failed;
}

/**
 * Counts per facet value. A facet's counts apply the query and every OTHER
 * facet's filter, so picking a vendor still shows how many rules the other
 * vendors have. Values are counted by their interned codes (no string hashing
 * per row). Top values first; long facets are cut to FACET_LIMIT.
 */
function facetCounts(index: SearchIndex, rows: RuleFacetRow[], failed: Int8Array | undefined): Record<Facet, FacetCount[]> {
  // Words without filters matching most of the catalog: the whole catalog's counts less the rows
  // not matched is the same answer for less work.
  if (!failed && rows.length > index.rows.length / 2) {
    const counts = catalogCounts(index).map((c) => c.slice());
    const hit = new Uint8Array(index.codes[0].start.length);
    for (const r of rows) hit[r.n] = 1;
    countFacets(index, index.rows.filter((r) => hit[r.n] === 0), undefined, counts, -1);
    return facetLists(index, counts);
  }
  return facetLists(index, countFacets(index, rows, failed, FACETS.map((_, i) => new Uint32Array(index.values[i].length)), 1));
}

const wholeCatalog = new WeakMap<SearchIndex, Uint32Array[]>();

function catalogCounts(index: SearchIndex): Uint32Array[] {
  let c = wholeCatalog.get(index);
  if (!c) wholeCatalog.set(index, (c = countFacets(index, index.rows, undefined, FACETS.map((_, i) => new Uint32Array(index.values[i].length)), 1)));
  return c;
}

/** Adds (sign 1) or takes away (sign -1) the rows' facet codes in `counts`. */
function countFacets(index: SearchIndex, rows: RuleFacetRow[], failed: Int8Array | undefined, counts: Uint32Array[], sign: 1 | -1): Uint32Array[] {
  const starts = index.codes.map((c) => c.start);
  const codes = index.codes.map((c) => c.codes);
  const facets = FACETS.length;
  for (let r = 0; r < rows.length; r++) {
    const n = rows[r].n;
    const f = failed ? failed[r] : -1;
    if (f === -2) continue;
    // Passing every filter: counted in every facet; failing one: counted only in that facet.
    const from = f === -1 ? 0 : f;
    const to = f === -1 ? facets : f + 1;
    for (let i = from; i < to; i++) {
      const st = starts[i];
      const cs = codes[i];
      const into = counts[i];
      for (let k = st[n], end = st[n + 1]; k < end; k++) into[cs[k]] += sign;
    }
  }
  return counts;
}

function facetLists(index: SearchIndex, counts: Uint32Array[]): Record<Facet, FacetCount[]> {
  const out = {} as Record<Facet, FacetCount[]>;
  FACETS.forEach((f, i) => {
    const n = counts[i];
    const names = index.values[i];
    const codes: number[] = [];
    for (let c = 0; c < n.length; c++) if (n[c] > 0) codes.push(c);
    const cut = f === "technique" || f === "logsource" || f === "field" ? FACET_LIMIT : codes.length;
    const top = firstK(codes.length, cut, (a, b) => {
      const x = codes[a];
      const y = codes[b];
      return n[y] - n[x] || (names[x] < names[y] ? -1 : names[x] > names[y] ? 1 : 0);
    });
    out[f] = top.map((k) => ({ value: names[codes[k]], count: n[codes[k]] }));
  });
  return out;
}
