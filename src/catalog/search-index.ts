import { tacticShortname } from "../attack/tactics.js";
import type { Statement } from "better-sqlite3";
import type { Db } from "./open.js";

/** Facets a search can be narrowed by. Values within a facet are alternatives; facets combine with AND. */
export const FACETS = ["vendor", "severity", "status", "modality", "tactic", "technique", "logsource", "field", "fidelity"] as const;
export type Facet = (typeof FACETS)[number];

/** What search filters, sorts and counts facets on, for one rule. Strings only, "none" for absent. */
export interface RuleFacetRow {
  id: string;
  /** The rules row's rowid, which its full-text row shares. */
  rowid: number;
  nativeId: string;
  title: string;
  /** Lower-cased title, the sort key. */
  sortTitle: string;
  vendor: string;
  severity: string;
  status: string;
  modality: string;
  fidelity: string;
  /** Date last modified as the rule writes it (or created, when it never was), null when neither. */
  modified: string | null;
  /** ATT&CK tactic shortnames (TA0007, Discovery, discovery → discovery). */
  tactic: string[];
  technique: string[];
  /** key:value */
  logsource: string[];
  field: string[];
  /** Position in SearchIndex.rows: where its value codes sit in SearchIndex.codes. */
  n: number;
  /** Position of each sort key among all rules' keys (equal keys, equal rank): sorting compares integers. */
  vendorRank: number;
  modifiedRank: number;
  /**
   * Present when the rule excludes some value: its lower-cased title and description, and its
   * indicator values as the language compares them, split by polarity (the "only in an exclusion" mark).
   */
  exclusion?: { text: string; negated: string[]; positive: string[] };
}

export interface SearchIndex {
  /** Sorted by lower-cased title, then id: a rule's position here is its `n`. */
  rows: RuleFacetRow[];
  byId: Map<string, RuleFacetRow>;
  byRowid: Map<number, RuleFacetRow>;
  /** Per facet (FACETS order), every value, indexed by its code within the facet. */
  values: string[][];
  /** Per facet (FACETS order), value → its code within the facet. */
  codeOf: Map<string, number>[];
  /**
   * Value codes across facets: facet i's value c is base[i] + c, so one array counts every facet;
   * base[FACETS.length] is the number of values of all facets.
   */
  base: Int32Array;
  /**
   * The facet values of row n, as codes across facets, facet after facet: facet i's are
   * codes[start[n·F + i]] .. codes[start[n·F + i + 1]] (F = FACETS.length), all of them
   * codes[start[n·F]] .. codes[start[(n + 1)·F]].
   */
  start: Int32Array;
  codes: Int32Array;
  /** Per facet (FACETS order), the values a filter may name (status also takes "none"). */
  known: Set<string>[];
  /** TA id → shortname from the loaded ATT&CK data. */
  tacticIds: Map<string, string>;
  /** The full-text index held in memory (see TextIndex); built on first use. */
  text(): TextIndex;
}

function group(rows: { rule_id: string; v: string }[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const l = out.get(r.rule_id);
    if (!l) out.set(r.rule_id, [r.v]);
    else if (!l.includes(r.v)) l.push(r.v);
  }
  return out;
}

/** TA id → shortname from the loaded ATT&CK data (empty when none is loaded). */
export function tacticIds(db: Db): Map<string, string> {
  const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'attack_tactics'").get();
  if (!has) return new Map();
  const rows = db.prepare("SELECT DISTINCT id, shortname FROM attack_tactics").all() as { id: string; shortname: string }[];
  return new Map(rows.map((r) => [r.id.toUpperCase(), r.shortname]));
}

/** Shortname of a tactic as a rule or a user writes it. */
export function tacticKey(written: string, ids: Map<string, string>): string {
  return ids.get(written.trim().toUpperCase()) ?? tacticShortname(written);
}

/** Ranks of values under a comparator: equal under it, equal rank. */
function ranks(values: string[], cmp: (a: string, b: string) => number): Map<string, number> {
  const sorted = [...new Set(values)].sort(cmp);
  const out = new Map<string, number>();
  let rank = 0;
  sorted.forEach((v, i) => {
    if (i > 0 && cmp(sorted[i - 1], v) !== 0) rank = i;
    out.set(v, rank);
  });
  return out;
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Per rule that excludes some value: what marks a hit as found only in an exclusion. */
function exclusionData(db: Db): Map<string, { text: string; negated: string[]; positive: string[] }> {
  const out = new Map<string, { text: string; negated: string[]; positive: string[] }>();
  const rows = db
    .prepare(
      `SELECT i.rule_id, i.negated, i.value_norm FROM indicators i
       WHERE i.value_norm IS NOT NULL AND i.rule_id IN (SELECT rule_id FROM indicators WHERE negated = 1 AND value_norm IS NOT NULL)`,
    )
    .raw()
    .all() as [string, number, string][];
  for (const [id, neg, v] of rows) {
    let e = out.get(id);
    if (!e) out.set(id, (e = { text: "", negated: [], positive: [] }));
    (neg === 1 ? e.negated : e.positive).push(v);
  }
  const text = db.prepare("SELECT title, description FROM rules WHERE id = ?");
  for (const [id, e] of out) {
    const r = text.get(id) as { title: string; description: string } | undefined;
    e.text = r ? `${r.title}\n${r.description}`.toLowerCase() : "";
  }
  return out;
}

function build(db: Db): SearchIndex {
  const ids = tacticIds(db);
  const q = (sql: string) => group(db.prepare(sql).all() as { rule_id: string; v: string }[]);
  const tactic = group(
    (db.prepare("SELECT rule_id, tactic AS v FROM rule_attack WHERE tactic IS NOT NULL").all() as { rule_id: string; v: string }[]).map((r) => ({
      rule_id: r.rule_id,
      v: tacticKey(r.v, ids),
    })),
  );
  const technique = q("SELECT rule_id, UPPER(technique) AS v FROM rule_attack WHERE technique IS NOT NULL ORDER BY 2");
  const logsource = q("SELECT rule_id, key || ':' || value AS v FROM rule_logsources");
  const field = q("SELECT DISTINCT rule_id, field AS v FROM indicators WHERE field IS NOT NULL");
  const excluded = exclusionData(db);
  const rules = db
    .prepare(
      `SELECT rowid, id, native_id, title, vendor, severity, status, modality, fidelity,
         COALESCE(json_extract(record_json, '$.modified'), json_extract(record_json, '$.date')) AS modified FROM rules`,
    )
    .all() as {
    rowid: number;
    id: string;
    native_id: string;
    title: string;
    vendor: string;
    severity: string | null;
    status: string | null;
    modality: string;
    fidelity: string;
    modified: string | null;
  }[];
  const rows: RuleFacetRow[] = rules.map((r) => ({
    id: r.id,
    rowid: r.rowid,
    nativeId: r.native_id,
    title: r.title,
    sortTitle: r.title.toLowerCase(),
    vendor: r.vendor,
    severity: r.severity ?? "none",
    status: r.status ?? "none",
    modality: r.modality,
    fidelity: r.fidelity,
    modified: r.modified === null ? null : String(r.modified),
    tactic: tactic.get(r.id) ?? [],
    technique: technique.get(r.id) ?? [],
    logsource: logsource.get(r.id) ?? [],
    field: field.get(r.id) ?? [],
    n: 0,
    vendorRank: 0,
    modifiedRank: 0,
    ...(excluded.has(r.id) ? { exclusion: excluded.get(r.id) } : {}),
  }));
  rows.sort((a, b) => (a.sortTitle < b.sortTitle ? -1 : a.sortTitle > b.sortTitle ? 1 : a.id < b.id ? -1 : 1));
  const codeOf = FACETS.map(() => new Map<string, number>());
  const values: string[][] = FACETS.map(() => []);
  const F = FACETS.length;
  // Codes within each facet first (the facets' sizes, hence their bases, are known only at the end).
  const start = new Int32Array(rows.length * F + 1);
  const local: number[] = [];
  rows.forEach((r, n) => {
    r.n = n;
    FACETS.forEach((f, i) => {
      start[n * F + i] = local.length;
      const v = r[f];
      for (const x of Array.isArray(v) ? v : [v]) {
        let c = codeOf[i].get(x);
        if (c === undefined) {
          c = values[i].length;
          values[i].push(x);
          codeOf[i].set(x, c);
        }
        local.push(c);
      }
    });
  });
  start[rows.length * F] = local.length;
  const base = new Int32Array(F + 1);
  for (let i = 0; i < F; i++) base[i + 1] = base[i] + values[i].length;
  const codes = new Int32Array(local.length);
  for (let n = 0; n < rows.length; n++) {
    for (let i = 0; i < F; i++) for (let k = start[n * F + i]; k < start[n * F + i + 1]; k++) codes[k] = base[i] + local[k];
  }
  // The sort orders search.ts offers, as integer keys (localeCompare once per distinct value, not per comparison).
  const vendor = ranks(rows.map((r) => r.vendor), (a, b) => a.localeCompare(b));
  const modified = ranks(rows.map((r) => r.modified ?? ""), (a, b) => a.localeCompare(b));
  for (const r of rows) {
    r.vendorRank = vendor.get(r.vendor) as number;
    r.modifiedRank = modified.get(r.modified ?? "") as number;
  }
  const known = FACETS.map((f, i) => new Set(f === "status" ? ["none", ...values[i]] : values[i]));
  let text: TextIndex | undefined;
  return {
    rows,
    byId: new Map(rows.map((r) => [r.id, r])),
    byRowid: new Map(rows.map((r) => [r.rowid, r])),
    values,
    codeOf,
    base,
    start,
    codes,
    known,
    tacticIds: ids,
    text: () => (text ??= buildTextIndex(db)),
  };
}

const cache = new WeakMap<Db, { stamp: string; index: SearchIndex }>();
const probes = new WeakMap<Db, { version: Statement; changes: Statement }>();
const vouched = new WeakSet<Db>();

/**
 * Tells searchIndex(db) that the catalog has not changed since its last call
 * (true), so it skips asking SQLite; false goes back to asking every time. For
 * a caller that knows it from elsewhere: a search worker whose main thread has
 * seen no commit since the worker last asked (see search-worker.ts).
 */
export function vouchUnchanged(db: Db, unchanged: boolean): void {
  if (unchanged) vouched.add(db);
  else vouched.delete(db);
}

/**
 * The catalog's rules as facet rows, rebuilt when the catalog changes: another
 * connection's commit moves data_version, this connection's own writes move
 * total_changes().
 */
export function searchIndex(db: Db): SearchIndex {
  if (vouched.has(db)) {
    const known = cache.get(db);
    if (known) return known.index;
  }
  let probe = probes.get(db);
  // Compiled once: this runs on every search.
  if (!probe) probes.set(db, (probe = { version: db.prepare("PRAGMA data_version"), changes: db.prepare("SELECT total_changes()") }));
  const stamp = `${probe.version.pluck().get() as number}:${probe.changes.pluck().get() as number}`;
  const hit = cache.get(db);
  if (hit && hit.stamp === stamp) return hit.index;
  const index = build(db);
  cache.set(db, { stamp, index });
  return index;
}

/**
 * Column weights of the relevance ranking, in rules_fts column order
 * (id, title, description, body, indicators): bm25() gets them in SQL, and the
 * in-memory index applies the same.
 */
export const FTS_WEIGHTS = [0, 10.0, 4.0, 1.0, 2.0] as const;
const FTS_COLUMNS = ["id", "title", "description", "body", "indicators"] as const;

/**
 * The full-text index of rules_fts, held in memory so that a search costs no
 * SQLite round trip per matched row. Built from SQLite's own tokens
 * (fts5vocab), document sizes and totals, so matching and bm25 ranking are
 * exactly FTS5's for the queries it answers: ASCII letters and digits only
 * (see answers()); anything else goes to SQLite.
 */
export interface TextIndex {
  /** Distinct tokens, sorted by code unit (a prefix is one contiguous range). */
  terms: string[];
  /** Postings of terms[i] are start[i] .. start[i+1]: documents ascending, with their weighted frequency. */
  start: Int32Array;
  docs: Int32Array;
  freq: Float64Array;
  /** Document number → FTS rowid (documents are numbered in rowid order, FTS5's result order). */
  rowid: Float64Array;
  /** Tokens per document, all columns (bm25's D). */
  size: Float64Array;
  /** Rows and average tokens per row, as FTS5 keeps them (bm25's N and avgdl). */
  nRow: number;
  avgdl: number;
  /** Per-document frequency buffers reused across searches (one per query term). */
  scratch: Float64Array[];
  /** Merged postings of every prefix whose terms hold more than WIDE_PREFIX postings ("a*" spans thousands of terms). */
  prefixes: Map<string, { docs: Int32Array; freq: Float64Array }>;
}

/** A prefix with more postings than this is merged at build time; narrower ones are merged per query (tens of µs). */
const WIDE_PREFIX = 6000;

/** Walks the prefix tree of the sorted terms, merging the postings of every wide prefix. */
function widePrefixes(terms: string[], start: Int32Array, docs: Int32Array, freq: Float64Array, nDocs: number) {
  const out = new Map<string, { docs: Int32Array; freq: Float64Array }>();
  const dense = new Float64Array(nDocs);
  const visit = (prefix: string, lo: number, hi: number): void => {
    if (start[hi] - start[lo] <= WIDE_PREFIX) return;
    dense.fill(0);
    for (let k = start[lo]; k < start[hi]; k++) dense[docs[k]] += freq[k];
    const held: number[] = [];
    for (let d = 0; d < nDocs; d++) if (dense[d] > 0) held.push(d);
    out.set(prefix, { docs: Int32Array.from(held), freq: Float64Array.from(held, (d) => dense[d]) });
    const depth = prefix.length;
    let i = lo;
    if (i < hi && terms[i].length === depth) i++;
    while (i < hi) {
      const child = terms[i].slice(0, depth + 1);
      let j = i + 1;
      while (j < hi && terms[j].startsWith(child)) j++;
      visit(child, i, j);
      i = j;
    }
  };
  visit("", 0, terms.length);
  out.delete("");
  return out;
}

/** SQLite's varint (big-endian 7-bit groups, a 9th byte of 8 bits), as FTS5 stores sizes. */
function varints(buf: Buffer): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < buf.length) {
    let v = 0;
    let n = 0;
    for (;;) {
      const b = buf[i++];
      if (n === 8) {
        v = v * 256 + b;
        break;
      }
      v = v * 128 + (b & 0x7f);
      n++;
      if (b < 0x80 || i >= buf.length) break;
    }
    out.push(v);
  }
  return out;
}

export function buildTextIndex(db: Db): TextIndex {
  // The averages record (id 1): row count, then tokens per column.
  const avg = db.prepare("SELECT block FROM rules_fts_data WHERE id = 1").get() as { block: Buffer } | undefined;
  const totals = avg ? varints(avg.block) : [0];
  const nRow = totals[0] ?? 0;
  const nToken = totals.slice(1).reduce((a, b) => a + b, 0);
  const sizes = db.prepare("SELECT id, sz FROM rules_fts_docsize ORDER BY id").raw().all() as [number, Buffer][];
  const docOf = new Map<number, number>();
  const rowid = new Float64Array(sizes.length);
  const size = new Float64Array(sizes.length);
  sizes.forEach(([id, sz], i) => {
    docOf.set(id, i);
    rowid[i] = id;
    size[i] = varints(sz).reduce((a, b) => a + b, 0);
  });
  db.exec("CREATE VIRTUAL TABLE IF NOT EXISTS temp.rules_fts_tokens USING fts5vocab(main, 'rules_fts', 'instance')");
  const weight = new Map<string, number>(FTS_COLUMNS.map((c, i) => [c, FTS_WEIGHTS[i]]));
  // Streamed straight into typed arrays: one posting per (term, doc), its columns summed with their
  // weights. Materializing the rows first would cost several times the index in garbage.
  const rows = db
    .prepare("SELECT term, doc, col, count(*) FROM temp.rules_fts_tokens GROUP BY term, doc, col ORDER BY term, doc")
    .raw()
    .iterate() as IterableIterator<[string, number, string, number]>;
  let docsBuf = new Int32Array(1 << 16);
  let freqBuf = new Float64Array(1 << 16);
  let total = 0;
  const byTerm: string[] = [];
  const starts: number[] = [];
  for (const [term, id, col, n] of rows) {
    const doc = docOf.get(id);
    if (doc === undefined) continue;
    if (byTerm.length === 0 || byTerm[byTerm.length - 1] !== term) {
      byTerm.push(term);
      starts.push(total);
    }
    const w = (weight.get(col) ?? 1.0) * n;
    if (total > starts[starts.length - 1] && docsBuf[total - 1] === doc) {
      freqBuf[total - 1] += w;
      continue;
    }
    if (total === docsBuf.length) {
      const d = new Int32Array(total * 2);
      d.set(docsBuf);
      docsBuf = d;
      const f = new Float64Array(total * 2);
      f.set(freqBuf);
      freqBuf = f;
    }
    docsBuf[total] = doc;
    freqBuf[total] = w;
    total++;
  }
  starts.push(total);
  // SQLite orders terms by their UTF-8 bytes; lookups compare UTF-16 code units: the same order
  // but for characters beyond U+FFFF. Reordered when they differ.
  const order = byTerm.map((_, i) => i);
  if (byTerm.some((t, i) => i > 0 && !(byTerm[i - 1] < t))) order.sort((a, b) => byCodeUnit(byTerm[a], byTerm[b]));
  const terms = order.map((i) => byTerm[i]);
  const start = new Int32Array(terms.length + 1);
  const docs = new Int32Array(total);
  const freq = new Float64Array(total);
  let at = 0;
  order.forEach((i, k) => {
    start[k] = at;
    const from = starts[i];
    const len = starts[i + 1] - from;
    docs.set(docsBuf.subarray(from, from + len), at);
    freq.set(freqBuf.subarray(from, from + len), at);
    at += len;
  });
  start[terms.length] = at;
  return {
    terms,
    start,
    docs,
    freq,
    rowid,
    size,
    nRow,
    avgdl: nToken / nRow,
    scratch: [],
    prefixes: widePrefixes(terms, start, docs, freq, sizes.length),
  };
}

/** Only ASCII letters and digits: one token each under unicode61, lower-cased, nothing folded or split. */
const PLAIN_TERM = /^[A-Za-z0-9]+$/;

/** Whether the in-memory index answers these query terms exactly (else SQLite does). */
export function answers(terms: string[]): boolean {
  return terms.length > 0 && terms.every((t) => PLAIN_TERM.test(t));
}

function lowerBound(terms: string[], key: string): number {
  let lo = 0;
  let hi = terms.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (terms[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Per document, the phrase's weighted frequency (0: absent), added into `into`
 * (all zero on entry); the documents it holds are pushed to `held`, ascending.
 */
function phraseFreq(ti: TextIndex, term: string, prefix: boolean, into: Float64Array, held: number[]): void {
  const wide = prefix ? ti.prefixes.get(term) : undefined;
  if (wide) {
    for (let k = 0; k < wide.docs.length; k++) {
      into[wide.docs[k]] = wide.freq[k];
      held.push(wide.docs[k]);
    }
    return;
  }
  let lo = lowerBound(ti.terms, term);
  let hi = lo;
  if (prefix) {
    while (hi < ti.terms.length && ti.terms[hi].startsWith(term)) hi++;
  } else if (lo < ti.terms.length && ti.terms[lo] === term) hi = lo + 1;
  if (hi - lo === 1) {
    for (let k = ti.start[lo]; k < ti.start[hi]; k++) {
      into[ti.docs[k]] = ti.freq[k];
      held.push(ti.docs[k]);
    }
    return;
  }
  let count = 0;
  for (; lo < hi; lo++) {
    for (let k = ti.start[lo]; k < ti.start[lo + 1]; k++) {
      const d = ti.docs[k];
      if (into[d] === 0) count++;
      into[d] += ti.freq[k];
    }
  }
  // Several terms' postings, merged out of order: read back in document order.
  for (let d = 0; count > 0; d++) {
    if (into[d] === 0) continue;
    held.push(d);
    count--;
  }
}

/**
 * The documents matching every term (the last one as a prefix), ascending
 * (FTS5's rowid order), with FTS5's bm25 rank (more negative is better) when asked:
 * idf = ln((N - n + 0.5) / (n + 0.5)) (1e-6 when not positive), and per
 * phrase idf · f·(k1+1) / (f + k1·(1 - b + b·D/avgdl)), k1 = 1.2, b = 0.75,
 * summed in phrase order, negated — the same operations in the same order.
 * Only the documents of the rarest term are visited.
 */
export function textSearch(ti: TextIndex, queryTerms: string[], withRank: boolean): { docs: number[]; rank: number[] } {
  const n = ti.rowid.length;
  const freqs: Float64Array[] = [];
  const held: number[][] = [];
  const idf: number[] = [];
  let rarest = 0;
  queryTerms.forEach((raw, i) => {
    // Kept all zero between searches: only the entries set are cleared, below.
    const f = (ti.scratch[i] ??= new Float64Array(n));
    const h: number[] = [];
    phraseFreq(ti, raw.toLowerCase(), i === queryTerms.length - 1, f, h);
    freqs.push(f);
    held.push(h);
    let v = Math.log((ti.nRow - h.length + 0.5) / (h.length + 0.5));
    if (v <= 0.0) v = 1e-6;
    idf.push(v);
    if (h.length < held[rarest].length) rarest = i;
  });
  const docs: number[] = [];
  const rank: number[] = [];
  const k1 = 1.2;
  const b = 0.75;
  for (const d of held[rarest]) {
    let all = true;
    for (const f of freqs) if (f[d] === 0) all = false;
    if (!all) continue;
    docs.push(d);
    if (!withRank) continue;
    const D = ti.size[d];
    let score = 0.0;
    for (let i = 0; i < freqs.length; i++) {
      const f = freqs[i][d];
      score += idf[i] * ((f * (k1 + 1.0)) / (f + k1 * (1 - b + (b * D) / ti.avgdl)));
    }
    rank.push(-1.0 * score);
  }
  held.forEach((h, i) => {
    for (const d of h) freqs[i][d] = 0;
  });
  return { docs, rank };
}
