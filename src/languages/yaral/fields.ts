import type { PathSegment } from "./ast.js";

/**
 * A UDM field path as ruleatlas stores it: dotted names, map keys in
 * brackets (`target.resource.attribute.labels["App Id"]`), without the
 * event variable.
 */
export function fieldPath(segments: PathSegment[]): string {
  let out = "";
  for (const s of segments) {
    if ("name" in s) out += out === "" ? s.name : `.${s.name}`;
    else out += `[${JSON.stringify(s.key)}]`;
  }
  return out;
}

/** Splits a stored field path back into dotted runs and map keys. */
export function splitFieldPath(field: string): PathSegment[] {
  const out: PathSegment[] = [];
  const re = /\["((?:[^"\\]|\\.)*)"\]|\.?([^.[\]]+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(field)) !== null) {
    if (m[1] !== undefined) out.push({ key: JSON.parse(`"${m[1]}"`) as string });
    else if (m[2] !== undefined) out.push({ name: m[2] });
    if (m[0] === "") re.lastIndex++;
  }
  return out;
}
