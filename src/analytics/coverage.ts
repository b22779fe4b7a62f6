import type { Db } from "../catalog/open.js";
import { type AttackIndex, attackIndex } from "../attack/store.js";
import { ATTACK_NOTICE } from "../attack/types.js";
import type { Modality } from "../model/rule.js";
import { analyticsReady } from "./fresh.js";

/** Not coverage by default: they do not alert on behaviour of their own. */
export const EXCLUDED_BY_DEFAULT: readonly Modality[] = ["hunting", "building_block", "alert_passthrough", "indicator_list"];

export interface CoverageOptions {
  /** Only rules of these vendors (default: all). */
  vendors?: string[];
  /** Modalities counted; default: all but EXCLUDED_BY_DEFAULT. */
  modalities?: string[];
  /** Count every modality. */
  allModalities?: boolean;
  /** Rule titles kept per technique (for layer comments). */
  titles?: number;
}

export interface TechniqueCoverage {
  id: string;
  name: string;
  parent: string | null;
  tactics: string[];
  /** Distinct rules, sub-techniques rolled up into their parent. */
  rules: number;
  /** Rules tagged with this very id (or counted under it: revoked / crosswalked ids). */
  direct: number;
  byVendor: Record<string, number>;
  /** Up to `titles` rule titles, most specific first. */
  titles: string[];
}

export interface UnresolvedId {
  id: string;
  rules: number;
  vendors: Record<string, number>;
  /** Loaded-version id it is counted under (stated v19→v18 move), if any. */
  countedAs: string | null;
  note: string | null;
}

export interface CoverageResult {
  attack: { domain: string; version: string | null; notice: string };
  filters: { vendors: string[] | "all"; modalities: string[] | "all"; excludedModalities: string[] };
  policy: string;
  totals: {
    rules: number;
    rulesWithTechnique: number;
    techniques: number;
    techniquesCovered: number;
    subtechniques: number;
    subtechniquesCovered: number;
  };
  tactics: { id: string; shortname: string; name: string; covered: number; techniques: number }[];
  /**
   * Rules per tactic as the rules wrote it: v18 "defense-evasion" and v19 "stealth" share TA0005
   * but stay separate rows, and v19 "defense-impairment" (TA0112) has no v18 column.
   */
  tacticsAsWritten: { tactic: string | null; shortname: string | null; name: string | null; known: boolean; rules: number }[];
  techniques: TechniqueCoverage[];
  /** Live techniques and sub-techniques with no counted rule. */
  gaps: string[];
  unresolved: UnresolvedId[];
}

export const POLICY =
  "score = distinct rules; a rule tagged with a sub-technique counts toward its parent technique, not the reverse; " +
  "revoked ids count under their replacement (revoked-by); v19 ids with a stated v18 equivalent count under it (their sub-techniques roll up to it); " +
  "other ids unknown to the loaded ATT&CK version are listed as unresolved, never dropped.";

interface PairRow {
  rule_id: string;
  technique: string;
  counts_as: string | null;
  status: string;
  note: string | null;
  vendor: string;
  title: string;
}

function ruleFilter(db: Db, opts: CoverageOptions): { sql: string; args: string[]; modalities: string[] | "all"; excluded: string[] } {
  const parts: string[] = [];
  const args: string[] = [];
  let modalities: string[] | "all" = "all";
  let excluded: string[] = [];
  if (opts.vendors && opts.vendors.length > 0) {
    parts.push(`r.vendor IN (${opts.vendors.map(() => "?").join(", ")})`);
    args.push(...opts.vendors);
  }
  if (!opts.allModalities) {
    if (opts.modalities && opts.modalities.length > 0) {
      modalities = [...opts.modalities].sort();
      parts.push(`r.modality IN (${modalities.map(() => "?").join(", ")})`);
      args.push(...modalities);
      const present = (db.prepare("SELECT DISTINCT modality FROM rules").all() as { modality: string }[]).map((m) => m.modality);
      excluded = present.filter((m) => !(modalities as string[]).includes(m)).sort();
    } else {
      excluded = [...EXCLUDED_BY_DEFAULT];
      parts.push(`r.modality NOT IN (${excluded.map(() => "?").join(", ")})`);
      args.push(...excluded);
    }
  }
  return { sql: parts.length > 0 ? parts.join(" AND ") : "1", args, modalities, excluded };
}

function parentCrosswalk(index: AttackIndex, id: string): string | null {
  const dot = id.indexOf(".");
  if (dot < 0) return null;
  const v18 = index.techniques.get(id.slice(0, dot))?.v18;
  return v18 && index.techniques.get(v18)?.known ? v18 : null;
}

interface Credited {
  rules: Map<string, { vendor: string; title: string; depth: number }>;
  direct: Set<string>;
}

interface Unresolved {
  rules: Set<string>;
  vendors: Map<string, Set<string>>;
  countedAs: string | null;
  note: string | null;
}

/** Walks the pairs once: credits techniques (depth 0 = tagged, 1 = via a sub-technique) and collects unknown ids. */
class Tally {
  readonly credited = new Map<string, Credited>();
  readonly unresolved = new Map<string, Unresolved>();
  readonly withTechnique = new Set<string>();

  constructor(private readonly index: AttackIndex) {}

  add(r: PairRow): void {
    this.withTechnique.add(r.rule_id);
    if (r.status === "unknown") this.addUnresolved(r);
    const target = r.counts_as ? this.index.techniques.get(r.counts_as) : undefined;
    if (r.counts_as && target?.known) {
      this.credit(r.counts_as, r, 0);
      if (target.parent) this.credit(target.parent, r, 1);
      return;
    }
    // An unknown sub-technique of a crosswalked v19 parent (T1685.001 → T1685 ≈ T1562) rolls up to the parent's equivalent.
    const parentV18 = r.status === "unknown" ? parentCrosswalk(this.index, r.technique) : null;
    if (!parentV18) return;
    this.credit(parentV18, r, 1);
    const u = this.unresolved.get(r.technique);
    const note = `rolled up to ${parentV18} (its parent's stated v18 equivalent)`;
    if (u && !u.countedAs && !(u.note ?? "").includes(note)) u.note = u.note ? `${u.note}; ${note}` : note;
  }

  private credit(tech: string, r: PairRow, depth: number): void {
    let a = this.credited.get(tech);
    if (!a) this.credited.set(tech, (a = { rules: new Map(), direct: new Set() }));
    const prior = a.rules.get(r.rule_id);
    if (!prior || depth < prior.depth) a.rules.set(r.rule_id, { vendor: r.vendor, title: r.title, depth });
    if (depth === 0) a.direct.add(r.rule_id);
  }

  private addUnresolved(r: PairRow): void {
    let u = this.unresolved.get(r.technique);
    if (!u) this.unresolved.set(r.technique, (u = { rules: new Set(), vendors: new Map(), countedAs: r.counts_as, note: r.note }));
    u.rules.add(r.rule_id);
    if (!u.vendors.has(r.vendor)) u.vendors.set(r.vendor, new Set());
    u.vendors.get(r.vendor)?.add(r.rule_id);
  }
}

function techniqueRows(tally: Tally, index: AttackIndex, maxTitles: number): TechniqueCoverage[] {
  return [...tally.credited]
    .sort(([x], [y]) => (x < y ? -1 : 1))
    .map(([id, a]) => {
      const t = index.techniques.get(id);
      const byVendor: Record<string, number> = {};
      for (const v of a.rules.values()) byVendor[v.vendor] = (byVendor[v.vendor] ?? 0) + 1;
      const titles = [...a.rules.values()]
        .sort((x, y) => x.depth - y.depth || (x.title < y.title ? -1 : x.title > y.title ? 1 : 0))
        .slice(0, maxTitles)
        .map((v) => v.title);
      return {
        id,
        name: t?.displayName ?? t?.name ?? id,
        parent: t?.parent ?? null,
        tactics: t?.tactics ?? [],
        rules: a.rules.size,
        direct: a.direct.size,
        byVendor,
        titles,
      };
    });
}

/** Totals, gaps and per-tactic counts over the live techniques of the loaded version. */
function summarize(result: CoverageResult, index: AttackIndex): void {
  const live = [...index.techniques.values()].filter((t) => t.known && !t.revoked && !t.deprecated);
  const liveIds = new Set(live.map((t) => t.id));
  const covered = new Set(result.techniques.filter((t) => liveIds.has(t.id)).map((t) => t.id));
  result.totals.techniques = live.filter((t) => !t.parent).length;
  result.totals.subtechniques = live.filter((t) => t.parent).length;
  result.totals.techniquesCovered = live.filter((t) => !t.parent && covered.has(t.id)).length;
  result.totals.subtechniquesCovered = live.filter((t) => t.parent && covered.has(t.id)).length;
  result.gaps = live
    .filter((t) => !covered.has(t.id))
    .map((t) => t.id)
    .sort();
  result.tactics = index.tactics.map((tac) => {
    const inTactic = live.filter((t) => !t.parent && t.tactics.includes(tac.shortname));
    return { ...tac, covered: inTactic.filter((t) => covered.has(t.id)).length, techniques: inTactic.length };
  });
}

function tacticsAsWritten(db: Db, f: { sql: string; args: string[] }): CoverageResult["tacticsAsWritten"] {
  const rows = db
    .prepare(
      `SELECT p.tactic, p.tactic_short AS shortname, p.tactic_name AS name, MAX(p.tactic_known) AS known,
         COUNT(DISTINCT p.rule_id) AS rules
       FROM attack_pairs p JOIN rules r ON r.id = p.rule_id WHERE p.tactic IS NOT NULL AND ${f.sql}
       GROUP BY p.tactic, p.tactic_short ORDER BY rules DESC, p.tactic`,
    )
    .all(...f.args) as { tactic: string; shortname: string | null; name: string | null; known: number; rules: number }[];
  return rows.map((t) => ({ ...t, known: t.known === 1 }));
}

function unresolvedRows(tally: Tally): UnresolvedId[] {
  return [...tally.unresolved]
    .map(([id, u]) => ({
      id,
      rules: u.rules.size,
      vendors: Object.fromEntries([...u.vendors].map(([v, s]) => [v, s.size])),
      countedAs: u.countedAs,
      note: u.note,
    }))
    .sort((a, b) => b.rules - a.rules || (a.id < b.id ? -1 : 1));
}

/** Per technique and vendor, how many rules cover it, under the stated policy. */
export function coverage(db: Db, opts: CoverageOptions = {}): CoverageResult {
  const index = attackIndex(db);
  const f = ruleFilter(db, opts);
  const vendors = opts.vendors && opts.vendors.length > 0 ? [...opts.vendors].sort() : "all";
  const result: CoverageResult = {
    attack: { domain: index.domain, version: index.version, notice: ATTACK_NOTICE },
    filters: { vendors, modalities: f.modalities, excludedModalities: f.excluded },
    policy: POLICY,
    totals: { rules: 0, rulesWithTechnique: 0, techniques: 0, techniquesCovered: 0, subtechniques: 0, subtechniquesCovered: 0 },
    tactics: [],
    tacticsAsWritten: [],
    techniques: [],
    gaps: [],
    unresolved: [],
  };
  result.totals.rules = (db.prepare(`SELECT COUNT(*) AS n FROM rules r WHERE ${f.sql}`).get(...f.args) as { n: number }).n;
  if (!analyticsReady(db)) return result;
  const rows = db
    .prepare(
      `SELECT p.rule_id, p.technique, p.counts_as, p.status, p.note, r.vendor, r.title
       FROM attack_pairs p JOIN rules r ON r.id = p.rule_id
       WHERE p.technique IS NOT NULL AND ${f.sql}`,
    )
    .all(...f.args) as PairRow[];
  const tally = new Tally(index);
  for (const r of rows) tally.add(r);
  result.totals.rulesWithTechnique = tally.withTechnique.size;
  result.techniques = techniqueRows(tally, index, opts.titles ?? 10);
  summarize(result, index);
  result.tacticsAsWritten = tacticsAsWritten(db, f);
  result.unresolved = unresolvedRows(tally);
  return result;
}
