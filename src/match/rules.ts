import type { Db } from "../catalog/open.js";
import type { Logic } from "../model/expr.js";
import type { LogSource } from "../model/rule.js";
import { familyOf } from "./family.js";

/** What the playground needs of a rule, parsed once per catalog generation. */
export interface PlaygroundRule {
  id: string;
  title: string;
  vendor: string;
  language: string;
  family: string;
  logic: Logic;
}

export interface RuleSet {
  rules: PlaygroundRule[];
  /** Family → its rules' indicator fields (what the guess looks for in an event). */
  families: Map<string, { rules: PlaygroundRule[]; fields: string[] }>;
}

const FIELDS_PER_FAMILY = 300;

export function loadRuleSet(db: Db): RuleSet {
  const rows = db.prepare("SELECT id, title, vendor, language, logic_json FROM rules ORDER BY id").all() as {
    id: string;
    title: string;
    vendor: string;
    language: string;
    logic_json: string;
  }[];
  const sources = new Map<string, LogSource[]>();
  for (const r of db.prepare("SELECT rule_id, key, value FROM rule_logsources").all() as { rule_id: string; key: string; value: string }[]) {
    const l = sources.get(r.rule_id) ?? [];
    l.push({ key: r.key, value: r.value });
    sources.set(r.rule_id, l);
  }
  const fieldsByRule = new Map<string, Set<string>>();
  for (const r of db
    .prepare("SELECT DISTINCT rule_id, field FROM indicators WHERE field IS NOT NULL AND negated = 0")
    .all() as { rule_id: string; field: string }[]) {
    let s = fieldsByRule.get(r.rule_id);
    if (!s) fieldsByRule.set(r.rule_id, (s = new Set()));
    s.add(r.field);
  }
  const rules = rows.map((r) => ({
    id: r.id,
    title: r.title,
    vendor: r.vendor,
    language: r.language,
    family: familyOf(sources.get(r.id) ?? []),
    logic: JSON.parse(r.logic_json) as Logic,
  }));
  const families = new Map<string, { rules: PlaygroundRule[]; fields: string[] }>();
  const fieldCount = new Map<string, Map<string, number>>();
  for (const r of rules) {
    let f = families.get(r.family);
    if (!f) families.set(r.family, (f = { rules: [], fields: [] }));
    f.rules.push(r);
    let c = fieldCount.get(r.family);
    if (!c) fieldCount.set(r.family, (c = new Map()));
    for (const field of fieldsByRule.get(r.id) ?? []) c.set(field, (c.get(field) ?? 0) + 1);
  }
  for (const [name, f] of families) {
    // The fields most of the family's rules read say most about the family.
    f.fields = [...(fieldCount.get(name) ?? [])]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, FIELDS_PER_FAMILY)
      .map(([k]) => k);
  }
  return { rules, families };
}
