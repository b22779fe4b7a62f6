// Typing of detection scalars from their source text. The `yaml` package
// reads a plain `00000429` as the int 429 (even in YAML 1.1 mode), while
// Sigma tooling keeps it a string: so plain scalars are typed here, from
// what was written, with the narrow rules below.
import { isScalar, type Scalar as YamlScalar } from "yaml";
import type { Scalar } from "./modifiers.js";

const NULLS = new Set(["", "~", "null", "Null", "NULL"]);
const TRUES = new Set(["true", "True", "TRUE"]);
const FALSES = new Set(["false", "False", "FALSE"]);

/** A plain scalar's text typed: null, boolean, a canonical integer, else the string as written. */
export function typePlain(s: string): Scalar {
  if (NULLS.has(s)) return null;
  if (TRUES.has(s)) return true;
  if (FALSES.has(s)) return false;
  if (/^-?\d+$/.test(s) && String(Number(s)) === s) return Number(s);
  return s;
}

/** The Sigma value of a YAML scalar node: quoted and block scalars are always strings. */
export function scalarValue(node: YamlScalar): Scalar {
  if (node.type === "PLAIN") {
    if (typeof node.value === "string") return node.value;
    return typePlain(node.source ?? String(node.value));
  }
  return node.value === null || node.value === undefined ? "" : String(node.value);
}

export function isYamlScalar(n: unknown): n is YamlScalar {
  return isScalar(n);
}
