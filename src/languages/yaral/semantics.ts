import type { Semantics } from "../../model/semantics.js";
import { plainResolve } from "../../model/resolve.js";
import { splitFieldPath } from "./fields.js";

/**
 * YARA-L over UDM events as plain JSON. `=` is case-sensitive unless the
 * predicate says otherwise (`nocase`); regexes are RE2, matched partially.
 * Map access `labels["k"]` reads a map (`additional.fields`) or a repeated
 * `{key, value}` list (`labels`). UDM has no nulls: an unset string field
 * reads as "" (so `$e.f != $e.g` is false when both are unset, and `/.*$/`
 * matches it), and "" counts as absent for is_null / is_not_null.
 */
export const yaralSemantics: Semantics = {
  name: "yaral",
  caseSensitive: true,
  regexDialect: "re2",
  looseNumbers: true,
  resolve: (event, field) => resolveUdm(event, field) ?? [""],
  present: (v) => v !== null && v !== undefined && v !== "",
};

export function resolveUdm(event: unknown, field: string): unknown[] | undefined {
  if (!field.includes("[")) return plainResolve(event, field);
  let nodes: unknown[] = [event];
  let dotted: string[] = [];
  const flush = (): boolean => {
    if (dotted.length === 0) return true;
    const next: unknown[] = [];
    let found = false;
    for (const n of nodes) {
      const r = plainResolve(n, dotted.join("."));
      if (r !== undefined) {
        found = true;
        for (const x of r) next.push(x);
      }
    }
    nodes = next;
    dotted = [];
    return found;
  };
  for (const seg of splitFieldPath(field)) {
    if ("name" in seg) {
      dotted.push(seg.name);
      continue;
    }
    if (!flush()) return undefined;
    const next: unknown[] = [];
    for (const n of nodes) for (const x of mapLookup(n, seg.key)) next.push(x);
    if (next.length === 0) return undefined;
    nodes = next;
  }
  if (!flush()) return undefined;
  return nodes.flatMap((v) => (Array.isArray(v) ? v : [v]));
}

function mapLookup(node: unknown, key: string): unknown[] {
  if (node === null || typeof node !== "object") return [];
  if (Array.isArray(node)) return node.flatMap((el) => mapLookup(el, key));
  const obj = node as Record<string, unknown>;
  // A repeated Label: {key, value}.
  if (typeof obj.key === "string" && "value" in obj) return obj.key === key ? [obj.value] : [];
  return Object.hasOwn(obj, key) ? [obj[key]] : [];
}
