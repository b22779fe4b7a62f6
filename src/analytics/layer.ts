import type { Db } from "../catalog/open.js";
import { attackIndex } from "../attack/store.js";
import { type CoverageOptions, type CoverageResult, coverage } from "./coverage.js";

/** Score bins (0 · 1 · 2–5 · 6–20 · 21+): long-tailed counts on a linear gradient paint covered techniques as gaps. */
export const BINS: readonly { min: number; max: number; label: string; color: string }[] = [
  { min: 0, max: 0, label: "0 rules (not in layer: see the gap list of coverage --json)", color: "#ffffff" },
  { min: 1, max: 1, label: "1 rule", color: "#d6e9ff" },
  { min: 2, max: 5, label: "2–5 rules", color: "#66b1ff" },
  { min: 6, max: 20, label: "6–20 rules", color: "#3a7bd5" },
  { min: 21, max: Number.POSITIVE_INFINITY, label: "21+ rules", color: "#1f4e9e" },
];

export function binOf(rules: number): number {
  return BINS.findIndex((b) => rules >= b.min && rules <= b.max);
}

export interface LayerOptions extends CoverageOptions {
  name?: string;
  /** Base URL of the catalog's technique pages, for `links`. */
  catalogUrl?: string;
}

interface LayerTechnique {
  techniqueID: string;
  score: number;
  color: string;
  comment: string;
  enabled: boolean;
  metadata: { name: string; value: string }[];
  links?: { label: string; url: string }[];
  showSubtechniques?: boolean;
}

export interface NavigatorLayer {
  name: string;
  versions: { attack: string; navigator: string; layer: "4.5" };
  domain: string;
  description: string;
  sorting: number;
  layout: Record<string, string | boolean>;
  hideDisabled: boolean;
  techniques: LayerTechnique[];
  gradient: { colors: string[]; minValue: number; maxValue: number };
  legendItems: { label: string; color: string }[];
  metadata: { name: string; value: string }[];
  showTacticRowBackground: boolean;
  selectTechniquesAcrossTactics: boolean;
  selectSubtechniquesWithParent: boolean;
  selectVisibleTechniques: boolean;
}

function sourcesLine(db: Db, vendors: string[] | "all"): string {
  const rows = db
    .prepare(
      `SELECT s.name, s.commit_sha, GROUP_CONCAT(DISTINCT r.vendor) AS vendors FROM sources s
       LEFT JOIN rules r ON r.source = s.name GROUP BY s.name ORDER BY s.name`,
    )
    .all() as { name: string; commit_sha: string | null; vendors: string | null }[];
  const kept = rows.filter((r) => vendors === "all" || (r.vendors ?? "").split(",").some((v) => vendors.includes(v)));
  if (kept.length === 0) return "sources: none recorded";
  return `sources@commit: ${kept.map((r) => `${r.name} ${r.commit_sha ? r.commit_sha.slice(0, 12) : "(no commit)"}`).join(", ")}`;
}

function describe(db: Db, cov: CoverageResult): string {
  const vendors = cov.filters.vendors === "all" ? "all vendors" : `vendors ${cov.filters.vendors.join(", ")}`;
  const modal =
    cov.filters.modalities === "all"
      ? cov.filters.excludedModalities.length > 0
        ? `excluded modalities: ${cov.filters.excludedModalities.join(", ")}`
        : "all modalities"
      : `modalities ${cov.filters.modalities.join(", ")}`;
  const unresolved = cov.unresolved.length > 0 ? `; ${cov.unresolved.length} ids unknown to ATT&CK ${cov.attack.version} not shown (${cov.unresolved.slice(0, 8).map((u) => u.id).join(", ")}${cov.unresolved.length > 8 ? ", …" : ""})` : "";
  return (
    `Detection-rule coverage from ruleatlas. ${vendors}; ${modal}; match mode: ATT&CK tags of each rule resolved to (tactic, technique); ` +
    `${cov.policy} Score = bin of the rule count (1: 1 rule, 2: 2–5, 3: 6–20, 4: 21+); the exact count is in each comment and metadata. ` +
    `ATT&CK ${cov.attack.domain} ${cov.attack.version ?? "(none loaded)"}; ${sourcesLine(db, cov.filters.vendors)}${unresolved}.`
  );
}

/** An ATT&CK Navigator layer (format 4.5) of the coverage, binned, with provenance in `description`. */
export function navigatorLayer(db: Db, opts: LayerOptions = {}): NavigatorLayer {
  const cov = coverage(db, { ...opts, titles: 10 });
  const index = attackIndex(db);
  const live = (id: string) => {
    const t = index.techniques.get(id);
    return !!t && t.known && !t.revoked && !t.deprecated;
  };
  const annotated = new Set(cov.techniques.filter((t) => t.parent && t.rules > 0 && live(t.id)).map((t) => t.parent as string));
  const techniques: LayerTechnique[] = [];
  for (const t of cov.techniques) {
    if (t.rules === 0 || !live(t.id)) continue;
    const bin = binOf(t.rules);
    const vendors = Object.entries(t.byVendor).sort(([a], [b]) => (a < b ? -1 : 1));
    const more = t.rules - t.titles.length;
    const entry: LayerTechnique = {
      techniqueID: t.id,
      score: bin,
      color: BINS[bin].color,
      comment:
        `${t.rules} rule${t.rules === 1 ? "" : "s"}${t.parent === null && t.rules !== t.direct ? ` (${t.direct} tagged ${t.id}, rest via sub-techniques)` : ""}` +
        ` — ${vendors.map(([v, n]) => `${v} ${n}`).join(", ")}: ${t.titles.join("; ")}${more > 0 ? `; … and ${more} more` : ""}`,
      enabled: true,
      metadata: [{ name: "rules", value: String(t.rules) }, ...vendors.map(([v, n]) => ({ name: v, value: String(n) }))],
    };
    if (opts.catalogUrl) entry.links = [{ label: "Catalog", url: `${opts.catalogUrl.replace(/\/$/, "")}/attack/${t.id}` }];
    if (annotated.has(t.id)) entry.showSubtechniques = true;
    techniques.push(entry);
  }
  const vendorsName = cov.filters.vendors === "all" ? "all vendors" : cov.filters.vendors.join("+");
  return {
    name: opts.name ?? `Coverage: ${vendorsName}${cov.filters.modalities === "all" && cov.filters.excludedModalities.length > 0 ? ", detection rules only" : ""}`,
    versions: { attack: (cov.attack.version ?? "18").split(".")[0], navigator: "5.2.0", layer: "4.5" },
    domain: cov.attack.domain,
    description: describe(db, cov),
    sorting: 3,
    layout: {
      layout: "side",
      aggregateFunction: "max",
      showID: true,
      showName: true,
      showAggregateScores: false,
      countUnscored: false,
      expandedSubtechniques: "annotated",
    },
    hideDisabled: false,
    techniques,
    gradient: { colors: BINS.map((b) => b.color), minValue: 0, maxValue: BINS.length - 1 },
    legendItems: BINS.map((b) => ({ label: b.label, color: b.color })),
    metadata: [
      { name: "ATT&CK version", value: cov.attack.version ?? "none" },
      { name: "rules counted", value: String(cov.totals.rules) },
      { name: "techniques covered", value: `${cov.totals.techniquesCovered}/${cov.totals.techniques}` },
      { name: "sub-techniques covered", value: `${cov.totals.subtechniquesCovered}/${cov.totals.subtechniques}` },
      { name: "sub-technique policy", value: "sub-technique counts toward its parent, not the reverse" },
      { name: "ATT&CK", value: cov.attack.notice },
    ],
    showTacticRowBackground: false,
    selectTechniquesAcrossTactics: true,
    selectSubtechniquesWithParent: false,
    selectVisibleTechniques: false,
  };
}
