import { type RelatedResult, relatedRules } from "../../analytics/related.js";
import { attackIndex, techniqueInfo } from "../../attack/store.js";
import { tacticShortname } from "../../attack/tactics.js";
import type { Db } from "../../catalog/open.js";
import { type RuleView, getRuleView } from "../../catalog/read.js";
import type { Expr } from "../../model/expr.js";
import { printExpr } from "../../model/print.js";
import type { RuleTest } from "../../model/rule.js";
import { type TestReplay, replayTest } from "../../verify/replay.js";
import { sourceHref } from "./links.js";

export interface AttackGroup {
  tactic: string | null;
  tacticName: string | null;
  techniques: { technique: string; name: string | null; known: boolean }[];
}

export interface OpaqueFragment {
  text: string;
  reason: string;
}

export interface RulePageData {
  rule: RuleView;
  source: { repo: string; commit: string | null; path: string; href: string | null };
  /** Pinned link of each body file (same order as rule.bodies). */
  bodyLinks: (string | null)[];
  /** ATT&CK references grouped by tactic, in the rule's order. */
  attackByTactic: AttackGroup[];
  tests: (RuleTest & { replay: TestReplay })[];
  /** Condition lines that hold an untranslated fragment (indexes into logic.conditionText). */
  opaqueLines: number[];
  opaque: OpaqueFragment[];
  aggregationEvents: { name: string; condition: string }[];
  related: RelatedResult;
}

export function rulePageData(db: Db, id: string): RulePageData | undefined {
  const rule = getRuleView(db, id);
  if (!rule) return undefined;
  const cond = rule.logic.condition;
  const conjuncts = cond.type === "and" ? cond.args : [cond];
  // The ingest knows the upstream URL and commit of a synced source; the record may carry only its name.
  const src = db.prepare("SELECT s.url, s.commit_sha FROM rules r JOIN sources s ON s.name = r.source WHERE r.id = ?").get(id) as
    | { url: string | null; commit_sha: string | null }
    | undefined;
  const repo = rule.source.repo.includes("/") || !src?.url ? rule.source.repo : src.url;
  const commit = rule.source.commit ?? src?.commit_sha ?? undefined;
  return {
    rule,
    source: { repo, commit: commit ?? null, path: rule.source.path, href: sourceHref(repo, commit, rule.source.path) },
    bodyLinks: rule.bodies.map((b) => sourceHref(repo, commit, b.path)),
    attackByTactic: groupAttack(db, rule),
    tests: rule.tests.map((t) => ({ ...t, replay: replayTest(rule.language, rule.logic, t) })),
    opaqueLines: conjuncts.flatMap((c, i) => (opaqueIn(c).length > 0 ? [i] : [])),
    opaque: [cond, ...(rule.logic.aggregation?.events ?? []).map((e) => e.condition)].flatMap(opaqueIn),
    aggregationEvents: (rule.logic.aggregation?.events ?? []).map((e) => ({ name: e.name, condition: printExpr(e.condition, false) })),
    related: relatedRules(db, id),
  };
}

function groupAttack(db: Db, rule: RuleView): AttackGroup[] {
  const groups = new Map<string, AttackGroup>();
  for (const a of rule.attack) {
    const key = a.tactic ?? "";
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { tactic: a.tactic, tacticName: a.tacticName, techniques: [] }));
    if (a.technique && !g.techniques.some((t) => t.technique === a.technique)) {
      g.techniques.push({ technique: a.technique, name: a.name, known: a.known });
    }
  }
  // Sigma writes attack.discovery and attack.t1526 as two tags: a technique given without a tactic
  // goes under each tactic the rule names that ATT&CK lists for it, else stays apart.
  const loose = groups.get("");
  if (loose) {
    const index = attackIndex(db);
    const shortOf = (t: string) => index.tacticById.get(t.toUpperCase())?.shortname ?? tacticShortname(t);
    loose.techniques = loose.techniques.filter((t) => {
      const tactics = techniqueInfo(index, t.technique)?.tactics ?? [];
      const homes = [...groups.values()].filter((g) => g.tactic !== null && tactics.includes(shortOf(g.tactic)));
      for (const g of homes) if (!g.techniques.some((x) => x.technique === t.technique)) g.techniques.push(t);
      return homes.length === 0;
    });
  }
  return [...groups.values()].filter((g) => g.tactic !== null || g.techniques.length > 0);
}

function opaqueIn(e: Expr): OpaqueFragment[] {
  switch (e.type) {
    case "opaque":
      return [{ text: e.text, reason: e.reason }];
    case "not":
      return opaqueIn(e.arg);
    case "and":
    case "or":
      return e.args.flatMap(opaqueIn);
    case "quant":
      return opaqueIn(e.cond);
    default:
      return [];
  }
}
