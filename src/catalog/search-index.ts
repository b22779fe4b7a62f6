import { tacticShortname } from "../attack/tactics.js";
import type { Db } from "./open.js";

/** Facets a search can be narrowed by. Values within a facet are alternatives; facets combine with AND. */
export const FACETS = ["vendor", "severity", "status", "modality", "tactic", "technique", "logsource", "field", "fidelity"] as const;
export type Facet = (typeof FACETS)[number];

/** What search filters, sorts and counts facets on, for one rule. Strings only, "none" for absent. */
export interface RuleFacetRow {
  id: string;
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
  /** Per facet (FACETS order), the codes of this rule's values in SearchIndex.values. */
  codes: number[][];
}

export interface SearchIndex {
  rows: RuleFacetRow[];
  byId: Map<string, RuleFacetRow>;
  /** Per facet (FACETS order), every value, indexed by code. */
  values: string[][];
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
  const rules = db
    .prepare(
      `SELECT id, native_id, title, vendor, severity, status, modality, fidelity,
         COALESCE(json_extract(record_json, '$.modified'), json_extract(record_json, '$.date')) AS modified FROM rules`,
    )
    .all() as {
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
    codes: [],
  }));
  const dicts = FACETS.map(() => new Map<string, number>());
  const values: string[][] = FACETS.map(() => []);
  for (const r of rows) {
    r.codes = FACETS.map((f, i) => {
      const v = r[f];
      return (Array.isArray(v) ? v : [v]).map((x) => {
        let c = dicts[i].get(x);
        if (c === undefined) {
          c = values[i].length;
          values[i].push(x);
          dicts[i].set(x, c);
        }
        return c;
      });
    });
  }
  rows.sort((a, b) => (a.sortTitle < b.sortTitle ? -1 : a.sortTitle > b.sortTitle ? 1 : a.id < b.id ? -1 : 1));
  return { rows, byId: new Map(rows.map((r) => [r.id, r])), values };
}

const cache = new WeakMap<Db, { stamp: string; index: SearchIndex }>();

/**
 * The catalog's rules as facet rows, rebuilt when the catalog changes: another
 * connection's commit moves data_version, this connection's own writes move
 * total_changes().
 */
export function searchIndex(db: Db): SearchIndex {
  const stamp = `${db.pragma("data_version", { simple: true })}:${(db.prepare("SELECT total_changes() AS n").get() as { n: number }).n}`;
  const hit = cache.get(db);
  if (hit && hit.stamp === stamp) return hit.index;
  const index = build(db);
  cache.set(db, { stamp, index });
  return index;
}
