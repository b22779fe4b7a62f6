import type { IncomingMessage, ServerResponse } from "node:http";
import type { MiddlewareHandler } from "hono";
import type { Db } from "../catalog/open.js";
import { Lru, generation } from "./cache.js";
import { SECURITY_HEADERS } from "./security.js";

interface Entry {
  gen: number;
  type: string;
  body: Buffer;
}

/**
 * Successful GET pages by path and query, for as long as the catalog does not
 * change: the server only reads, so a page is a pure function of its URL and
 * the catalog's generation. The app fills it (middleware); the Node listener
 * answers hits before any Request/Response object is built.
 */
export class PageCache {
  private readonly lru: Lru<Entry>;

  constructor(
    private readonly db: Db,
    max: number,
  ) {
    this.lru = new Lru(max);
  }

  /** Answers a GET from the cache; false when the page is not cached (or stale). */
  serve(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== "GET" || req.url === undefined) return false;
    const hit = this.lru.get(req.url);
    if (!hit || hit.gen !== generation(this.db)) return false;
    res.writeHead(200, { ...SECURITY_HEADERS, "Content-Type": hit.type, "Content-Length": hit.body.length, "X-Cache": "hit" });
    res.end(hit.body);
    return true;
  }

  middleware(): MiddlewareHandler {
    return async (c, next) => {
      if (c.req.method !== "GET") return next();
      const gen = generation(this.db);
      await next();
      const type = c.res.headers.get("Content-Type") ?? "";
      if (c.res.status !== 200 || !/^(text\/html|application\/json)/.test(type)) return;
      if (c.res.headers.has("Content-Disposition")) return;
      const u = new URL(c.req.url);
      const body = Buffer.from(await c.res.clone().arrayBuffer());
      this.lru.set(u.pathname + u.search, { gen, type, body });
    };
  }
}
