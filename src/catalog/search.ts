import { tacticShortname } from "../attack/tactics.js";
import { type Modality, type Severity, VENDORS } from "../model/rule.js";
import type { Db } from "./open.js";

/** Facets a search can be narrowed by. Values within a facet are alternatives; facets combine with AND. */
export const FACETS = ["vendor", "severity", "status", "modality", "tactic", "technique", "logsource", "field", "fidelity"] as const;
export type Facet = (typeof FACETS)[number];

export const SORTS = ["relevance", "title", "severity", "vendor", "fidelity"] as const;
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
  /** Counts per facet value over the rules matching the query and every filter. */
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

type Clause = { sql: string; args: (string | number)[] };

/** Written tactic strings (TA0007, discovery, "Discovery") grouped by ATT&CK shortname. */
function tacticSpellings(db: Db): Map<string, string[]> {
  const rows = db.prepare("SELECT DISTINCT tactic FROM rule_attack WHERE tactic IS NOT NULL").all() as { tactic: string }[];
  const byId = tacticIds(db);
  const out = new Map<string, string[]>();
  for (const { tactic } of rows) {
    const short = byId.get(tactic.toUpperCase()) ?? tacticShortname(tactic);
    const list = out.get(short) ?? [];
    list.push(tactic);
    out.set(short, list);
  }
  return out;
}

/** TA id → shortname from the loaded ATT&CK data, when any is loaded. */
function tacticIds(db: Db): Map<string, string> {
  const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'attack_tactics'").get();
  if (!has) return new Map();
  const rows = db.prepare("SELECT DISTINCT id, shortname FROM attack_tactics").all() as { id: string; shortname: string }[];
  return new Map(rows.map((r) => [r.id.toUpperCase(), r.shortname]));
}

function distinct(db: Db, sql: string): string[] {
  return (db.prepare(sql).all() as { v: string }[]).map((r) => r.v);
}

/** Closest known values, for the error message. */
function suggest(value: string, known: string[]): string[] {
  const v = value.toLowerCase();
  const scored = known
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

function checkKnown(facet: Facet, value: string, known: string[]): void {
  if (!known.includes(value)) throw new SearchValueError(facet, value, suggest(value, known));
}

/** One SQL clause per facet; throws SearchValueError on a value the catalog cannot have. */
function facetClause(db: Db, facet: Facet, values: string[], tactics: () => Map<string, string[]>): Clause {
  const ph = values.map(() => "?").join(", ");
  switch (facet) {
    case "vendor":
      for (const v of values) checkKnown(facet, v, [...VENDORS]);
      return { sql: `r.vendor IN (${ph})`, args: values };
    case "severity":
      for (const v of values) checkKnown(facet, v, [...SEVERITIES, "none"]);
      return {
        sql: `(r.severity IN (${ph})${values.includes("none") ? " OR r.severity IS NULL" : ""})`,
        args: values,
      };
    case "status": {
      const known = [...distinct(db, "SELECT DISTINCT status AS v FROM rules WHERE status IS NOT NULL"), "none"];
      for (const v of values) checkKnown(facet, v, known);
      return { sql: `(r.status IN (${ph})${values.includes("none") ? " OR r.status IS NULL" : ""})`, args: values };
    }
    case "modality":
      for (const v of values) checkKnown(facet, v, MODALITIES);
      return { sql: `r.modality IN (${ph})`, args: values };
    case "fidelity":
      for (const v of values) checkKnown(facet, v, FIDELITIES);
      return { sql: `r.fidelity IN (${ph})`, args: values };
    case "tactic": {
      const map = tactics();
      const written: string[] = [];
      for (const v of values) {
        const short = tacticIds(db).get(v.toUpperCase()) ?? tacticShortname(v);
        const list = map.get(short);
        if (!list) throw new SearchValueError(facet, v, suggest(short, [...map.keys()]));
        written.push(...list);
      }
      return { sql: `r.id IN (SELECT rule_id FROM rule_attack WHERE tactic IN (${written.map(() => "?").join(", ")}))`, args: written };
    }
    case "technique": {
      const parts: string[] = [];
      const args: string[] = [];
      for (const raw of values) {
        const v = raw.trim().toUpperCase();
        const roll = TECHNIQUE_ROLLUP.exec(v);
        if (roll) {
          parts.push("technique = ? OR technique LIKE ?");
          args.push(roll[1], `${roll[1]}.%`);
          continue;
        }
        if (!TECHNIQUE.test(v)) {
          throw new SearchValueError(
            facet,
            raw,
            [],
            `'${raw}' is not a technique id: write T1055, T1055.001, or T1055.* for the technique and its sub-techniques`,
          );
        }
        parts.push("technique = ?");
        args.push(v);
      }
      return { sql: `r.id IN (SELECT rule_id FROM rule_attack WHERE ${parts.join(" OR ")})`, args };
    }
    case "logsource": {
      const parts: string[] = [];
      const args: string[] = [];
      for (const v of values) {
        const i = v.indexOf(":");
        if (i > 0) {
          parts.push("(key = ? AND value = ?)");
          args.push(v.slice(0, i), v.slice(i + 1));
        } else {
          parts.push("value = ?");
          args.push(v);
        }
      }
      const n = db
        .prepare(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM rule_logsources WHERE ${parts.join(" OR ")} LIMIT 1)`)
        .get(...args) as { n: number };
      if (n.n === 0) {
        const known = distinct(db, "SELECT DISTINCT key || ':' || value AS v FROM rule_logsources");
        throw new SearchValueError(facet, values.join(", "), suggest(values[0], known));
      }
      return { sql: `r.id IN (SELECT rule_id FROM rule_logsources WHERE ${parts.join(" OR ")})`, args };
    }
    case "field": {
      for (const v of values) {
        const hit = db.prepare("SELECT 1 FROM indicators WHERE field = ? LIMIT 1").get(v);
        if (!hit) {
          const known = distinct(db, "SELECT DISTINCT field AS v FROM indicators WHERE field IS NOT NULL");
          throw new SearchValueError(facet, v, suggest(v, known));
        }
      }
      return { sql: `r.id IN (SELECT rule_id FROM indicators WHERE field IN (${ph}))`, args: values };
    }
  }
}

const ORDER: Record<Exclude<Sort, "relevance">, string> = {
  title: "r.title COLLATE NOCASE, r.id",
  vendor: "r.vendor, r.title COLLATE NOCASE",
  severity:
    "CASE r.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 WHEN 'informational' THEN 4 ELSE 5 END, r.title COLLATE NOCASE",
  fidelity: "CASE r.fidelity WHEN 'full' THEN 0 WHEN 'partial' THEN 1 ELSE 2 END, r.title COLLATE NOCASE",
};

export function search(db: Db, sq: SearchQuery): SearchResult {
  const fts = ftsQuery(sq.q);
  const clauses: Clause[] = [];
  if (fts) clauses.push({ sql: "r.id IN (SELECT id FROM rules_fts WHERE rules_fts MATCH ?)", args: [fts] });
  const filters: Partial<Record<Facet, string[]>> = { ...sq.filters };
  if (sq.vendor) filters.vendor = [...(filters.vendor ?? []), sq.vendor];
  let spellings: Map<string, string[]> | undefined;
  const tactics = () => (spellings ??= tacticSpellings(db));
  for (const f of FACETS) {
    const vals = (filters[f] ?? []).filter((v) => v !== "");
    if (vals.length > 0) clauses.push(facetClause(db, f, vals, tactics));
  }
  const w = clauses.length ? `WHERE ${clauses.map((c) => c.sql).join(" AND ")}` : "";
  const args = clauses.flatMap((c) => c.args);
  const total = (db.prepare(`SELECT COUNT(*) AS n FROM rules r ${w}`).get(...args) as { n: number }).n;
  const sort = sq.sort ?? (fts ? "relevance" : "title");
  const byRank = sort === "relevance" && fts;
  const order = byRank
    ? "ORDER BY (SELECT bm25(rules_fts, 0, 10.0, 4.0, 1.0, 2.0) FROM rules_fts WHERE rules_fts MATCH ? AND rules_fts.id = r.id), r.title"
    : `ORDER BY ${ORDER[sort === "relevance" ? "title" : sort]}`;
  const limit = Math.max(0, Math.min(sq.limit ?? 20, MAX_LIMIT));
  const rows = db
    .prepare(
      `SELECT r.id, r.native_id AS nativeId, r.title, r.description, r.vendor, r.severity, r.status, r.modality, r.fidelity
       FROM rules r ${w} ${order} LIMIT ? OFFSET ?`,
    )
    .all(...args, ...(byRank ? [fts] : []), limit, Math.max(0, sq.offset ?? 0)) as (Omit<SearchHit, "onlyInExclusion" | "techniques"> & {
    description: string;
  })[];
  const terms = termsOf(sq.q).map((t) => t.toLowerCase());
  const neg = db.prepare("SELECT negated, value_norm FROM indicators WHERE rule_id = ? AND value_norm IS NOT NULL");
  const techs = db.prepare("SELECT DISTINCT technique FROM rule_attack WHERE rule_id = ? AND technique IS NOT NULL ORDER BY technique");
  const hits = rows.map(({ description, ...r }) => ({
    ...r,
    techniques: (techs.all(r.id) as { technique: string }[]).map((t) => t.technique),
    onlyInExclusion: terms.length > 0 && onlyExcluded(neg.all(r.id) as Ind[], `${r.title}\n${description}`, terms),
  }));
  const result: SearchResult = { total, hits };
  if (sq.facets) result.facets = facetCounts(db, w, args, tactics);
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

/** Counts per facet value over the matching rules (every facet, top values first). */
function facetCounts(db: Db, w: string, args: (string | number)[], tactics: () => Map<string, string[]>): Record<Facet, FacetCount[]> {
  const hits = `SELECT r.id FROM rules r ${w}`;
  const count = (sql: string): FacetCount[] =>
    (db.prepare(sql).all(...args) as { value: string | null; count: number }[]).map((r) => ({
      value: r.value ?? "none",
      count: r.count,
    }));
  const col = (c: string) => count(`SELECT r.${c} AS value, COUNT(*) AS count FROM rules r ${w} GROUP BY 1 ORDER BY 2 DESC, 1`);
  const shortOf = new Map<string, string>();
  for (const [short, written] of tactics()) for (const t of written) shortOf.set(t, short);
  const tacticRows = count(
    `SELECT tactic AS value, COUNT(DISTINCT rule_id) AS count FROM rule_attack WHERE tactic IS NOT NULL AND rule_id IN (${hits}) GROUP BY 1`,
  );
  const tacticIdsByRule = new Map<string, number>();
  for (const r of tacticRows) {
    const s = shortOf.get(r.value) ?? r.value;
    tacticIdsByRule.set(s, (tacticIdsByRule.get(s) ?? 0) + r.count);
  }
  return {
    vendor: col("vendor"),
    severity: col("severity"),
    status: col("status"),
    modality: col("modality"),
    fidelity: col("fidelity"),
    // Spellings of one tactic are summed: a rule writing both TA0007 and discovery is counted twice at most.
    tactic: [...tacticIdsByRule].map(([value, c]) => ({ value, count: c })).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value)),
    technique: count(
      `SELECT technique AS value, COUNT(DISTINCT rule_id) AS count FROM rule_attack WHERE technique IS NOT NULL AND rule_id IN (${hits})
       GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${FACET_LIMIT}`,
    ),
    logsource: count(
      `SELECT key || ':' || value AS value, COUNT(DISTINCT rule_id) AS count FROM rule_logsources WHERE rule_id IN (${hits})
       GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${FACET_LIMIT}`,
    ),
    field: count(
      `SELECT field AS value, COUNT(DISTINCT rule_id) AS count FROM indicators WHERE field IS NOT NULL AND rule_id IN (${hits})
       GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${FACET_LIMIT}`,
    ),
  };
}
