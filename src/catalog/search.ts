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

const VOCABULARY: Partial<Record<Facet, Set<string>>> = {
  vendor: new Set(VENDORS),
  severity: new Set([...SEVERITIES, "none"]),
  modality: new Set(MODALITIES),
  fidelity: new Set(FIDELITIES),
};

/** Values a facet can take: fixed vocabularies, else what the catalog holds. */
function knownValues(index: SearchIndex, facet: Facet): Set<string> {
  return VOCABULARY[facet] ?? index.known[FACETS.indexOf(facet)];
}

/** Whether one facet value passes a filter. */
type ValueTest = (v: string) => boolean;

/** A filter on one facet: which values pass, by code across facets; a rule passes when any of its values does. */
interface Test {
  slot: number;
  allowed: Uint8Array;
  /** The codes allowed, listed. */
  codes: number[];
  /** Per rule position, 1 when it passes: made when many rules are tested (see withMask). */
  mask?: Uint8Array;
}

function compileTest(index: SearchIndex, facet: Facet, values: string[]): Test {
  const slot = FACETS.indexOf(facet);
  const allowed = new Uint8Array(index.base[FACETS.length]);
  const base = index.base[slot];
  const test = facetTest(index, facet, values);
  const codes: number[] = [];
  const allow = (c: number | undefined) => {
    if (c === undefined || allowed[base + c] === 1) return;
    allowed[base + c] = 1;
    codes.push(base + c);
  };
  if (typeof test === "function") index.values[slot].forEach((v, c) => test(v) && allow(c));
  else for (const v of test) allow(index.codeOf[slot].get(v));
  return { slot, allowed, codes };
}

const F = FACETS.length;

/**
 * What search derives from an index, built on first use and kept as long as
 * the index is (a new catalog state, a new index, all rebuilt).
 */
function perIndex<T>(build: (index: SearchIndex) => T): (index: SearchIndex) => T {
  const kept = new WeakMap<SearchIndex, T>();
  return (index) => {
    let v = kept.get(index);
    if (v === undefined) kept.set(index, (v = build(index)));
    return v;
  };
}

/** Per value code across facets, the positions of the rules holding it: rules[start[c]] .. rules[start[c + 1]]. */
interface Postings {
  start: Int32Array;
  rules: Int32Array;
}

const postings = perIndex((index): Postings => {
  const start = new Int32Array(index.base[F] + 1);
  for (const c of index.codes) start[c + 1]++;
  for (let c = 0; c < index.base[F]; c++) start[c + 1] += start[c];
  const rules = new Int32Array(index.codes.length);
  const at = start.slice(0, -1);
  for (let n = 0; n < index.rows.length; n++) for (let k = index.start[n * F]; k < index.start[(n + 1) * F]; k++) rules[at[index.codes[k]]++] = n;
  return { start, rules };
});

/**
 * Gives the test a mask over all rules when `tested` rules are many next to
 * the rules it lets through: one lookup per rule then, for one pass over
 * those rules' postings.
 */
function withMask(index: SearchIndex, t: Test, tested: number): void {
  const p = postings(index);
  let through = 0;
  for (const c of t.codes) through += p.start[c + 1] - p.start[c];
  if (tested * 4 < through) return;
  const mask = new Uint8Array(index.rows.length);
  for (const c of t.codes) for (let k = p.start[c]; k < p.start[c + 1]; k++) mask[p.rules[k]] = 1;
  t.mask = mask;
}

function passes(index: SearchIndex, t: Test, n: number): boolean {
  if (t.mask) return t.mask[n] === 1;
  const { start, codes } = index;
  for (let k = start[n * F + t.slot], end = start[n * F + t.slot + 1]; k < end; k++) if (t.allowed[codes[k]] === 1) return true;
  return false;
}

/**
 * What passes a filter on one facet: the values themselves, or a predicate on
 * every value the facet holds (technique roll-ups, bare log sources); throws
 * SearchValueError on a value the catalog cannot have.
 */
function facetTest(index: SearchIndex, facet: Facet, values: string[]): ValueTest | string[] {
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
  return wanted;
}

const SEVERITY_RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3, informational: 4 };
const FIDELITY_RANK: Record<string, number> = { full: 0, partial: 1, none: 2 };

/**
 * Each sort's first key, an integer per rule; ties fall to the rule's position
 * in the index (title, then id). Relevance is the bm25 rank, per query.
 */
const PRIMARY: Record<Exclude<Sort, "relevance">, (r: RuleFacetRow) => number> = {
  title: () => 0,
  vendor: (r) => r.vendorRank,
  severity: (r) => SEVERITY_RANK[r.severity] ?? 5,
  fidelity: (r) => FIDELITY_RANK[r.fidelity] ?? 3,
  // Newest first; dates are compared as written (ISO and Sigma's YYYY/MM/DD both sort as text).
  modified: (r) => -r.modifiedRank,
};

/** A sort's whole order of the catalog: the position of rule n, and the rule at each position. */
interface Ordering {
  position: Int32Array;
  at: RuleFacetRow[];
}

const orderings = perIndex(() => new Map<Sort, Ordering>());

function ordering(index: SearchIndex, sort: Exclude<Sort, "relevance">): Ordering {
  const byIndex = orderings(index);
  let o = byIndex.get(sort);
  if (!o) {
    const key = index.rows.map(PRIMARY[sort]);
    const at = [...index.rows].sort((a, b) => key[a.n] - key[b.n] || a.n - b.n);
    const position = new Int32Array(at.length);
    at.forEach((r, p) => (position[r.n] = p));
    byIndex.set(sort, (o = { position, at }));
  }
  return o;
}

/** Scratch marks over rule positions, all zero between uses. */
const marks = perIndex((index) => new Uint8Array(index.rows.length));

/** Rules offset .. offset + limit of `rows` in a sort's order: marks their positions, then reads them in order. */
function pageInOrder(index: SearchIndex, rows: RuleFacetRow[], o: Ordering, offset: number, limit: number): RuleFacetRow[] {
  const mark = marks(index);
  let lo = mark.length;
  let hi = -1;
  for (const r of rows) {
    const p = o.position[r.n];
    mark[p] = 1;
    if (p < lo) lo = p;
    if (p > hi) hi = p;
  }
  const page: RuleFacetRow[] = [];
  let seen = 0;
  for (let p = lo; p <= hi && page.length < limit; p++) {
    if (mark[p] === 0) continue;
    if (seen++ >= offset) page.push(o.at[p]);
  }
  if (hi >= lo) mark.fill(0, lo, hi + 1);
  return page;
}

/** The first k of `rows` by bm25 rank (more negative first), ties by position in the index: a bounded insertion list. */
function firstByRank(rows: RuleFacetRow[], rank: number[], k: number): number[] {
  const best: number[] = [];
  if (k <= 0) return best;
  const before = (a: number, b: number): boolean => rank[a] < rank[b] || (rank[a] === rank[b] && rows[a].n < rows[b].n);
  for (let i = 0; i < rows.length; i++) {
    if (best.length === k && !before(i, best[k - 1])) continue;
    let lo = 0;
    let hi = best.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(best[mid], i)) lo = mid + 1;
      else hi = mid;
    }
    best.splice(lo, 0, i);
    if (best.length > k) best.pop();
  }
  return best;
}

/** Switch for tests: false answers every query through SQLite, the reference the in-memory index must equal. */
export const searchEngine = { memory: true };

const BM25 = `bm25(rules_fts, ${FTS_WEIGHTS.map((w) => w.toFixed(1)).join(", ")})`;

/** Per document of the text index, the position of its rule in the index (-1: none). */
const rowOfDoc = perIndex((index) => Int32Array.from(index.text().rowid, (id) => index.byRowid.get(id)?.n ?? -1));

/** Rules matching the words, in FTS5 order (rowid), with their bm25 rank when it orders the page. */
function textMatches(db: Db, index: SearchIndex, q: string, withRank: boolean): { rows: RuleFacetRow[]; rank: number[] } | undefined {
  const terms = termsOf(q);
  const rows: RuleFacetRow[] = [];
  const rank: number[] = [];
  if (searchEngine.memory && answers(terms)) {
    const ti = index.text();
    const found = textSearch(ti, terms, withRank);
    const at = rowOfDoc(index);
    for (let i = 0; i < found.docs.length; i++) {
      const n = at[found.docs[i]];
      if (n < 0) continue;
      rows.push(index.rows[n]);
      rank.push(withRank ? found.rank[i] : 0);
    }
    return { rows, rank };
  }
  const fts = ftsQuery(q);
  if (!fts) return undefined;
  // bm25 costs about as much as the match itself on broad queries: only computed when it orders the page.
  const found = db
    .prepare(withRank ? `SELECT rowid, ${BM25} FROM rules_fts WHERE rules_fts MATCH ?` : "SELECT rowid, 0 FROM rules_fts WHERE rules_fts MATCH ?")
    .raw()
    .all(fts) as [number, number][];
  for (const [rowid, r] of found) {
    const row = index.byRowid.get(rowid);
    if (!row) continue;
    rows.push(row);
    rank.push(r);
  }
  return { rows, rank };
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
  const sort = sq.sort ?? (ftsQuery(sq.q) ? "relevance" : "title");
  const sel = selection(db, index, sq.q, filters, sort === "relevance");
  const { text, rows, rank } = sel;
  const limit = Math.max(0, Math.min(sq.limit ?? 20, MAX_LIMIT));
  const offset = Math.max(0, sq.offset ?? 0);
  let page: RuleFacetRow[];
  if (sort === "relevance" && text && rank) {
    const list = rows;
    page = firstByRank(list, rank, offset + limit)
      .slice(offset)
      .map((i) => list[i]);
  } else if (!text && sort === "title") {
    // The index's own order.
    page = rows.slice(offset, offset + limit);
  } else {
    page = pageInOrder(index, rows, ordering(index, sort === "relevance" ? "title" : sort), offset, limit);
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
  if (sq.facets) result.facets = sel.facets ??= text || sel.failed ? facetCounts(index, sel.matched, sel.failed) : allFacets(index);
  return result;
}

/** The rules a query and its filters select, before sort and paging: what paging or re-sorting a result reuses. */
interface Selection {
  /** Whether words matched (else every rule was taken). */
  text: boolean;
  /** The rules the words match, in FTS5 order. */
  matched: RuleFacetRow[];
  /** Per matched rule, which filter it fails: -1 none, a facet slot when exactly one, -2 more (see facetCounts). */
  failed?: Int8Array;
  /** The matched rules passing every filter, and their bm25 ranks when relevance orders them. */
  rows: RuleFacetRow[];
  rank?: number[];
  facets?: Record<Facet, FacetCount[]>;
}

/** Selections kept per index, most recent last: a visitor paging or re-sorting, or browsing one facet value, asks again. */
const selections = perIndex(() => new Map<string, Selection>());
const KEPT_SELECTIONS = 256;

function selection(db: Db, index: SearchIndex, q: string, filters: Partial<Record<Facet, string[]>>, withRank: boolean): Selection {
  const values = FACETS.map((f) => (filters[f] ?? []).filter((v) => v !== ""));
  const key = JSON.stringify([searchEngine.memory, withRank, q, values]);
  const kept = selections(index);
  const hit = kept.get(key);
  if (hit) {
    kept.delete(key);
    kept.set(key, hit);
    return hit;
  }
  const tests: Test[] = [];
  FACETS.forEach((f, i) => {
    if (values[i].length > 0) tests.push(compileTest(index, f, values[i]));
  });
  const text = textMatches(db, index, q, withRank);
  const matched = text ? text.rows : index.rows;
  let rows = matched;
  let rank = text?.rank;
  for (const t of tests) withMask(index, t, matched.length);
  const failed = tests.length > 0 ? failedFilters(index, matched, tests) : undefined;
  if (failed) {
    // Plain loops: flatMap/every cost microseconds per row here.
    const pass: RuleFacetRow[] = [];
    const passRank: number[] = [];
    for (let i = 0; i < matched.length; i++) {
      if (failed[i] !== -1) continue;
      pass.push(matched[i]);
      if (rank) passRank.push(rank[i]);
    }
    rows = pass;
    if (rank) rank = passRank;
  }
  const sel: Selection = { text: text !== undefined, matched, rows, ...(failed ? { failed } : {}), ...(rank ? { rank } : {}) };
  kept.set(key, sel);
  if (kept.size > KEPT_SELECTIONS) kept.delete(kept.keys().next().value as string);
  return sel;
}

/** True when some term appears only in negated indicator values, and nowhere in the title or description. */
function onlyExcluded(x: NonNullable<RuleFacetRow["exclusion"]>, terms: string[]): boolean {
  return terms.some((t) => !x.text.includes(t) && x.negated.some((v) => v.includes(t)) && !x.positive.some((v) => v.includes(t)));
}

/** Facet counts of the whole catalog (no words, no filter), computed once per index. */
const allFacets = perIndex((index) => facetLists(index, catalogCounts(index)));

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
 * vendors have. Values are counted by their codes, all facets in one array
 * (no string hashing per row). Top values first; long facets are cut to FACET_LIMIT.
 */
function facetCounts(index: SearchIndex, rows: RuleFacetRow[], failed: Int8Array | undefined): Record<Facet, FacetCount[]> {
  // Words without filters matching most of the catalog: the whole catalog's counts less the rows
  // not matched is the same answer for less work.
  if (!failed && rows.length > index.rows.length / 2) {
    const counts = catalogCounts(index).slice();
    const hit = new Uint8Array(index.rows.length);
    for (const r of rows) hit[r.n] = 1;
    countFacets(index, index.rows.filter((r) => hit[r.n] === 0), undefined, counts, -1);
    return facetLists(index, counts);
  }
  const counts = new Uint32Array(index.base[F]);
  // Few rules: list the values they hold rather than look at every value of every facet.
  if (rows.length * (index.codes.length / Math.max(1, index.rows.length)) < index.base[F] / 4) {
    const touched = new Set<number>();
    const { start, codes } = index;
    countFacets(index, rows, failed, counts, 1);
    for (let r = 0; r < rows.length; r++) {
      const n = rows[r].n;
      for (let k = start[n * F], end = start[(n + 1) * F]; k < end; k++) if (counts[codes[k]] > 0) touched.add(codes[k]);
    }
    return facetLists(index, counts, Int32Array.from(touched).sort());
  }
  return facetLists(index, countFacets(index, rows, failed, counts, 1));
}

const catalogCounts = perIndex((index) => countFacets(index, index.rows, undefined, new Uint32Array(index.base[F]), 1));

/** Adds (sign 1) or takes away (sign -1) the rows' value codes in `counts`. */
function countFacets(index: SearchIndex, rows: RuleFacetRow[], failed: Int8Array | undefined, counts: Uint32Array, sign: 1 | -1): Uint32Array {
  const { start, codes } = index;
  for (let r = 0; r < rows.length; r++) {
    const n = rows[r].n;
    const f = failed ? failed[r] : -1;
    if (f === -2) continue;
    // Passing every filter: counted in every facet; failing one: counted only in that facet.
    const from = f === -1 ? start[n * F] : start[n * F + f];
    const to = f === -1 ? start[n * F + F] : start[n * F + f + 1];
    for (let k = from; k < to; k++) counts[codes[k]] += sign;
  }
  return counts;
}

/** Per facet, its values by name: a value's rank, by code across facets, and the code at each rank. */
interface NameOrder {
  rank: Int32Array;
  codeAt: Int32Array;
}

const nameOrder = perIndex((index): NameOrder => {
  const rank = new Int32Array(index.base[F]);
  const codeAt = new Int32Array(index.base[F]);
  index.values.forEach((names, i) => {
    const byName = names.map((_, c) => c).sort((a, b) => (names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : 0));
    byName.forEach((c, k) => {
      rank[index.base[i] + c] = k;
      codeAt[index.base[i] + k] = c;
    });
  });
  return { rank, codeAt };
});

/** Below this, a facet value's name rank; above, its count (exact in a double for any catalog size). Facets have fewer values. */
const RANKS = 0x100000;

/** Room for one facet's sort keys. */
const sortScratch = perIndex((index) => new Float64Array(Math.max(1, ...index.values.map((v) => v.length))));

/** `held`: when given, the only codes with a count (ascending); else every value of every facet is looked at. */
function facetLists(index: SearchIndex, counts: Uint32Array, held?: Int32Array): Record<Facet, FacetCount[]> {
  const out = {} as Record<Facet, FacetCount[]>;
  const { rank, codeAt } = nameOrder(index);
  const keys = sortScratch(index);
  let h = 0;
  for (let i = 0; i < F; i++) {
    const f = FACETS[i];
    const base = index.base[i];
    const names = index.values[i];
    // Most rules first, then by name: one integer per value (name rank less count·RANKS), sorted natively.
    let m = 0;
    if (held) {
      for (; h < held.length && held[h] < index.base[i + 1]; h++) keys[m++] = rank[held[h]] - counts[held[h]] * RANKS;
    } else {
      for (let c = base; c < base + names.length; c++) if (counts[c] > 0) keys[m++] = rank[c] - counts[c] * RANKS;
    }
    const sorted = keys.subarray(0, m).sort();
    const cut = f === "technique" || f === "logsource" || f === "field" ? Math.min(FACET_LIMIT, m) : m;
    const list: FacetCount[] = [];
    for (let k = 0; k < cut; k++) {
      const c = codeAt[base + (((sorted[k] % RANKS) + RANKS) % RANKS)];
      list.push({ value: names[c], count: counts[base + c] });
    }
    out[f] = list;
  }
  return out;
}
