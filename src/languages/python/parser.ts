import { createRequire } from "node:module";
import { Language, Parser, type TreeCursor } from "web-tree-sitter";
import type { PyNode } from "./ast.js";

export interface PySyntaxError {
  line: number;
  message: string;
}

export interface ParsedModule {
  root: PyNode;
  errors: PySyntaxError[];
}

let parser: Parser | null = null;
let loading: Promise<void> | null = null;

/** Loads the grammar once; parsePython is synchronous afterwards. */
export function initPython(): Promise<void> {
  if (parser) return Promise.resolve();
  loading ??= (async () => {
    await Parser.init();
    const wasm = createRequire(import.meta.url).resolve("tree-sitter-python/tree-sitter-python.wasm");
    const lang = await Language.load(wasm);
    const p = new Parser();
    p.setLanguage(lang);
    parser = p;
  })();
  return loading;
}

export function pythonReady(): boolean {
  return parser !== null;
}

/** Deeper trees are cut (the cut node keeps its text): conversion must stay bounded. */
const MAX_DEPTH = 200;

/**
 * Parses Python source. Throws only when initPython() has not completed.
 * `skipBodies`: top-level functions whose bodies are kept as text only (a
 * one-node block): functions the caller knows nothing will evaluate.
 */
export function parsePython(source: string, skipBodies?: ReadonlySet<string>): ParsedModule {
  if (!parser) throw new Error("python parser not initialised: await initPython() first");
  const tree = parser.parse(source);
  if (!tree) return { root: { type: "module", text: source, line: 1, kids: [], fields: {} }, errors: [{ line: 1, message: "parse failed" }] };
  const c = tree.walk();
  try {
    const errors: PySyntaxError[] = [];
    const walk: Walk = { src: source, starts: lineStarts(source), errors, checkMissing: tree.rootNode.hasError, skipBodies };
    const root = convert(c, walk, 0);
    return { root, errors };
  } finally {
    c.delete();
    tree.delete();
  }
}

/** Offsets at which each line starts (tree-sitter rows split on "\n"). */
function lineStarts(src: string): number[] {
  const out = [0];
  for (let i = src.indexOf("\n"); i >= 0; i = src.indexOf("\n", i + 1)) out.push(i + 1);
  return out;
}

/** 1-based line of an offset. */
function lineAt(starts: number[], index: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/**
 * Converts the node under the cursor (and its subtree); the cursor is back on
 * that node on return. Reads everything through the one cursor: creating wasm
 * Node objects per syntax node costs more than the parse itself.
 */
interface Walk {
  src: string;
  starts: number[];
  errors: PySyntaxError[];
  /** A tree without errors has no missing nodes: no need to ask (every cursor call crosses into wasm). */
  checkMissing: boolean;
  skipBodies?: ReadonlySet<string>;
}

function convert(c: TreeCursor, w: Walk, depth: number, fname: string | null = null): PyNode {
  const type = c.nodeType;
  const out = nodeAt(c, w, type);
  const missing = w.checkMissing && c.nodeIsMissing;
  const hasKids = c.gotoFirstChild();
  // A plain leaf (no field, no error) is taken as is, even at the depth limit.
  if (!hasKids && !fname && !missing && type !== "ERROR" && depth > 0) return out;
  if (type === "ERROR" || missing) {
    if (w.errors.length < 50) w.errors.push({ line: out.line, message: missing ? `missing ${type}` : `syntax error near: ${out.text.slice(0, 60)}` });
  }
  if (depth >= MAX_DEPTH) {
    if (hasKids) c.gotoParent();
    out.type = "ERROR";
    if (w.errors.length < 50) w.errors.push({ line: out.line, message: "nesting too deep" });
    return out;
  }
  if (!hasKids) return out;
  out.kids = [];
  out.fields = {};
  do {
    const fname = c.currentFieldName;
    const named = c.nodeIsNamed;
    if (!named && !fname) continue;
    const ctype = c.nodeType;
    // Comments carry no semantics and would otherwise sit among operands.
    if (ctype === "comment") continue;
    const skip = fname === "body" && type === "function_definition" && depth <= 2 && w.skipBodies?.has(out.fields.name?.[0]?.text ?? "");
    const conv = skip ? nodeAt(c, w, ctype) : named ? convert(c, w, depth + 1, fname) : nodeAt(c, w, ctype);
    if (named) out.kids.push(conv);
    if (fname) (out.fields[fname] ??= []).push(conv);
  } while (c.gotoNextSibling());
  c.gotoParent();
  return out;
}

// Leaves (most nodes) share one frozen empty list and map: nothing writes to a
// converted tree, and two allocations fewer per leaf relieve the collector.
const NO_KIDS = Object.freeze([]) as unknown as PyNode[];
const NO_FIELDS = Object.freeze({}) as Record<string, PyNode[]>;

function nodeAt(c: TreeCursor, w: Walk, type: string): PyNode {
  const start = c.startIndex;
  return { type, text: w.src.slice(start, c.endIndex), line: lineAt(w.starts, start), kids: NO_KIDS, fields: NO_FIELDS };
}
