// The never-seen searches of the web benches: distinct queries drawn from a
// catalog's own words and facet values, the same ones on every run.
import { openCatalog } from "../src/catalog/open.js";

/** Random but repeatable: every run draws the same unseen queries. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/**
 * Distinct search URLs a server cannot have seen: words of the catalog's titles,
 * descriptions and indicator values (whole, prefixes, pairs), alone or with a
 * facet filter the catalog holds, a sort and a page; `count` of them, each once.
 */
export function unseenSearches(db: string, count: number): string[] {
  const cat = openCatalog(db, { readonly: true });
  try {
    const texts = cat.prepare("SELECT title || ' ' || description FROM rules").pluck().all() as string[];
    const values = cat.prepare("SELECT value FROM indicators WHERE value IS NOT NULL AND negated = 0 LIMIT 20000").pluck().all() as string[];
    const words = [...new Set([...texts, ...values].flatMap((t) => String(t).match(/[A-Za-z][A-Za-z0-9]{2,}/g) ?? []))];
    const facetValues: [string, string[]][] = [
      ["severity", cat.prepare("SELECT DISTINCT severity FROM rules WHERE severity IS NOT NULL").pluck().all() as string[]],
      ["status", cat.prepare("SELECT DISTINCT status FROM rules WHERE status IS NOT NULL").pluck().all() as string[]],
      ["fidelity", ["full", "partial", "none"]],
      ["technique", cat.prepare("SELECT DISTINCT UPPER(technique) FROM rule_attack WHERE technique IS NOT NULL").pluck().all() as string[]],
      ["logsource", cat.prepare("SELECT DISTINCT key || ':' || value FROM rule_logsources").pluck().all() as string[]],
      ["field", cat.prepare("SELECT field FROM indicators WHERE field IS NOT NULL GROUP BY field HAVING COUNT(*) > 5").pluck().all() as string[]],
    ];
    const sorts = ["relevance", "title", "severity", "vendor", "fidelity", "modified"];
    const rand = rng(20261128);
    const pick = <T>(a: T[]): T => a[Math.floor(rand() * a.length)];
    const out = new Set<string>();
    for (let tries = 0; out.size < count && tries < count * 20; tries++) {
      const p = new URLSearchParams();
      const form = rand();
      const w = pick(words);
      if (form < 0.45) p.set("q", w);
      else if (form < 0.6) p.set("q", w.slice(0, 3 + Math.floor(rand() * 3)));
      else if (form < 0.8) p.set("q", `${w} ${pick(words)}`);
      if (form >= 0.9 || rand() < 0.35) {
        const [facet, vals] = pick(facetValues);
        if (vals.length > 0) p.set(facet, pick(vals));
      }
      if (rand() < 0.3) p.set("sort", pick(sorts));
      if (rand() < 0.2) p.set("page", String(2 + Math.floor(rand() * 2)));
      out.add(`/rules?${p.toString()}`);
    }
    return [...out];
  } finally {
    cat.close();
  }
}
