import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { parse } from "yaml";
import type { LoadedContext, SourceRoot } from "../adapter.js";
import { listFiles } from "../walk.js";
import type { Diagnostic } from "../../model/rule.js";
import { initPython, parsePython } from "../../languages/python/parser.js";
import { emptyProgram, type DataModel, type Program, type PyModule } from "../../languages/python/program.js";

export interface PantherContext {
  program: Program;
}

const MAX_FILE = 2_000_000;

/** Absolute paths of the files under `dir` with one of `exts`, skipping files too large to be code. */
function filesUnder(dir: string, exts: string[]): string[] {
  return listFiles(dir, "", (n) => exts.some((e) => n.endsWith(e)), { maxDepth: 8 })
    .map((rel) => join(dir, rel))
    .filter((p) => {
      try {
        return statSync(p).size <= MAX_FILE;
      } catch {
        return false;
      }
    });
}

/** Parses a Python file into a module; syntax errors become diagnostics. */
export function loadModule(name: string, file: string, text: string, diags: Diagnostic[], skipBodies?: ReadonlySet<string>): PyModule {
  const parsed = parsePython(text, skipBodies);
  for (const e of parsed.errors.slice(0, 5)) diags.push({ file, line: e.line, level: "warning", code: "python.syntax", message: e.message });
  return { name, file, root: parsed.root };
}

/** Global helpers and data models, loaded once per root. */
export async function loadPantherContext(root: SourceRoot): Promise<LoadedContext<PantherContext>> {
  await initPython();
  const program = emptyProgram();
  const diagnostics: Diagnostic[] = [];
  const hash = createHash("sha256");
  for (const p of filesUnder(join(root.dir, "global_helpers"), [".py"])) {
    const name = basename(p, ".py");
    if (name.endsWith("_test") || name === "default_test") continue;
    const text = readFileSync(p, "utf8");
    const rel = relative(root.dir, p).split("\\").join("/");
    hash.update(rel).update("\0").update(text).update("\0");
    program.helpers.set(name, loadModule(name, rel, text, diagnostics));
  }
  for (const p of filesUnder(join(root.dir, "data_models"), [".yml", ".yaml"])) {
    const rel = relative(root.dir, p).split("\\").join("/");
    const text = readFileSync(p, "utf8");
    hash.update(rel).update("\0").update(text).update("\0");
    let doc: Record<string, unknown>;
    try {
      doc = parse(text) as Record<string, unknown>;
    } catch (err) {
      diagnostics.push({ file: rel, level: "error", code: "yaml.syntax", message: String((err as Error).message).split("\n")[0] });
      continue;
    }
    if (!doc || doc.AnalysisType !== "datamodel") continue;
    const dm: DataModel = { logTypes: asStrings(doc.LogTypes), paths: new Map(), methods: new Map() };
    for (const m of Array.isArray(doc.Mappings) ? (doc.Mappings as Record<string, unknown>[]) : []) {
      if (typeof m?.Name !== "string") continue;
      if (typeof m.Path === "string") dm.paths.set(m.Name, parsePath(m.Path));
      else if (typeof m.Method === "string") dm.methods.set(m.Name, m.Method);
    }
    if (typeof doc.Filename === "string") {
      const py = join(p, "..", doc.Filename);
      try {
        const src = readFileSync(py, "utf8");
        const prel = relative(root.dir, py).split("\\").join("/");
        hash.update(prel).update("\0").update(src).update("\0");
        dm.module = loadModule(`datamodel:${prel}`, prel, src, diagnostics);
      } catch {
        if (dm.methods.size > 0) diagnostics.push({ file: rel, level: "warning", code: "panther.datamodel-missing-py", message: `data model file ${doc.Filename} not found` });
      }
    }
    for (const lt of dm.logTypes) program.dataModels.set(lt, dm);
  }
  return { ctx: { program }, hash: hash.digest("hex"), diagnostics };
}

/** `$.a.b` or `a.b` → ["a", "b"]; bracketed keys `$['a.b']` stay whole. */
export function parsePath(p: string): string[] {
  const s = p.startsWith("$") ? p.slice(1) : p;
  const out: string[] = [];
  const re = /\.?([^.[\]]+)|\[['"]([^'"]+)['"]\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) out.push(m[1] ?? m[2]);
  return out;
}

export function asStrings(v: unknown): string[] {
  if (typeof v === "string") return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}
