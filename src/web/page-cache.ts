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
  private bytes = 0;

  /** At most `max` pages and `maxBytes` of bodies (a huge rule body must not pin memory). */
  constructor(
    private readonly db: Db,
    max: number,
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {
    this.lru = new Lru(max, (e) => {
      this.bytes -= e.body.length;
    });
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
      // Keyed by the request target exactly as the client sent it (what serve() looks up).
      const url = c.req.url;
      const body = Buffer.from(await c.res.clone().arrayBuffer());
      if (body.length > this.maxBytes / 16) return;
      this.lru.set(url.slice(url.indexOf("/", url.indexOf("//") + 2)), { gen, type, body });
      this.bytes += body.length;
      while (this.bytes > this.maxBytes && this.lru.size > 0) this.lru.evictOldest();
    };
  }
}
