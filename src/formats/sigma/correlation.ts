// Sigma correlation documents (spec: sigma-correlation-rules-specification):
// a correlation counts or orders the events of other rules. The per-event
// condition is the OR of the referenced rules' conditions; a referenced rule
// defined in another file stays an opaque node that names it.
import { type Aggregation, type Expr, opaque, or } from "../../model/expr.js";

type Obj = Record<string, unknown>;

const OPS: Record<string, string> = { gt: ">", gte: ">=", lt: "<", lte: "<=", eq: "==", neq: "!=" };
const TYPES = new Set(["event_count", "value_count", "temporal", "temporal_ordered", "value_sum", "value_avg", "value_percentile", "value_median"]);

export interface CorrelationResult {
  condition: Expr;
  aggregation: Aggregation;
  problems: string[];
}

/** `rules` maps a rule's `name` and `id` to its compiled condition (rules of the same file). */
export function compileCorrelation(corr: unknown, rules: Map<string, Expr>): CorrelationResult {
  const problems: string[] = [];
  const c = (corr !== null && typeof corr === "object" ? corr : {}) as Obj;
  const type = String(c.type ?? "");
  if (!TYPES.has(type)) problems.push(`unknown correlation type '${type}'`);
  const refs = (Array.isArray(c.rules) ? c.rules : typeof c.rules === "string" ? [c.rules] : []).map(String);
  if (refs.length === 0) problems.push("correlation names no rules");
  const events = refs.map((name) => ({
    name,
    condition: rules.get(name) ?? opaque(`rule ${name}`, `events of rule '${name}', defined outside this file`),
  }));
  const by = (Array.isArray(c["group-by"]) ? c["group-by"] : typeof c["group-by"] === "string" ? [c["group-by"]] : []).map(String);
  const window = c.timespan ?? c.timeframe;
  const aggregation: Aggregation = { kind: "correlation", events, note: noteOf(type, refs, c) };
  if (by.length > 0) aggregation.by = by;
  if (window !== undefined) aggregation.window = String(window);
  const threshold = thresholdOf(type, c.condition);
  if (threshold) aggregation.threshold = threshold;
  else if (type !== "temporal" && type !== "temporal_ordered") problems.push("correlation has no condition");
  const conds = events.map((e) => e.condition);
  const condition = conds.length === 0 ? opaque("correlation", "no rules referenced") : conds.length === 1 ? conds[0] : or(...conds);
  return { condition, aggregation, problems };
}

function thresholdOf(type: string, cond: unknown): string | undefined {
  if (cond === null || typeof cond !== "object") return undefined;
  const o = cond as Obj;
  const parts: string[] = [];
  const subject = type === "event_count" ? "count" : `${type}(${o.field ?? ""})`;
  for (const [k, v] of Object.entries(o)) if (Object.hasOwn(OPS, k)) parts.push(`${subject} ${OPS[k]} ${v}`);
  return parts.length > 0 ? parts.join(" and ") : undefined;
}

function noteOf(type: string, refs: string[], c: Obj): string {
  const list = refs.join(", ");
  switch (type) {
    case "temporal":
      return `events of every rule (${list}) within the window, in any order`;
    case "temporal_ordered":
      return `events of the rules in this order (${list}) within the window`;
    case "event_count":
      return `number of events of ${list} per group`;
    default:
      return `${type} of ${String((c.condition as Obj | undefined)?.field ?? "a field")} over events of ${list} per group`;
  }
}
