// The free-form `meta:` section read into rule-record fields. No schema
// exists; these are the keys the repository uses (see docs/languages/yaral.md).
import type { Expr } from "../../model/expr.js";
import type { LogSource, Modality, Severity } from "../../model/rule.js";
import type { MetaEntry } from "../../languages/yaral/ast.js";
import type { MetaValues } from "./attack.js";

export function metaValues(entries: MetaEntry[]): MetaValues {
  const out: MetaValues = new Map();
  for (const e of entries) {
    const key = e.key.toLowerCase();
    const list = out.get(key) ?? [];
    list.push(String(e.value));
    out.set(key, list);
  }
  return out;
}

export function first(meta: MetaValues, ...keys: string[]): string | undefined {
  for (const k of keys) {
    const v = meta.get(k)?.find((x) => x.trim() !== "");
    if (v !== undefined) return v.trim();
  }
  return undefined;
}

const SEVERITIES: Record<string, Severity> = {
  info: "informational",
  informational: "informational",
  low: "low",
  medium: "medium",
  high: "high",
  critical: "critical",
};

export function severityOf(meta: MetaValues): Severity | null {
  const s = first(meta, "severity");
  return s === undefined ? null : (SEVERITIES[s.toLowerCase()] ?? null);
}

/** `type`: Alert / Detection → detection, Hunt → hunting. */
export function modalityOf(meta: MetaValues): Modality {
  return first(meta, "type")?.toLowerCase() === "hunt" ? "hunting" : "detection";
}

const SOURCE_KEYS = ["data_source", "platform", "product", "service", "category"];
const SCOPE_SOURCE_FIELDS = ["metadata.event_type", "metadata.product_name", "metadata.vendor_name", "metadata.log_type"];

/** Log sources named in meta, then the log-source predicates the events select on. */
export function logSourcesOf(meta: MetaValues, conditions: Expr[]): LogSource[] {
  const out: LogSource[] = [];
  const add = (key: string, value: string) => {
    if (!out.some((s) => s.key === key && s.value === value)) out.push({ key, value });
  };
  for (const k of SOURCE_KEYS) for (const v of meta.get(k) ?? []) if (v.trim() !== "") add(k, v.trim());
  for (const c of conditions) {
    for (const p of c.type === "and" ? c.args : [c]) {
      if (p.type !== "pred" || p.field === null || !SCOPE_SOURCE_FIELDS.includes(p.field)) continue;
      if (p.kind !== "eq" && p.kind !== "in") continue;
      for (const v of p.values) if (typeof v === "string") add(p.field, v);
    }
  }
  return out;
}

export function referencesOf(meta: MetaValues): string[] {
  const out: string[] = [];
  const values = [...meta].filter(([k]) => /^reference\d*$/.test(k)).flatMap(([, v]) => v);
  for (const v of values) {
    const urls = v.match(/https?:\/\/\S+/g);
    const items = urls && urls.length > 1 ? urls.map((u) => u.replace(/[,;]$/, "")) : [v.trim()];
    for (const i of items) if (i !== "" && !out.includes(i)) out.push(i);
  }
  return out;
}

/** soc_prime `created = "2017/03/19"` → 2017-03-19. */
export function dateOf(meta: MetaValues): string | null {
  const d = first(meta, "created", "date");
  if (d === undefined) return null;
  const m = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})/.exec(d);
  return m ? `${m[1]}-${m[2].padStart(2, "0")}-${m[3].padStart(2, "0")}` : d;
}

/** Keys read into dedicated record fields; the rest is kept in `extra` as written. */
export const MAPPED_KEYS = new Set([
  "author",
  "description",
  "rule_id",
  "rule_name",
  "name",
  "severity",
  "reference",
  "reference1",
  "reference2",
  "reference3",
  "tags",
  "false_positives",
  "created",
  "mitre",
  "mitre_attack_tactic",
  "mitre_attack_technique",
  "mitre_attack_url",
  "tactic",
  "technique",
]);
