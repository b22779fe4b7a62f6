// Sigma YAML files (SigmaHQ/sigma or any folder of Sigma rules) → rule records.
// A file holds one rule, or several documents: `action: global` headers
// merged into the rules that follow, and correlation documents.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type Document, isMap, isNode, isScalar, LineCounter, type Node, type Pair, parseAllDocuments, YAMLMap } from "yaml";
import type { Aggregation, Expr, Logic } from "../../model/expr.js";
import type { Diagnostic, RuleRecord } from "../../model/rule.js";
import { fidelityOf, simplify } from "../../model/simplify.js";
import { compileDetection, type Reporter } from "../../languages/sigma/detection.js";
import type { CompileResult, FormatAdapter, LoadedUnit, SourceRoot } from "../adapter.js";
import { compileCorrelation } from "./correlation.js";
import { detectSigma, listSigmaUnits } from "./layout.js";
import { defaultOutputFields, logSourcesOf } from "./logsource.js";
import { readMeta, retiredFolder } from "./metadata.js";
import { testsFor } from "./regression.js";

export interface SigmaContext {
  /** The repository's licence for rules that name none (SigmaHQ: DRL-1.1). */
  license: string | null;
}

type Obj = Record<string, unknown>;

/** A document split into its metadata (plain JS) and its detection pairs (YAML nodes, for typing and lines). */
interface Doc {
  meta: Obj;
  detection: Pair<unknown, unknown>[] | null;
  detectionNode: Node | null;
  offset: number;
}

async function loadContext(root: SourceRoot) {
  let license: string | null = null;
  for (const name of ["LICENSE", "LICENSE.md", "LICENSE.Detection.Rules.md"]) {
    const text = await readFile(join(root.dir, name), "utf8").catch(() => "");
    if (/Detection Rule License/i.test(text)) {
      license = "DRL-1.1";
      break;
    }
  }
  return { ctx: { license }, hash: license ?? "", diagnostics: [] };
}

function splitDoc(doc: Document.Parsed): Doc | null {
  const c = doc.contents;
  if (!isMap(c)) return null;
  const meta: Obj = {};
  let detection: Pair<unknown, unknown>[] | null = null;
  let detectionNode: Node | null = null;
  for (const p of c.items as Pair<unknown, unknown>[]) {
    const key = isScalar(p.key) ? String(p.key.value) : String(p.key);
    if (key === "detection") {
      detectionNode = isNode(p.value) ? p.value : null;
      detection = isMap(p.value) ? (p.value.items as Pair<unknown, unknown>[]) : [];
      meta.detection = true;
      continue;
    }
    meta[key] = isNode(p.value) ? p.value.toJS(doc, { maxAliasCount: 100 }) : p.value;
  }
  return { meta, detection, detectionNode, offset: c.range?.[0] ?? 0 };
}

/** `action: global` merging: maps merge key by key (the later document wins), everything else is replaced. */
function mergeDocs(base: Doc, over: Doc): Doc {
  const meta: Obj = { ...base.meta };
  for (const [k, v] of Object.entries(over.meta)) {
    const b = meta[k];
    meta[k] = isPlainObj(b) && isPlainObj(v) ? { ...b, ...v } : v;
  }
  delete meta.action;
  let detection = over.detection ?? base.detection;
  if (base.detection && over.detection) {
    const keys = new Set(over.detection.map(keyOf));
    detection = [...base.detection.filter((p) => !keys.has(keyOf(p))), ...over.detection];
  }
  return { meta, detection, detectionNode: over.detectionNode ?? base.detectionNode, offset: over.offset };
}

const isPlainObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const keyOf = (p: Pair<unknown, unknown>): string => (isScalar(p.key) ? String(p.key.value) : String(p.key));

function uniq(xs: string[]): string[] {
  return [...new Set(xs)];
}

function compile(unit: LoadedUnit, ctx: SigmaContext | undefined): CompileResult {
  const file = unit.path;
  const diagnostics: Diagnostic[] = [];
  const lc = new LineCounter();
  const lineOf = (offset: number | undefined) => (offset === undefined ? undefined : lc.linePos(offset).line);
  const fileDiag = (level: Diagnostic["level"], code: string, message: string, offset?: number) =>
    diagnostics.push({ file, line: lineOf(offset), level, code, message });

  let parsed: Document.Parsed[];
  try {
    const r = parseAllDocuments(unit.text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false });
    parsed = Array.isArray(r) ? r : [];
  } catch (e) {
    fileDiag("error", "yaml.syntax", (e as Error).message);
    return { rules: [], diagnostics };
  }
  if (parsed.length === 0) {
    fileDiag("warning", "sigma.empty", "file holds no YAML document");
    return { rules: [], diagnostics };
  }

  // Walk the documents, applying global/reset/repeat, collecting rules and correlations.
  const ruleDocs: Doc[] = [];
  const correlations: Doc[] = [];
  let global: Doc | null = null;
  let previous: Doc | null = null;
  for (const d of parsed) {
    if (d.errors.length > 0) {
      for (const e of d.errors) fileDiag("error", "yaml.syntax", e.message, e.pos[0]);
      continue;
    }
    const doc = splitDoc(d);
    if (!doc) {
      if (d.contents !== null) fileDiag("error", "sigma.document", "a Sigma document must be a map", d.contents?.range?.[0]);
      continue;
    }
    const action = doc.meta.action;
    if (action === "global") {
      global = global ? mergeDocs(global, doc) : doc;
      continue;
    }
    if (action === "reset") {
      global = null;
      continue;
    }
    let full = global ? mergeDocs(global, doc) : doc;
    if (action === "repeat") {
      if (!previous) {
        fileDiag("error", "sigma.document", "'action: repeat' without a previous rule", doc.offset);
        continue;
      }
      full = mergeDocs(previous, doc);
    }
    if (full.meta.correlation !== undefined) correlations.push(full);
    else if (full.detection !== null) {
      ruleDocs.push(full);
      previous = full;
    } else if (full.meta.filter !== undefined) {
      fileDiag("info", "sigma.filter-document", "Sigma filter documents modify other rules at conversion time; not ingested as rules", full.offset);
    } else {
      fileDiag("warning", "sigma.not-a-rule", "document has neither 'detection' nor 'correlation'", full.offset);
    }
  }

  const rules: RuleRecord[] = [];
  const usedIds = new Map<string, number>();
  const byRef = new Map<string, Expr>();
  const sourcesByRef = new Map<string, unknown>();
  // A correlation reads the log sources of the rules it correlates (when they are in this file).
  const correlatedSources = (doc: Doc) => {
    const refs = (doc.meta.correlation as Obj | null)?.rules;
    const out = (Array.isArray(refs) ? refs : [refs]).flatMap((r) => logSourcesOf(sourcesByRef.get(String(r))));
    return out.filter((x, i) => out.findIndex((y) => y.key === x.key && y.value === x.value) === i);
  };
  const build = (doc: Doc, logic: Logic, extraDiags: Diagnostic[], detectionFields: string[]): RuleRecord => {
    const meta = readMeta(doc.meta, file, ctx?.license ?? null);
    let nativeId = typeof doc.meta.id === "string" && doc.meta.id !== "" ? doc.meta.id : "";
    if (!nativeId) {
      nativeId = file;
      extraDiags.push({ file, line: lineOf(doc.offset), level: "warning", code: "sigma.no-id", message: "rule has no 'id'; its path stands in" });
    }
    const seen = usedIds.get(nativeId) ?? 0;
    usedIds.set(nativeId, seen + 1);
    if (seen > 0) nativeId = `${nativeId}#${seen + 1}`;
    const logSources = doc.meta.correlation !== undefined ? correlatedSources(doc) : logSourcesOf(doc.meta.logsource);
    logic.outputFields = uniq([...meta.fields, ...detectionFields, ...defaultOutputFields(logSources)]);
    const testProblems: Diagnostic[] = [];
    const tests = testsFor(String(doc.meta.id ?? ""), unit.deps, (f, message) =>
      testProblems.push({ file: f, level: "warning", code: "sigma.regression", message }),
    );
    return {
      id: `sigma:${nativeId}`,
      vendor: "sigma",
      nativeId,
      format: "sigma",
      language: "sigma",
      source: unit.root.commit ? { repo: unit.root.name, commit: unit.root.commit, path: file } : { repo: unit.root.name, path: file },
      title: meta.title,
      description: meta.description,
      severity: meta.severity,
      status: meta.status,
      modality: meta.modality,
      enabled: meta.status !== "deprecated" && meta.status !== "unsupported" && !retiredFolder(file),
      logSources,
      attack: meta.attack,
      references: meta.references,
      tags: meta.tags,
      falsePositives: meta.falsePositives,
      related: meta.related,
      author: meta.author,
      date: meta.date,
      modified: meta.modified,
      license: meta.license,
      bodies: [{ language: "yaml", path: file, text: unit.text }],
      tests,
      logic,
      diagnostics: [...extraDiags, ...testProblems],
      extra: meta.extra,
    };
  };

  for (const doc of ruleDocs) {
    const diags: Diagnostic[] = [];
    const report: Reporter = (level, code, message, offset) => diags.push({ file, line: lineOf(offset), level, code, message });
    let det: ReturnType<typeof compileDetection>;
    if (doc.detectionNode && isMap(doc.detectionNode) && doc.detection) {
      const m = new YAMLMap();
      m.items = doc.detection;
      m.range = doc.detectionNode.range;
      det = compileDetection(m, report);
    } else {
      det = compileDetection(doc.detectionNode, report);
    }
    if (!doc.meta.logsource) report("warning", "sigma.logsource", "rule has no 'logsource'", doc.offset);
    const condition = simplify(det.condition);
    const logic: Logic = { condition, outputFields: [], fidelity: fidelityOf(condition) };
    if (det.aggregation) logic.aggregation = det.aggregation;
    for (const ref of [doc.meta.name, doc.meta.id]) {
      if (typeof ref !== "string") continue;
      byRef.set(ref, condition);
      sourcesByRef.set(ref, doc.meta.logsource);
    }
    rules.push(build(doc, logic, diags, det.fields));
  }

  for (const doc of correlations) {
    const diags: Diagnostic[] = [];
    const r = compileCorrelation(doc.meta.correlation, byRef);
    for (const p of r.problems) diags.push({ file, line: lineOf(doc.offset), level: "warning", code: "sigma.correlation", message: p });
    const condition = simplify(r.condition);
    const aggregation: Aggregation = r.aggregation;
    const logic: Logic = { condition, aggregation, outputFields: [], fidelity: fidelityOf(condition) };
    const rule = build(doc, logic, diags, aggregation.by ?? []);
    rule.extra.correlation = doc.meta.correlation;
    rules.push(rule);
  }
  if (rules.length === 0 && diagnostics.length === 0) fileDiag("warning", "sigma.no-rule", "file holds no Sigma rule");
  return { rules, diagnostics };
}

export const sigmaAdapter: FormatAdapter<SigmaContext> = {
  format: "sigma",
  vendor: "sigma",
  detect: detectSigma,
  listUnits: listSigmaUnits,
  loadContext,
  compile: (unit, ctx) => {
    try {
      return compile(unit, ctx);
    } catch (e) {
      // Last line of defence: a bug here must not stop the ingest of other files.
      return {
        rules: [],
        diagnostics: [{ file: unit.path, level: "error", code: "sigma.internal", message: `internal error: ${(e as Error).message}` }],
      };
    }
  },
};
