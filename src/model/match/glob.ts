type GlobPart = { lit: string } | { any: true } | { one: true };

/** Splits a glob into parts: `*` any run, `?` one char, `\` escapes only `*`, `?` and `\`. */
export function parseGlob(glob: string): GlobPart[] {
  const parts: GlobPart[] = [];
  let lit = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "\\" && i + 1 < glob.length && "*?\\".includes(glob[i + 1])) {
      lit += glob[++i];
    } else if (c === "*" || c === "?") {
      if (lit) parts.push({ lit });
      lit = "";
      parts.push(c === "*" ? { any: true } : { one: true });
    } else {
      lit += c;
    }
  }
  if (lit) parts.push({ lit });
  return parts;
}

const cache = new Map<string, GlobPart[]>();

/**
 * Linear-backtracking glob match (the classic two-pointer algorithm over
 * code points): no regex, so no pattern can make it blow up.
 */
export function globMatch(glob: string, text: string, caseInsensitive: boolean): boolean {
  const key = (caseInsensitive ? "i" : "s") + glob;
  let parts = cache.get(key);
  if (!parts) {
    parts = parseGlob(caseInsensitive ? glob.toLowerCase() : glob);
    if (cache.size > 50_000) cache.clear();
    cache.set(key, parts);
  }
  const s = Array.from(caseInsensitive ? text.toLowerCase() : text);
  // Flatten parts into tokens of single code points for the two-pointer walk.
  const p: (string | 0 | 1)[] = [];
  for (const part of parts) {
    if ("lit" in part) p.push(...Array.from(part.lit));
    else p.push("any" in part ? 0 : 1);
  }
  let si = 0;
  let pi = 0;
  let star = -1;
  let mark = 0;
  while (si < s.length) {
    const t = p[pi];
    if (pi < p.length && (t === 1 || t === s[si])) {
      si++;
      pi++;
    } else if (pi < p.length && t === 0) {
      star = pi++;
      mark = si;
    } else if (star !== -1) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === 0) pi++;
  return pi === p.length;
}
