// Chronicle / Google SecOps detection rules: chronicle/detection-rules
// (rules/community/**, rules/_deprecated/**) or any folder of .yaral files.
// One unit per .yaral file, one rule record per `rule` block.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { CompileResult, FormatAdapter, LoadedContext, LoadedUnit, RuleUnit, SourceRoot } from "../adapter.js";
import { listFiles } from "../walk.js";
import type { Diagnostic, RuleRecord } from "../../model/rule.js";
import type { Rule } from "../../languages/yaral/ast.js";
import { parseRules } from "../../languages/yaral/parser.js";
import { translateRule } from "../../languages/yaral/translate.js";
import { attackRefs } from "./attack.js";
import { MAPPED_KEYS, dateOf, first, logSourcesOf, metaValues, modalityOf, referencesOf, severityOf } from "./metadata.js";

export interface ChronicleContext {
  /** SPDX id of the repository's licence, when its LICENSE file says. */
  license: string | null;
  /**
   * Native ids (rule_id, else rule name) defined by more than one file. The
   * deprecated folders reuse rule names (`rule apt29` in four files); those
   * rules get the file path appended so every file keeps a rule.
   */
  ambiguous: string[];
}

/**
 * The largest real rule is 17 kB (a soc_prime one-liner). Text far beyond
 * that is not a rule anyone wrote by hand: refuse it instead of spending
 * seconds parsing it.
 */
export const MAX_RULE_CHARS = 1_000_000;

const SKIP_DIRS = new Set([".git", "node_modules"]);
/** Walking stops beyond this depth (symlink loops, hostile trees). */
const MAX_DEPTH = 16;

async function walkYaral(root: string, limit = Number.POSITIVE_INFINITY): Promise<string[]> {
  return listFiles(root, "", (n) => n.toLowerCase().endsWith(".yaral"), { skip: SKIP_DIRS, maxDepth: MAX_DEPTH, maxFiles: limit });
}

/**
 * A cheap textual scan (no parse) for the ids every file would claim. Synchronous reads:
 * a thousand awaited small reads cost ten times more, and this runs on every ingest.
 */
async function ambiguousIds(dir: string): Promise<string[]> {
  const files = new Map<string, number>();
  for (const path of await walkYaral(dir)) {
    let text: string;
    try {
      text = readFileSync(join(dir, path), "utf8");
    } catch {
      continue;
    }
    const ids = new Set<string>();
    for (const m of text.matchAll(/^\s*rule\s+(\w+)[\s\S]*?(?:rule_id\s*=\s*"([^"]*)"|(?=^\s*rule\s)|$(?![\s\S]))/gm)) ids.add(m[2]?.trim() || m[1]);
    for (const id of ids) files.set(id, (files.get(id) ?? 0) + 1);
  }
  return [...files].filter(([, n]) => n > 1).map(([id]) => id).sort();
}

/** `rules/_deprecated/x/apt29_part_1.yaral` → `_deprecated.x.apt29_part_1`. */
function pathSuffix(path: string): string {
  return path.replace(/^rules\//, "").replace(/\.yaral$/i, "").replace(/\//g, ".");
}

function licenseOf(dir: string): string | null {
  const p = join(dir, "LICENSE");
  if (!existsSync(p)) return null;
  try {
    const head = readFileSync(p, "utf8").slice(0, 2000);
    return /Apache License/i.test(head) && /Version 2\.0/i.test(head) ? "Apache-2.0" : null;
  } catch {
    return null;
  }
}

const licenseCache = new Map<string, string | null>();

export const chronicleAdapter: FormatAdapter<ChronicleContext | undefined> = {
  format: "chronicle",
  vendor: "chronicle",

  async detect(dir: string): Promise<number> {
    if (existsSync(join(dir, "rules", "community")) || existsSync(join(dir, "rules", "_deprecated"))) {
      if ((await walkYaral(join(dir, "rules"), 1)).length > 0) return 1;
    }
    return (await walkYaral(dir, 1)).length > 0 ? 0.6 : 0;
  },

  listUnits: async (dir: string): Promise<RuleUnit[]> => (await walkYaral(dir)).map((path) => ({ path })),

  async loadContext(root: SourceRoot): Promise<LoadedContext<ChronicleContext>> {
    const license = licenseOf(root.dir);
    const ambiguous = await ambiguousIds(root.dir);
    return { ctx: { license, ambiguous }, hash: `license=${license ?? ""};ambiguous=${ambiguous.join(",")}`, diagnostics: [] };
  },

  compile(unit: LoadedUnit, ctx: ChronicleContext | undefined): CompileResult {
    try {
      return compileUnit(unit, ctx);
    } catch (e) {
      // A bug here must not stop an ingest: report it against the file.
      return { rules: [], diagnostics: [{ file: unit.path, level: "error", code: "yaral.internal", message: `internal error: ${(e as Error).message}` }] };
    }
  },
};

function compileUnit(unit: LoadedUnit, ctx: ChronicleContext | undefined): CompileResult {
  if (unit.text.length > MAX_RULE_CHARS) {
    const message = `file is ${unit.text.length} characters; YARA-L files over ${MAX_RULE_CHARS} are not compiled`;
    return { rules: [], diagnostics: [{ file: unit.path, line: 1, level: "error", code: "yaral.too-large", message }] };
  }
  const { rules, errors } = parseRules(unit.text);
  const diagnostics: Diagnostic[] = errors.map((e) => ({ file: unit.path, line: e.line, level: "error", code: e.code, message: e.message }));
  if (rules.length === 0) {
    if (diagnostics.length === 0) diagnostics.push({ file: unit.path, line: 1, level: "error", code: "yaral.no-rule", message: "no `rule` found in file" });
    return { rules: [], diagnostics };
  }
  let license = ctx?.license;
  if (license === undefined) {
    if (!licenseCache.has(unit.root.dir)) licenseCache.set(unit.root.dir, licenseOf(unit.root.dir));
    license = licenseCache.get(unit.root.dir) ?? null;
  }
  const records = rules.map((rule, i) => {
    // Diagnostics go to the rule whose span holds their line (all of them when the file has one rule).
    const mine = rules.length === 1 ? diagnostics : diagnostics.filter((d) => owner(rules, d.line) === i);
    return toRecord(unit, rule, mine, license ?? null, ctx?.ambiguous ?? []);
  });
  const orphan = rules.length === 1 ? [] : diagnostics.filter((d) => owner(rules, d.line) === -1);
  return { rules: records, diagnostics: orphan };
}

function owner(rules: Rule[], line: number | undefined): number {
  if (line === undefined) return -1;
  for (let i = rules.length - 1; i >= 0; i--) if (rules[i].line <= line) return i;
  return -1;
}

function toRecord(unit: LoadedUnit, rule: Rule, diagnostics: Diagnostic[], repoLicense: string | null, ambiguous: string[]): RuleRecord {
  const meta = metaValues(rule.meta);
  const t = translateRule(rule, unit.text);
  const declared = first(meta, "rule_id") ?? (rule.name || unit.path.replace(/^.*\//, "").replace(/\.yaral$/i, ""));
  const nativeId = ambiguous.includes(declared) ? `${declared}@${pathSuffix(unit.path)}` : declared;
  const extra: Record<string, unknown> = {};
  for (const [k, v] of meta) if (!MAPPED_KEYS.has(k)) extra[k] = v.length === 1 ? v[0] : v;
  extra.ruleName = rule.name;
  if (t.computedOutcomes.size > 0) extra.outcomes = Object.fromEntries(t.computedOutcomes);
  if (rule.options.length > 0) extra.options = Object.fromEntries(rule.options.map((o) => [o.key, o.value]));
  const conditions = [t.logic.condition, ...(t.logic.aggregation?.events ?? []).map((e) => e.condition)];
  return {
    id: `chronicle:${nativeId}`,
    vendor: "chronicle",
    nativeId,
    format: "chronicle",
    language: "yaral",
    source: { repo: unit.root.name, ...(unit.root.commit ? { commit: unit.root.commit } : {}), path: unit.path },
    title: first(meta, "rule_name", "name") ?? rule.name,
    description: first(meta, "description") ?? "",
    severity: severityOf(meta),
    status: /(^|\/)_?deprecated\//.test(unit.path) ? "deprecated" : (first(meta, "status") ?? null),
    modality: modalityOf(meta),
    enabled: true,
    logSources: logSourcesOf(meta, conditions),
    attack: attackRefs(meta, t.outcomeLiterals),
    references: referencesOf(meta),
    tags: (meta.get("tags") ?? []).flatMap((s) => s.split(",")).map((s) => s.trim()).filter((s) => s !== ""),
    falsePositives: (meta.get("false_positives") ?? []).map((s) => s.trim()).filter((s) => s !== ""),
    related: [],
    author: first(meta, "author") ?? null,
    date: dateOf(meta),
    modified: null,
    license: repoLicense ?? first(meta, "license") ?? null,
    bodies: [{ language: "yara-l", path: unit.path, text: unit.text }],
    tests: [],
    logic: t.logic,
    diagnostics,
    extra,
  };
}
