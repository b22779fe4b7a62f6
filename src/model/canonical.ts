import { createHash } from "node:crypto";
import type { Logic } from "./expr.js";

/** JSON with object keys sorted and undefined dropped: equal trees give equal text. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(",")}}`;
}

/** Hash of the logic alone, so a change of logic can be told from a change of metadata. */
export function logicHash(logic: Logic): string {
  return createHash("sha256").update(canonicalJson(logic)).digest("hex").slice(0, 16);
}
