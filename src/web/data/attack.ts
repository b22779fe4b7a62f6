import { hasTable } from "../../attack/schema.js";
import { attackIndex, techniqueInfo } from "../../attack/store.js";
import type { Db } from "../../catalog/open.js";
import { VENDORS } from "../../model/rule.js";

/** Binned rule counts (DX-03): one colour per bin, never a linear gradient. */
export const BINS = [
  { label: "0", min: 0, max: 0 },
  { label: "1", min: 1, max: 1 },
  { label: "2–5", min: 2, max: 5 },
  { label: "6–20", min: 6, max: 20 },
  { label: "21+", min: 21, max: Number.POSITIVE_INFINITY },
] as const;

export function binOf(n: number): number {
  return BINS.findIndex((b) => n >= b.min && n <= b.max);
}

export interface MatrixFilter {
  vendor: string[];
  modality: string[];
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
  bins: { label: string }[];
  tactics: { id: string; shortname: string; name: string; cells: MatrixCell[] }[];
  /** Technique ids rules use that the loaded ATT&CK version does not know. */
  unknown: { technique: string; count: number }[];
  /** Rules (after the filter) with at least one technique counted on the matrix. */
  rulesCounted: number;
  layer: string;
}

export class FilterError extends Error {}

export function parseMatrixFilter(p: URLSearchParams): MatrixFilter {
  const list = (k: string) => p.getAll(k).flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
  const vendor = list("vendor");
  for (const v of vendor) if (!(VENDORS as readonly string[]).includes(v)) throw new FilterError(`unknown vendor '${v}': use one of ${VENDORS.join(", ")}`);
  return { vendor, modality: list("modality") };
}

function ruleFilter(f: MatrixFilter): { sql: string; args: string[] } {
  const parts: string[] = [];
  const args: string[] = [];
  if (f.vendor.length) {
    parts.push(`vendor IN (${f.vendor.map(() => "?").join(", ")})`);
    args.push(...f.vendor);
  }
  if (f.modality.length) {
    parts.push(`modality IN (${f.modality.map(() => "?").join(", ")})`);
    args.push(...f.modality);
  }
  return { sql: parts.length ? `AND p.rule_id IN (SELECT id FROM rules WHERE ${parts.join(" AND ")})` : "", args };
}

/** Distinct rules per technique id the pairs count under (loaded-version ids). */
function countsByTechnique(db: Db, f: MatrixFilter): { own: Map<string, Set<string>>; unknown: Map<string, number> } {
  const own = new Map<string, Set<string>>();
  const unknown = new Map<string, number>();
  if (!hasTable(db, "attack_pairs")) return { own, unknown };
  const w = ruleFilter(f);
  const rows = db
    .prepare(`SELECT DISTINCT p.rule_id, p.technique, p.counts_as, p.status FROM attack_pairs p WHERE p.technique IS NOT NULL ${w.sql}`)
    .all(...w.args) as { rule_id: string; technique: string; counts_as: string | null; status: string }[];
  for (const r of rows) {
    if (r.counts_as) {
      let s = own.get(r.counts_as);
      if (!s) own.set(r.counts_as, (s = new Set()));
      s.add(r.rule_id);
    } else {
      unknown.set(r.technique, (unknown.get(r.technique) ?? 0) + 1);
    }
  }
  return { own, unknown };
}

export function matrixData(db: Db, f: MatrixFilter): MatrixData {
  const index = attackIndex(db);
  const { own, unknown } = countsByTechnique(db, f);
  const live = [...index.techniques.values()].filter((t) => t.known && !t.revoked && !t.deprecated);
  const subsOf = new Map<string, typeof live>();
  for (const t of live) {
    if (!t.parent) continue;
    const l = subsOf.get(t.parent) ?? [];
    l.push(t);
    subsOf.set(t.parent, l);
  }
  const counted = new Set<string>();
  const cellOf = (id: string, name: string): MatrixCell => {
    const ownRules = own.get(id) ?? new Set<string>();
    const all = new Set(ownRules);
    const subs = (subsOf.get(id) ?? [])
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((s) => {
        const r = own.get(s.id) ?? new Set<string>();
        for (const x of r) all.add(x);
        return { id: s.id, name: s.name ?? s.id, count: r.size, bin: binOf(r.size) };
      });
    for (const x of all) counted.add(x);
    return { id, name, count: all.size, own: ownRules.size, bin: binOf(all.size), subs };
  };
  const tactics = index.tactics.map((t) => ({
    ...t,
    cells: live
      .filter((x) => !x.parent && x.tactics.includes(t.shortname))
      .sort((a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id))
      .map((x) => cellOf(x.id, x.name ?? x.id)),
  }));
  const params = new URLSearchParams();
  for (const v of f.vendor) params.append("vendor", v);
  for (const m of f.modality) params.append("modality", m);
  return {
    version: index.version,
    filter: f,
    bins: BINS.map((b) => ({ label: b.label })),
    tactics,
    unknown: [...unknown].map(([technique, count]) => ({ technique, count })).sort((a, b) => b.count - a.count),
    rulesCounted: counted.size,
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
