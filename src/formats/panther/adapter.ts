import { existsSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { isMap, parseDocument } from "yaml";
import type { CompileResult, FormatAdapter, LoadedUnit, RuleUnit } from "../adapter.js";
import { listFiles } from "../walk.js";
import { opaque, type Aggregation, type Expr, type Logic } from "../../model/expr.js";
import type { Diagnostic, Modality, RuleBody, RuleRecord } from "../../model/rule.js";
import { fidelityOf, simplify } from "../../model/simplify.js";
import { initPython, pythonReady } from "../../languages/python/parser.js";
import { emptyProgram } from "../../languages/python/program.js";
import { translateCondition, translateOutputFields } from "../../languages/python/translate.js";
import { asStrings, loadModule, loadPantherContext, type PantherContext } from "./context.js";
import { readReports, severityOf } from "./metadata.js";
import { simpleDetection } from "./simple.js";
import { readTests, typeOracle } from "./tests.js";

// The grammar loads once per process; compile() parses synchronously.
await initPython();

const FOLDERS = ["rules", "policies", "queries", "correlation_rules"];
const RULE_TYPES = new Set(["rule", "scheduled_rule", "correlation_rule", "policy", "scheduled_query", "saved_query"]);

const isYaml = (n: string): boolean => n.endsWith(".yml") || n.endsWith(".yaml");

async function detect(dir: string): Promise<number> {
  const hits = ["rules", "global_helpers", "data_models", "policies"].filter((f) => existsSync(join(dir, f))).length;
  if (hits >= 3) return 1;
  if (existsSync(join(dir, "rules"))) {
    const ymls = listFiles(dir, "rules", isYaml, { maxDepth: 10 });
    const sample = ymls.slice(0, 20).some((f) => /^AnalysisType:\s*rule/m.test(safeRead(join(dir, f))));
    return sample ? 0.8 : 0;
  }
  return 0;
}

function safeRead(p: string): string {
  try {
    return readFileSync(p, "utf8").slice(0, 50_000);
  } catch {
    return "";
  }
}

async function listUnits(dir: string): Promise<RuleUnit[]> {
  const files: string[] = [];
  for (const f of FOLDERS) files.push(...listFiles(dir, f, isYaml, { maxDepth: 10 }));
  const units: RuleUnit[] = [];
  for (const path of files) {
    const text = safeRead(join(dir, path));
    const m = /^Filename:\s*["']?([^"'\s#]+)/m.exec(text);
    const unit: RuleUnit = { path };
    if (m && m[1].endsWith(".py")) unit.deps = [posix.join(posix.dirname(path), m[1])];
    units.push(unit);
  }
  return units;
}

function compile(unit: LoadedUnit, ctx: PantherContext | undefined): CompileResult {
  const diagnostics: Diagnostic[] = [];
  const doc = parseDocument(unit.text, { version: "1.2", uniqueKeys: false });
  for (const e of doc.errors.slice(0, 3)) {
    diagnostics.push({ file: unit.path, line: e.linePos?.[0].line, level: "error", code: "yaml.syntax", message: e.message.split("\n")[0] });
  }
  if (doc.errors.length > 0 || !isMap(doc.contents)) {
    if (doc.errors.length === 0) diagnostics.push({ file: unit.path, line: 1, level: "error", code: "panther.not-a-mapping", message: "YAML document is not a mapping" });
    return { rules: [], diagnostics };
  }
  const y = doc.toJS({ maxAliasCount: 100 }) as Record<string, unknown>;
  const type = typeof y.AnalysisType === "string" ? y.AnalysisType : "";
  if (!RULE_TYPES.has(type)) {
    if (!type) diagnostics.push({ file: unit.path, line: 1, level: "warning", code: "panther.no-analysis-type", message: "no AnalysisType: not a Panther detection" });
    return { rules: [], diagnostics };
  }
  const nativeId = [y.RuleID, y.PolicyID, y.QueryName].find((v) => typeof v === "string" && v !== "") as string | undefined;
  if (!nativeId) {
    diagnostics.push({ file: unit.path, line: 1, level: "error", code: "panther.missing-id", message: `${type} without RuleID/PolicyID/QueryName` });
    return { rules: [], diagnostics };
  }
  return { rules: [buildRecord(unit, ctx, y, type, nativeId, diagnostics)], diagnostics: [] };
}

function buildRecord(unit: LoadedUnit, ctx: PantherContext | undefined, y: Record<string, unknown>, type: string, nativeId: string, diagnostics: Diagnostic[]): RuleRecord {
  const logTypes = asStrings(y.LogTypes);
  const tests = readTests(y.Tests, logTypes);
  const { attack, other } = readReports(y.Reports);
  const bodies: RuleBody[] = [{ language: "yaml", path: unit.path, text: unit.text }];
  const extra: Record<string, unknown> = {};
  for (const k of ["Runbook", "Threshold", "DedupPeriodMinutes", "SummaryAttributes", "Status", "CreateAlert", "InlineFilters", "ScheduledQueries", "Schedule", "ResourceTypes", "Detection", "AlertTitle", "AlertContext", "OutputIds", "Suppressions", "Lookback"]) {
    if (y[k] !== undefined) extra[k] = y[k];
  }
  if (Object.keys(other).length > 0) extra.Reports = other;
  const modality: Modality =
    y.CreateAlert === false ? "signal"
    : type === "policy" ? "policy"
    : type === "correlation_rule" ? "correlation"
    : type === "scheduled_rule" || type === "scheduled_query" ? "scheduled_query"
    : type === "saved_query" ? "hunting"
    : "detection";

  const logic = buildLogic(unit, ctx, y, type, logTypes, tests, bodies, extra, diagnostics);
  const threshold = typeof y.Threshold === "number" ? y.Threshold : Number(y.Threshold);
  if (Number.isFinite(threshold) && threshold > 1 && !logic.aggregation) {
    const agg: Aggregation = { kind: "threshold", threshold: String(threshold) };
    if (y.DedupPeriodMinutes !== undefined) agg.window = `${y.DedupPeriodMinutes}m`;
    logic.aggregation = agg;
  }
  const refs = Array.isArray(y.Reference) ? asStrings(y.Reference) : typeof y.Reference === "string" ? y.Reference.split(/\s+/).filter((s) => /^https?:/.test(s)) : [];
  return {
    id: `panther:${nativeId}`,
    vendor: "panther",
    nativeId,
    format: "panther",
    language: "python",
    source: { repo: unit.root.name, ...(unit.root.commit ? { commit: unit.root.commit } : {}), path: unit.path },
    title: typeof y.DisplayName === "string" && y.DisplayName ? y.DisplayName : nativeId,
    description: typeof y.Description === "string" ? y.Description.trim() : "",
    severity: severityOf(y.Severity),
    status: typeof y.Status === "string" ? y.Status : null,
    modality,
    enabled: y.Enabled === true,
    logSources: [...logTypes.map((v) => ({ key: "LogType", value: v })), ...asStrings(y.ResourceTypes).map((v) => ({ key: "ResourceType", value: v }))],
    attack,
    references: refs,
    tags: asStrings(y.Tags),
    falsePositives: [],
    related: [],
    author: null,
    date: null,
    modified: null,
    license: null,
    bodies,
    tests,
    logic,
    diagnostics,
    extra,
  };
}

function buildLogic(
  unit: LoadedUnit,
  ctx: PantherContext | undefined,
  y: Record<string, unknown>,
  type: string,
  logTypes: string[],
  tests: ReturnType<typeof readTests>,
  bodies: RuleBody[],
  extra: Record<string, unknown>,
  diagnostics: Diagnostic[],
): Logic {
  const summary = asStrings(y.SummaryAttributes);
  const done = (condition: Expr, outputFields: string[], aggregation?: Aggregation): Logic => {
    const c = simplify(condition);
    const l: Logic = { condition: c, outputFields, fidelity: fidelityOf(c) };
    if (aggregation) l.aggregation = aggregation;
    return l;
  };
  if (type === "scheduled_query" || type === "saved_query") {
    const q = typeof y.Query === "string" ? y.Query : typeof y.AthenaQuery === "string" ? y.AthenaQuery : typeof y.SnowflakeQuery === "string" ? y.SnowflakeQuery : "";
    if (q) bodies.push({ language: "sql", path: unit.path, text: q });
    return { condition: opaque(q.slice(0, 300) || "(no query)", "SQL query not translated"), outputFields: summary, fidelity: "none" };
  }
  if (type === "correlation_rule") {
    const det = y.Detection;
    return {
      condition: opaque(JSON.stringify(det ?? null).slice(0, 300), "correlation of other rules' alerts"),
      aggregation: { kind: "correlation", note: JSON.stringify(det ?? null).slice(0, 2000) },
      outputFields: summary,
      fidelity: "none",
    };
  }
  const entry = type === "policy" ? "policy" : "rule";
  const filename = typeof y.Filename === "string" ? y.Filename : null;
  if (!filename) {
    if (y.Detection !== undefined) {
      const keys = alertContextKeys(y.AlertContext);
      return done(simpleDetection(y.Detection), keys.length > 0 ? keys : summary);
    }
    diagnostics.push({ file: unit.path, line: 1, level: "error", code: "panther.missing-filename", message: `${type} has neither Filename nor Detection` });
    return { condition: opaque("(no body)", "no Filename and no Detection"), outputFields: summary, fidelity: "none" };
  }
  const pyPath = posix.join(posix.dirname(unit.path), filename);
  const py = unit.deps[pyPath];
  if (py === undefined) {
    return { condition: opaque(`${entry}(event)`, "Python body not available"), outputFields: summary, fidelity: "none" };
  }
  bodies.push({ language: "python", path: pyPath, text: py });
  if (!pythonReady()) {
    diagnostics.push({ file: pyPath, line: 1, level: "error", code: "python.not-ready", message: "Python parser not initialised" });
    return { condition: opaque(`${entry}(event)`, "Python parser not initialised"), outputFields: summary, fidelity: "none" };
  }
  const program = ctx?.program ?? emptyProgram();
  const mod = loadModule(`rule:${pyPath}`, pyPath, py, diagnostics, unusedMetadataFunctions(py));
  const types = typeOracle(tests);
  const mocks = new Set(tests.flatMap((t) => Object.keys(t.mocks ?? {})));
  try {
    const t = translateCondition(mod, entry, program, logTypes, types, mocks);
    if (t.missing) diagnostics.push({ file: pyPath, line: 1, level: "error", code: "panther.no-entry", message: `no ${entry}() function in ${filename}` });
    let condition = t.condition;
    if (type === "scheduled_rule") {
      condition = { type: "and", args: [opaque(asStrings(y.ScheduledQueries).join(", ") || "(scheduled query)", "rows selected by the scheduled query (SQL)"), condition] };
    }
    const fns = new Set(mod.root.kids.filter((k) => k.type === "function_definition").map((k) => k.fields.name?.[0]?.text ?? ""));
    extra.pythonFunctions = [...fns];
    const ctxFields = fns.has("alert_context") ? translateOutputFields(mod, "alert_context", program, logTypes[0], types) : null;
    const l = done(condition, ctxFields && ctxFields.length > 0 ? ctxFields : summary);
    if (t.missing) l.fidelity = "none";
    return l;
  } catch (err) {
    // The evaluator is bounded; this guards against a defect turning into a failed ingest.
    diagnostics.push({ file: pyPath, line: 1, level: "error", code: "python.internal", message: `translation failed: ${(err as Error).message}` });
    return { condition: opaque(`${entry}(event)`, "translation failed"), outputFields: summary, fidelity: "none" };
  }
}

/** Functions Panther calls for alert metadata only (title, dedup, ...): never evaluated here. */
const METADATA_FUNCTIONS = ["title", "dedup", "severity", "description", "runbook", "reference", "destinations", "unique"];

/**
 * The metadata functions a rule file never mentions except where it defines them: their bodies
 * need no syntax tree (a large share of every rule file).
 */
function unusedMetadataFunctions(py: string): Set<string> {
  const out = new Set<string>();
  for (const f of METADATA_FUNCTIONS) {
    const uses = py.match(new RegExp(`\\b${f}\\b`, "g"))?.length ?? 0;
    if (uses === 1 && new RegExp(`^def ${f}\\b`, "m").test(py)) out.add(f);
  }
  return out;
}

function alertContextKeys(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  const out: string[] = [];
  for (const x of v as Record<string, unknown>[]) {
    const kv = x?.KeyValue as Record<string, unknown> | undefined;
    const k = kv && (typeof kv.KeyPath === "string" ? kv.KeyPath.replace(/^\$\./, "") : typeof kv.Key === "string" ? kv.Key : null);
    if (k && !out.includes(k)) out.push(k);
  }
  return out;
}

export const pantherAdapter: FormatAdapter<PantherContext | undefined> = {
  format: "panther",
  vendor: "panther",
  detect,
  listUnits,
  loadContext: loadPantherContext,
  compile,
};

