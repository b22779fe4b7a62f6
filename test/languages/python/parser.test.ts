import assert from "node:assert/strict";
import { test } from "node:test";
import type { PyNode } from "../../../src/languages/python/ast.js";
import { initPython, parsePython } from "../../../src/languages/python/parser.js";

await initPython();

function find(n: PyNode, pred: (x: PyNode) => boolean): PyNode | undefined {
  if (pred(n)) return n;
  for (const k of n.kids) {
    const hit = find(k, pred);
    if (hit) return hit;
  }
  for (const list of Object.values(n.fields)) {
    for (const k of list) {
      const hit = find(k, pred);
      if (hit) return hit;
    }
  }
  return undefined;
}

test("lines and texts survive multi-line strings and non-ASCII text", () => {
  const src = 'DOC = """first\nsecond"""\n# é comment 😀\n\ndef rule(event):\n    return event.get("ü") == "😀"\n';
  const { root, errors } = parsePython(src);
  assert.deepEqual(errors, []);
  const fn = find(root, (x) => x.type === "function_definition");
  assert.equal(fn?.line, 5);
  const cmp = find(root, (x) => x.type === "comparison_operator");
  assert.equal(cmp?.text, 'event.get("ü") == "😀"');
  assert.equal(cmp?.line, 6);
  // Comments are not kept among the children.
  assert.equal(root.kids.some((k) => k.type === "comment"), false);
});

test("named fields hold the operator tokens; anonymous punctuation is dropped from kids", () => {
  const { root } = parsePython("def rule(event):\n    return a in b and not c\n");
  const cmp = find(root, (x) => x.type === "comparison_operator");
  assert.deepEqual(cmp?.fields.operators?.map((o) => o.text), ["in"]);
  assert.deepEqual(cmp?.kids.map((k) => k.type), ["identifier", "identifier"]);
  const bool = find(root, (x) => x.type === "boolean_operator");
  assert.equal(bool?.fields.operator?.[0].text, "and");
});

test("syntax errors and missing tokens are reported with their line", () => {
  const { errors } = parsePython("def rule(event):\n    return event.get('a') ==\n\ndef title(event:\n    return 1\n");
  assert.ok(errors.length > 0);
  assert.ok(errors.every((e) => e.line >= 1 && e.line <= 5));
});

test("nesting deeper than the limit is cut and reported, even in a file without syntax errors", () => {
  const deep = `x = ${"(".repeat(300)}1${")".repeat(300)}\n`;
  const { root, errors } = parsePython(deep);
  assert.ok(errors.some((e) => e.message === "nesting too deep"));
  assert.ok(find(root, (x) => x.type === "ERROR"));
});

test("bodies of the named top-level functions are kept as one block of text", () => {
  const src = "def rule(event):\n    return event.get('a') == 1\n\n@cached\ndef title(event):\n    return f\"{event.get('a')}\"\n";
  const { root, errors } = parsePython(src, new Set(["title"]));
  assert.deepEqual(errors, []);
  const title = find(root, (x) => x.type === "function_definition" && x.fields.name?.[0]?.text === "title");
  const body = title?.fields.body?.[0];
  assert.equal(body?.type, "block");
  assert.equal(body?.kids.length, 0);
  assert.match(body?.text ?? "", /return f"/);
  const rule = find(root, (x) => x.type === "function_definition" && x.fields.name?.[0]?.text === "rule");
  assert.ok((rule?.fields.body?.[0]?.kids.length ?? 0) > 0);
});
