import { type CoverageResult, coverage } from "../../analytics/coverage.js";
import { BINS as LAYER_BINS, binOf } from "../../analytics/layer.js";
import { attackIndex, techniqueInfo } from "../../attack/store.js";
import type { Db } from "../../catalog/open.js";
import { MODALITIES } from "../../catalog/search.js";
import { VENDORS } from "../../model/rule.js";

/** The layer's bins (0 · 1 · 2–5 · 6–20 · 21+), labelled for the legend. */
const LEGEND = LAYER_BINS.map((b) => ({ label: b.label.replace(/ rules?\b.*$/, "") }));

export interface MatrixFilter {
  vendor: string[];
  modality: string[];
  /** Count every modality (hunting, building blocks, alert passthroughs...). */
  allModalities: boolean;
}

export interface MatrixCell {
  id: string;
  name: string;
  /** Rules tagged this technique or one of its sub-techniques. */
  count: number;
  /** Rules tagged exactly this id. */
  own: number;
  bin: number;
  subs: { id: string; name: string; count: number; bin: number }[];
}

export interface MatrixData {
  version: string | null;
  filter: MatrixFilter;
  /** Modalities left out of the counts. */
  excludedModalities: string[];
  policy: string;
  bins: { label: string }[];
  tactics: { id: string; shortname: string; name: string; covered: number; cells: MatrixCell[] }[];
  /** Technique ids rules use that the loaded ATT&CK version does not know. */
  unknown: { technique: string; count: number; countedAs: string | null; note: string | null }[];
  totals: CoverageResult["totals"];
  layer: string;
}

export class FilterError extends Error {}

export function parseMatrixFilter(p: URLSearchParams): MatrixFilter {
  const list = (k: string) => p.getAll(k).flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
  const vendor = list("vendor");
  for (const v of vendor) if (!(VENDORS as readonly string[]).includes(v)) throw new FilterError(`unknown vendor '${v}': use one of ${VENDORS.join(", ")}`);
  const modality = list("modality");
  const allModalities = modality.includes("all");
  for (const m of modality) if (m !== "all" && !MODALITIES.includes(m as never)) throw new FilterError(`unknown modality '${m}': use one of all, ${MODALITIES.join(", ")}`);
  return { vendor, modality: modality.filter((m) => m !== "all"), allModalities };
}

export function filterParams(f: MatrixFilter): URLSearchParams {
  const p = new URLSearchParams();
  for (const v of f.vendor) p.append("vendor", v);
  for (const m of f.modality) p.append("modality", m);
  if (f.allModalities) p.append("modality", "all");
  return p;
}

/** The matrix: tactics in ATT&CK order, techniques as cells, counts from the shared coverage policy. */
export function matrixData(db: Db, f: MatrixFilter): MatrixData {
  const index = attackIndex(db);
  const cov = coverage(db, { vendors: f.vendor, modalities: f.modality, allModalities: f.allModalities, titles: 0 });
  const counts = new Map(cov.techniques.map((t) => [t.id, t]));
  const live = [...index.techniques.values()].filter((t) => t.known && !t.revoked && !t.deprecated);
  const subsOf = new Map<string, typeof live>();
  for (const t of live) {
    if (!t.parent) continue;
    const l = subsOf.get(t.parent) ?? [];
    l.push(t);
    subsOf.set(t.parent, l);
  }
  const cellOf = (id: string, name: string): MatrixCell => {
    const c = counts.get(id);
    const subs = (subsOf.get(id) ?? [])
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((s) => {
        const n = counts.get(s.id)?.rules ?? 0;
        return { id: s.id, name: s.name ?? s.id, count: n, bin: binOf(n) };
      });
    return { id, name, count: c?.rules ?? 0, own: c?.direct ?? 0, bin: binOf(c?.rules ?? 0), subs };
  };
  const covered = new Map(cov.tactics.map((t) => [t.id, t.covered]));
  const params = filterParams(f);
  return {
    version: index.version,
    filter: f,
    excludedModalities: cov.filters.excludedModalities,
    policy: cov.policy,
    bins: LEGEND,
    tactics: index.tactics.map((t) => ({
      ...t,
      covered: covered.get(t.id) ?? 0,
      cells: live
        .filter((x) => !x.parent && x.tactics.includes(t.shortname))
        .sort((a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id))
        .map((x) => cellOf(x.id, x.name ?? x.id)),
    })),
    unknown: cov.unresolved.map((u) => ({ technique: u.id, count: u.rules, countedAs: u.countedAs, note: u.note })),
    totals: cov.totals,
    layer: `/api/attack/layer.json${params.size ? `?${params}` : ""}`,
  };
}

export interface TechniqueData {
  technique: string;
  name: string | null;
  known: boolean;
  parent: { id: string; name: string | null } | null;
  tactics: string[];
  subs: { id: string; name: string }[];
  /** Rules tagged this technique (or, with sub-techniques, one of them), grouped by vendor. */
  vendors: { vendor: string; rules: { id: string; title: string; technique: string; severity: string | null; fidelity: string }[] }[];
  total: number;
}

const TECHNIQUE = /^T\d{4}(\.\d{3})?$/;

/** undefined: not a technique id, or an id neither ATT&CK nor any rule knows. */
export function techniqueData(db: Db, raw: string): TechniqueData | undefined {
  const id = raw.toUpperCase();
  if (!TECHNIQUE.test(id)) return undefined;
  const index = attackIndex(db);
  const info = techniqueInfo(index, id);
  const rows = db
    .prepare(
      `SELECT DISTINCT r.id, r.title, r.vendor, r.severity, r.fidelity, a.technique FROM rule_attack a JOIN rules r ON r.id = a.rule_id
       WHERE a.technique = ? OR a.technique LIKE ? ORDER BY r.vendor, r.title COLLATE NOCASE`,
    )
    .all(id, id.includes(".") ? id : `${id}.%`) as { id: string; title: string; vendor: string; severity: string | null; fidelity: string; technique: string }[];
  if (!info && rows.length === 0) return undefined;
  const vendors = new Map<string, TechniqueData["vendors"][number]>();
  for (const r of rows) {
    let v = vendors.get(r.vendor);
    if (!v) vendors.set(r.vendor, (v = { vendor: r.vendor, rules: [] }));
    if (!v.rules.some((x) => x.id === r.id)) v.rules.push({ id: r.id, title: r.title, technique: r.technique, severity: r.severity, fidelity: r.fidelity });
  }
  const parent = info?.parent ? techniqueInfo(index, info.parent) : undefined;
  return {
    technique: id,
    name: info?.displayName ?? info?.name ?? null,
    known: info?.known ?? false,
    parent: info?.parent ? { id: info.parent, name: parent?.name ?? null } : null,
    tactics: (info?.tactics ?? []).map((s) => index.tacticByShort.get(s)?.name ?? s),
    subs: [...index.techniques.values()]
      .filter((t) => t.parent === id && t.known && !t.revoked && !t.deprecated)
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((t) => ({ id: t.id, name: t.name ?? t.id })),
    vendors: [...vendors.values()],
    total: new Set(rows.map((r) => r.id)).size,
  };
}
