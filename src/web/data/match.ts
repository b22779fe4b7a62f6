import type { Db } from "../../catalog/open.js";
import { DEFAULT_BUDGET, MatchInputError, type MatchResult, matchEvent, parseEvent } from "../../match/playground.js";
import { type RuleSet, loadRuleSet } from "../../match/rules.js";
import { perGeneration } from "../cache.js";

export interface MatchPageData {
  /** Families to pick from, with their rule counts. */
  families: { family: string; rules: number }[];
  input: { event: string; family: string };
  result?: MatchResult;
  error?: string;
}

const sets = new WeakMap<Db, () => RuleSet>();

function ruleSet(db: Db): RuleSet {
  let get = sets.get(db);
  if (!get) sets.set(db, (get = perGeneration(db, () => loadRuleSet(db))));
  return get();
}

export function matchPageData(db: Db, input?: { event: string; family: string }): MatchPageData {
  const set = ruleSet(db);
  const families = [...set.families].map(([family, f]) => ({ family, rules: f.rules.length })).sort((a, b) => a.family.localeCompare(b.family));
  const data: MatchPageData = { families, input: input ?? { event: "", family: "guess" } };
  if (!input) return data;
  try {
    data.result = matchEvent(set, parseEvent(input.event), input.family || "guess", DEFAULT_BUDGET);
  } catch (err) {
    if (!(err instanceof MatchInputError)) throw err;
    data.error = err.message;
  }
  return data;
}

/** Warms the rule set so the first playground request does not pay for parsing every rule's logic. */
export function warmMatch(db: Db): void {
  ruleSet(db);
}
