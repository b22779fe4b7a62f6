import { createHash } from "node:crypto";
import type { Logic } from "./expr.js";

/**
 * JSON with object keys sorted and undefined dropped: equal trees give equal text.
 * Loops and string appends rather than map/filter/join: this runs over every rule's logic on every ingest.
 */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) {
    let out = "[";
    for (let i = 0; i < v.length; i++) out += (i === 0 ? "" : ",") + canonicalJson(v[i]);
    return `${out}]`;
  }
  const obj = v as Record<string, unknown>;
  let out = "{";
  for (const k of Object.keys(obj).sort()) {
    const x = obj[k];
    if (x === undefined) continue;
    out += `${out.length === 1 ? "" : ","}${JSON.stringify(k)}:${canonicalJson(x)}`;
  }
  return `${out}}`;
}

/** Hash of the logic alone, so a change of logic can be told from a change of metadata. */
export function logicHash(logic: Logic): string {
  return createHash("sha256").update(canonicalJson(logic)).digest("hex").slice(0, 16);
}
