// A compact, plain-object copy of the tree-sitter-python syntax tree. The
// wasm tree is freed right after parsing, so helper modules can be cached and
// walked synchronously without holding wasm memory.

export interface PyNode {
  type: string;
  /** Source text of the node. */
  text: string;
  /** 1-based line of the node's start. */
  line: number;
  /** Named children, in source order. */
  kids: PyNode[];
  /** Children by grammar field name (anonymous operator tokens included). */
  fields: Record<string, PyNode[]>;
}

export function field(n: PyNode, name: string): PyNode | undefined {
  return n.fields[name]?.[0];
}

export function fieldAll(n: PyNode, name: string): PyNode[] {
  return n.fields[name] ?? [];
}

/** Named children that are not comments. */
export function body(n: PyNode): PyNode[] {
  return n.kids.filter((k) => k.type !== "comment");
}

export function countNodes(n: PyNode, limit: number): number {
  let count = 0;
  const stack = [n];
  while (stack.length > 0 && count < limit) {
    const x = stack.pop() as PyNode;
    count++;
    stack.push(...x.kids);
  }
  return count;
}
