import { createRequire } from "node:module";
import { Language, Parser, type Node } from "web-tree-sitter";
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

/** Parses Python source. Throws only when initPython() has not completed. */
export function parsePython(source: string): ParsedModule {
  if (!parser) throw new Error("python parser not initialised: await initPython() first");
  const tree = parser.parse(source);
  if (!tree) return { root: { type: "module", text: source, line: 1, kids: [], fields: {} }, errors: [{ line: 1, message: "parse failed" }] };
  try {
    const errors: PySyntaxError[] = [];
    const root = convert(tree.rootNode, source, errors, 0);
    return { root, errors };
  } finally {
    tree.delete();
  }
}

function convert(n: Node, src: string, errors: PySyntaxError[], depth: number): PyNode {
  const out: PyNode = {
    type: n.type,
    text: src.slice(n.startIndex, n.endIndex),
    line: n.startPosition.row + 1,
    kids: [],
    fields: {},
  };
  if (n.type === "ERROR" || n.isMissing) {
    if (errors.length < 50) errors.push({ line: out.line, message: n.isMissing ? `missing ${n.type}` : `syntax error near: ${out.text.slice(0, 60)}` });
  }
  if (depth >= MAX_DEPTH) {
    out.type = "ERROR";
    if (errors.length < 50) errors.push({ line: out.line, message: "nesting too deep" });
    return out;
  }
  const c = n.walk();
  try {
    if (c.gotoFirstChild()) {
      do {
        const child = c.currentNode;
        const fname = c.currentFieldName;
        if (!child.isNamed && !fname) continue;
        // Comments carry no semantics and would otherwise sit among operands.
        if (child.type === "comment") continue;
        if (child.isNamed && child.type !== "ERROR" && !child.hasError && child.childCount === 0 && !child.isMissing && !fname) {
          out.kids.push(leaf(child, src));
          continue;
        }
        const conv = child.isNamed ? convert(child, src, errors, depth + 1) : leaf(child, src);
        if (child.isNamed) out.kids.push(conv);
        if (fname) (out.fields[fname] ??= []).push(conv);
      } while (c.gotoNextSibling());
    }
  } finally {
    c.delete();
  }
  return out;
}

function leaf(n: Node, src: string): PyNode {
  return { type: n.type, text: src.slice(n.startIndex, n.endIndex), line: n.startPosition.row + 1, kids: [], fields: {} };
}
