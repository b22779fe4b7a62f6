/**
 * Dotted-path lookup shared by languages whose fields are plain JSON paths.
 * Arrays met on the way fan out: `a.b` over `{a: [{b: 1}, {b: 2}]}` yields [1, 2].
 * A key containing dots is tried whole first (flattened events such as ECS `process.name`).
 */
export function plainResolve(event: unknown, field: string, caseInsensitiveKeys = false): unknown[] | undefined {
  const out: unknown[] = [];
  let found = false;
  const visit = (node: unknown, rest: string): void => {
    if (Array.isArray(node)) {
      for (const el of node) visit(el, rest);
      return;
    }
    if (rest === "") {
      found = true;
      out.push(node);
      return;
    }
    if (node === null || typeof node !== "object") return;
    const obj = node as Record<string, unknown>;
    const whole = lookupKey(obj, rest, caseInsensitiveKeys);
    if (whole !== NOT_FOUND) {
      visit(whole, "");
      return;
    }
    let dot = rest.indexOf(".");
    while (dot !== -1) {
      const head = rest.slice(0, dot);
      const child = lookupKey(obj, head, caseInsensitiveKeys);
      if (child !== NOT_FOUND) visit(child, rest.slice(dot + 1));
      dot = rest.indexOf(".", dot + 1);
    }
  };
  visit(event, field);
  if (!found) return undefined;
  // Arrays at the leaf fan out too: a predicate holds when any element matches.
  return out.flatMap((v) => (Array.isArray(v) ? (v.length === 0 ? [] : v) : [v]));
}

const NOT_FOUND = Symbol("not found");

function lookupKey(obj: Record<string, unknown>, key: string, ci: boolean): unknown {
  if (Object.hasOwn(obj, key)) return obj[key];
  if (!ci) return NOT_FOUND;
  const lower = key.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return NOT_FOUND;
}
