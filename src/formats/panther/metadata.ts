import type { AttackRef, Severity } from "../../model/rule.js";

const SEVERITY: Record<string, Severity> = {
  info: "informational",
  low: "low",
  medium: "medium",
  high: "high",
  critical: "critical",
};

export function severityOf(v: unknown): Severity | null {
  return typeof v === "string" ? (SEVERITY[v.toLowerCase()] ?? null) : null;
}

/** `Reports: {MITRE ATT&CK: ["TA0007:T1526"]}` → AttackRefs; other report keys are returned as extra. */
export function readReports(v: unknown): { attack: AttackRef[]; other: Record<string, unknown> } {
  const attack: AttackRef[] = [];
  const other: Record<string, unknown> = {};
  if (!v || typeof v !== "object" || Array.isArray(v)) return { attack, other };
  for (const [k, vals] of Object.entries(v as Record<string, unknown>)) {
    if (k.toUpperCase() !== "MITRE ATT&CK") {
      other[k] = vals;
      continue;
    }
    for (const raw of Array.isArray(vals) ? vals : [vals]) {
      if (typeof raw !== "string" && typeof raw !== "number") continue;
      const s = String(raw).trim();
      const ref: AttackRef = { raw: s };
      const [a, b] = s.split(":").map((x) => x.trim());
      if (/^TA\d+$/i.test(a ?? "")) ref.tactic = a.toUpperCase();
      const tech = [a, b].find((x) => x !== undefined && /^T\d+(\.\d+)?$/i.test(x));
      if (tech) ref.technique = tech.toUpperCase();
      attack.push(ref);
    }
  }
  return { attack, other };
}
