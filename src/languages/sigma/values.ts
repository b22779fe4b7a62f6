// Sigma strings as structure: literal runs and wildcards, never a string
// with magic characters. Sigma's escape rule (spec v2, "Escaping"): a
// backslash escapes only `*`, `?` and `\`; any other backslash, and a
// trailing one, is a literal backslash.

export type Part = { lit: string } | { any: true } | { one: true };

export const ANY: Part = { any: true };
export const ONE: Part = { one: true };

/** Splits a Sigma string value into literal runs and wildcards. */
export function parseSigmaString(s: string): Part[] {
  const parts: Part[] = [];
  let lit = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "\\") {
      const next = s[i + 1];
      if (next === "*" || next === "?" || next === "\\") {
        lit += next;
        i++;
      } else {
        lit += c;
      }
    } else if (c === "*" || c === "?") {
      if (lit) parts.push({ lit });
      lit = "";
      parts.push(c === "*" ? ANY : ONE);
    } else {
      lit += c;
    }
  }
  if (lit) parts.push({ lit });
  return parts;
}

export const literal = (s: string): Part[] => (s === "" ? [] : [{ lit: s }]);

export function isLiteral(parts: Part[]): boolean {
  return parts.every((p) => "lit" in p);
}

export function literalText(parts: Part[]): string {
  let s = "";
  for (const p of parts) if ("lit" in p) s += p.lit;
  return s;
}

/** Merges neighbouring literal runs and collapses `**` (they match the same strings). */
export function normalizeParts(parts: Part[]): Part[] {
  const out: Part[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if ("lit" in p) {
      if (p.lit === "") continue;
      if (last && "lit" in last) out[out.length - 1] = { lit: last.lit + p.lit };
      else out.push(p);
    } else if ("any" in p && last && "any" in last) {
      continue;
    } else {
      out.push(p);
    }
  }
  return out;
}

/** `contains`: wildcard on both ends unless already there. */
export function wrapAny(parts: Part[], start: boolean, end: boolean): Part[] {
  const out = [...parts];
  if (start && !(out[0] && "any" in out[0])) out.unshift(ANY);
  if (end && !(out[out.length - 1] && "any" in out[out.length - 1])) out.push(ANY);
  return out;
}

/**
 * Renders parts in the model's glob syntax (expr.ts `wildcard`): `*`, `?`,
 * and a backslash escape only where a literal `*`, `?` or `\` would
 * otherwise be read as special. Other backslashes stay single, as written.
 */
export function renderGlob(parts: Part[]): string {
  let out = "";
  for (let i = parts.length - 1; i >= 0; i--) {
    const p = parts[i];
    if ("any" in p) out = `*${out}`;
    else if ("one" in p) out = `?${out}`;
    else {
      let chunk = "";
      for (let j = p.lit.length - 1; j >= 0; j--) {
        const c = p.lit[j];
        const next = chunk.length > 0 ? chunk[0] : out[0];
        if (c === "*" || c === "?") chunk = `\\${c}${chunk}`;
        else if (c === "\\" && (next === "*" || next === "?" || next === "\\")) chunk = `\\\\${chunk}`;
        else chunk = c + chunk;
      }
      out = chunk + out;
    }
  }
  return out;
}

export type StringKind = "eq" | "contains" | "startswith" | "endswith" | "wildcard";

/**
 * The narrowest predicate kind for a glob: `*x*` contains, `x*` startswith,
 * `*x` endswith, no wildcard eq, anything else a wildcard pattern.
 */
export function classify(input: Part[]): { kind: StringKind; value: string } {
  const parts = normalizeParts(input);
  const n = parts.length;
  const isAny = (p: Part | undefined) => p !== undefined && "any" in p;
  const isLit = (p: Part | undefined): p is { lit: string } => p !== undefined && "lit" in p;
  if (n === 0) return { kind: "eq", value: "" };
  if (n === 1 && isLit(parts[0])) return { kind: "eq", value: parts[0].lit };
  if (n === 2 && isLit(parts[0]) && isAny(parts[1])) return { kind: "startswith", value: parts[0].lit };
  if (n === 2 && isAny(parts[0]) && isLit(parts[1])) return { kind: "endswith", value: parts[1].lit };
  if (n === 3 && isAny(parts[0]) && isLit(parts[1]) && isAny(parts[2])) return { kind: "contains", value: parts[1].lit };
  return { kind: "wildcard", value: renderGlob(parts) };
}
