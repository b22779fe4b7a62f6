import type { MiddlewareHandler } from "hono";
import type { Db } from "../catalog/open.js";
import { Lru, generation } from "./cache.js";

interface Entry {
  gen: number;
  status: number;
  type: string;
  body: string;
}

/**
 * Caches successful GET responses by URL for as long as the catalog does not
 * change: the server only reads, so a page is a pure function of its URL and
 * the catalog's generation.
 */
export function pageCache(db: Db, maxEntries: number): MiddlewareHandler {
  const lru = new Lru<Entry>(maxEntries);
  return async (c, next) => {
    if (c.req.method !== "GET") return next();
    const key = c.req.url;
    const gen = generation(db);
    const hit = lru.get(key);
    if (hit && hit.gen === gen) {
      return c.body(hit.body, hit.status as 200, { "Content-Type": hit.type, "X-Cache": "hit" });
    }
    await next();
    const type = c.res.headers.get("Content-Type") ?? "";
    if (c.res.status !== 200 || !/^(text\/html|application\/json)/.test(type)) return;
    const body = await c.res.clone().text();
    lru.set(key, { gen, status: c.res.status, type, body });
  };
}
