import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Db } from "../../catalog/open.js";

/**
 * The corpus analytics the pages call (src/analytics, written alongside the
 * site). They are looked up by name at start-up so that a page whose function
 * has not landed yet shows an "unavailable" note instead of failing.
 */
export type AnalyticsFn = (db: Db, ...args: never[]) => unknown;

export const ANALYTICS_NAMES = ["relatedRules", "indicatorRules", "coverage", "navigatorLayer"] as const;
export type AnalyticsName = (typeof ANALYTICS_NAMES)[number];

const DIR = new URL("../../analytics/", import.meta.url);

async function discover(): Promise<Partial<Record<AnalyticsName, AnalyticsFn>>> {
  const found: Partial<Record<AnalyticsName, AnalyticsFn>> = {};
  let files: string[] = [];
  try {
    files = readdirSync(fileURLToPath(DIR)).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith(".d.ts"));
  } catch {
    return found;
  }
  for (const f of files.sort()) {
    let mod: Record<string, unknown>;
    try {
      mod = (await import(new URL(f.replace(/\.ts$/, ".js"), DIR).href)) as Record<string, unknown>;
    } catch {
      try {
        mod = (await import(new URL(f, DIR).href)) as Record<string, unknown>;
      } catch {
        continue;
      }
    }
    for (const name of ANALYTICS_NAMES) {
      const fn = mod[name];
      if (typeof fn === "function" && !found[name]) found[name] = fn as AnalyticsFn;
    }
  }
  return found;
}

const table = await discover();

/** The analytics function of that name, or undefined while it is not available. */
export function analytics<F>(name: AnalyticsName): F | undefined {
  return table[name] as F | undefined;
}

/** Calls an analytics function; failures become a note on the page, never a 500. */
export function callAnalytics<T>(name: AnalyticsName, run: (fn: (...a: never[]) => unknown) => unknown): Available<T> {
  const fn = table[name];
  if (!fn) return { available: false, note: `${name} is not available in this build yet` };
  try {
    return { available: true, data: run(fn as (...a: never[]) => unknown) as T };
  } catch (err) {
    return { available: false, note: `${name} failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}

export type Available<T> = { available: true; data: T } | { available: false; note: string };
