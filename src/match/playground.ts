import { SEMANTICS } from "../languages/registry.js";
import { type Truth, evaluate } from "../model/evaluate.js";
import { printPredicate } from "../model/print.js";
import type { Semantics } from "../model/semantics.js";
import type { PlaygroundRule, RuleSet } from "./rules.js";

export interface MatchBudget {
  /** Rules evaluated at most. */
  maxRules: number;
  /** Wall-clock budget; evaluation stops (and says so) when it is spent. */
  maxMs: number;
}

export const DEFAULT_BUDGET: MatchBudget = { maxRules: 20000, maxMs: 500 };

/** "guess" lets the playground pick; "all" evaluates every family. */
export type FamilyChoice = string;

export interface FiredRule {
  id: string;
  title: string;
  vendor: string;
  family: string;
  /** Predicates that held on the event, printed. */
  matched: string[];
  /** The rule also aggregates (threshold, sequence...): one event satisfies only its per-event filter. */
  aggregation: string | null;
}

export interface UnknownRule {
  id: string;
  title: string;
  vendor: string;
  family: string;
  reasons: string[];
  matched: string[];
}

export interface MatchResult {
  /** chosen: the families evaluated ("all" = every rule); candidates: the guess's best-scoring families. */
  family: { chosen: string[]; guessed: boolean; candidates: { family: string; score: number; fields: number; rules: number }[] };
  evaluated: number;
  fired: FiredRule[];
  unknown: UnknownRule[];
  notFired: number;
  /** The budget ran out before every rule of the family was evaluated. */
  truncated: boolean;
  ms: number;
}

export class MatchInputError extends Error {}

const MAX_DEPTH = 64;
const SHOWN_CANDIDATES = 8;
const MAX_MATCHED = 20;

/** Parses the pasted event: one JSON object, nested at most MAX_DEPTH deep (the evaluator walks it recursively). */
export function parseEvent(text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new MatchInputError(`the event is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new MatchInputError("the event must be one JSON object ({...})");
  checkDepth(v);
  return v as Record<string, unknown>;
}

function checkDepth(root: unknown): void {
  const stack: { v: unknown; d: number }[] = [{ v: root, d: 0 }];
  while (stack.length > 0) {
    const { v, d } = stack.pop() as { v: unknown; d: number };
    if (d > MAX_DEPTH) throw new MatchInputError(`the event is nested more than ${MAX_DEPTH} levels deep`);
    if (v !== null && typeof v === "object") for (const c of Object.values(v)) stack.push({ v: c, d: d + 1 });
  }
}

/** Scores each family by how many of its rules' fields the event carries. */
export function guessFamilies(set: RuleSet, event: unknown): MatchResult["family"]["candidates"] {
  const prepared = new Map<string, unknown>();
  const out: MatchResult["family"]["candidates"] = [];
  for (const [family, f] of set.families) {
    const sem = SEMANTICS[f.rules[0]?.language ?? ""];
    if (!sem || f.fields.length === 0) continue;
    const ev = prepare(prepared, f.rules[0].language, sem, event);
    let score = 0;
    // Some languages read an unset field as "" (UDM): only a real value counts as found.
    for (const field of f.fields) if (sem.resolve(ev, field)?.some((v) => v !== null && v !== undefined && v !== "")) score++;
    if (score > 0) out.push({ family, score, fields: f.fields.length, rules: f.rules.length });
  }
  // Most fields found first; among equals, the family whose fields the event covers best.
  return out.sort((a, b) => b.score - a.score || b.score / b.fields - a.score / a.fields || a.family.localeCompare(b.family));
}

function prepare(cache: Map<string, unknown>, language: string, sem: Semantics, event: unknown): unknown {
  if (!cache.has(language)) cache.set(language, sem.prepareEvent ? sem.prepareEvent(event) : event);
  return cache.get(language);
}

/** Evaluates every rule of the chosen (or guessed) family on one event, within a budget. */
export function matchEvent(set: RuleSet, event: unknown, choice: FamilyChoice, budget: MatchBudget = DEFAULT_BUDGET): MatchResult {
  const t0 = performance.now();
  const ranked = guessFamilies(set, event);
  const candidates = ranked.slice(0, SHOWN_CANDIDATES);
  const guessed = choice === "guess" || choice === "";
  let chosen = [choice];
  if (guessed) {
    // Vendors name one log differently (AWS.CloudTrail, aws/cloudtrail): every family that finds
    // at least half as many of its fields as the best one is taken.
    const best = ranked[0]?.score ?? 0;
    chosen = best > 0 ? ranked.filter((c) => c.score * 2 >= best).map((c) => c.family) : ["all"];
  } else if (choice !== "all" && !set.families.has(choice)) {
    throw new MatchInputError(`unknown log family '${choice}'`);
  }
  const rules = chosen.includes("all") ? set.rules : chosen.flatMap((f) => set.families.get(f)?.rules ?? []);
  const result: MatchResult = {
    family: { chosen, guessed, candidates },
    evaluated: 0,
    fired: [],
    unknown: [],
    notFired: 0,
    truncated: false,
    ms: 0,
  };
  const prepared = new Map<string, unknown>();
  for (const r of rules) {
    if (result.evaluated >= budget.maxRules || performance.now() - t0 > budget.maxMs) {
      result.truncated = true;
      break;
    }
    result.evaluated++;
    const sem = SEMANTICS[r.language];
    if (!sem) {
      result.unknown.push({ ...head(r), reasons: [`no evaluator for the ${r.language} language`], matched: [] });
      continue;
    }
    const { verdict, matched, reasons } = run(r, prepare(prepared, r.language, sem, event), sem);
    if (verdict === true) result.fired.push({ ...head(r), matched, aggregation: aggregationNote(r) });
    else if (verdict === null) result.unknown.push({ ...head(r), reasons: reasons.length ? reasons : ["a value list the catalog does not hold"], matched });
    else result.notFired++;
  }
  result.ms = Math.round((performance.now() - t0) * 10) / 10;
  return result;
}

function head(r: PlaygroundRule): { id: string; title: string; vendor: string; family: string } {
  return { id: r.id, title: r.title, vendor: r.vendor, family: r.family };
}

function run(r: PlaygroundRule, event: unknown, sem: Semantics): { verdict: Truth; matched: string[]; reasons: string[] } {
  const matched: string[] = [];
  const reasons: string[] = [];
  const verdict = evaluate(r.logic.condition, event, sem, {
    onPredicate(p, v) {
      if (v === true && matched.length < MAX_MATCHED) {
        const s = printPredicate(p);
        if (!matched.includes(s)) matched.push(s);
      }
      if (v === null && p.valuesFrom !== undefined) reasons.push(`values come from the list ${p.valuesFrom}, which the catalog does not hold`);
    },
    onOpaque(text, reason) {
      if (reasons.length < MAX_MATCHED) reasons.push(`${reason}: ${text.length > 200 ? `${text.slice(0, 197)}...` : text}`);
    },
  });
  return { verdict, matched, reasons: [...new Set(reasons)] };
}

function aggregationNote(r: PlaygroundRule): string | null {
  const a = r.logic.aggregation;
  if (!a) return null;
  const parts = [a.kind, a.threshold && `threshold ${a.threshold}`, a.window && `within ${a.window}`, a.by?.length && `by ${a.by.join(", ")}`];
  return parts.filter(Boolean).join(", ");
}
