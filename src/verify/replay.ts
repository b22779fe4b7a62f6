import type { Db } from "../catalog/open.js";
import { getTests } from "../catalog/read.js";
import { SEMANTICS } from "../languages/registry.js";
import { type Truth, evaluate } from "../model/evaluate.js";
import type { Logic } from "../model/expr.js";
import type { RuleTest } from "../model/rule.js";

export type Verdict = "agree" | "disagree" | "unknown";

export interface TestReplay {
  name: string;
  expected: boolean;
  got: Truth;
  verdict: Verdict;
}

/** Replays one test on a rule's normalized logic with its language's semantics. */
export function replayTest(language: string, logic: Logic, test: RuleTest): TestReplay {
  const sem = SEMANTICS[language];
  let got: Truth = null;
  if (sem) {
    const run = (raw: unknown): Truth => evaluate(logic.condition, sem.prepareEvent ? sem.prepareEvent(raw, test) : raw, sem);
    got = test.events ? atLeast(test.events.map(run), test.minMatches ?? 1) : run(test.event);
  }
  const verdict: Verdict = got === null ? "unknown" : got === test.expected ? "agree" : "disagree";
  return { name: test.name, expected: test.expected, got, verdict };
}

/** "At least n of these fired", in three-valued logic. */
function atLeast(verdicts: Truth[], n: number): Truth {
  const yes = verdicts.filter((v) => v === true).length;
  if (yes >= n) return true;
  const maybe = verdicts.filter((v) => v === null).length;
  return yes + maybe >= n ? null : false;
}

export interface VerifyCounts {
  tests: number;
  agree: number;
  disagree: number;
  unknown: number;
}

export interface VerifyReport {
  vendors: Record<string, VerifyCounts & { byFidelity: Record<string, VerifyCounts> }>;
  disagreements: { rule: string; test: string; expected: boolean; got: Truth; fidelity: string }[];
}

const zero = (): VerifyCounts => ({ tests: 0, agree: 0, disagree: 0, unknown: 0 });

/** Replays every stored test of every rule (of one vendor) against the normalized logic. */
export function verifyCatalog(db: Db, opts: { vendor?: string } = {}): VerifyReport {
  const rules = db
    .prepare(
      `SELECT DISTINCT r.id, r.vendor, r.language, r.fidelity, r.logic_json FROM rules r JOIN tests t ON t.rule_id = r.id
       ${opts.vendor ? "WHERE r.vendor = ?" : ""} ORDER BY r.id`,
    )
    .all(...(opts.vendor ? [opts.vendor] : [])) as { id: string; vendor: string; language: string; fidelity: string; logic_json: string }[];
  const report: VerifyReport = { vendors: {}, disagreements: [] };
  for (const r of rules) {
    const logic = JSON.parse(r.logic_json) as Logic;
    const v = (report.vendors[r.vendor] ??= { ...zero(), byFidelity: {} });
    const f = (v.byFidelity[r.fidelity] ??= zero());
    for (const test of getTests(db, r.id)) {
      const res = replayTest(r.language, logic, test);
      for (const c of [v, f]) {
        c.tests++;
        c[res.verdict]++;
      }
      if (res.verdict === "disagree") {
        report.disagreements.push({ rule: r.id, test: test.name, expected: test.expected, got: res.got, fidelity: r.fidelity });
      }
    }
  }
  return report;
}
