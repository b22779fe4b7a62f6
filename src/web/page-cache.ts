import type { IncomingMessage, ServerResponse } from "node:http";
import { gunzipSync } from "node:zlib";
import type { Context, MiddlewareHandler } from "hono";
import type { Db } from "../catalog/open.js";
import { Lru, generation } from "./cache.js";
import { SECURITY_HEADERS } from "./security.js";

export interface CachedPage {
  /** Catalog generation the page was rendered from. */
  gen: number;
  type: string;
  body: Buffer;
  /** The body is gzip: sent as is to clients that accept it, inflated for the others. */
  gzipped: boolean;
}

/** Bodies as the app rendered them, by request: kept without reading the Response back (that costs a stream). */
const rendered = new WeakMap<Request, string>();

/** Notes the body a handler answers with, so the cache can keep it (a body not noted is not cached). */
export function noteBody(c: Context, body: string): void {
  rendered.set(c.req.raw, body);
}

/** Whether an Accept-Encoding header admits gzip (a q of 0 refuses it). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  for (const part of header.split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    if (name !== "gzip" && name !== "*") continue;
    const q = params.map((p) => /^\s*q\s*=\s*([\d.]+)/.exec(p)?.[1]).find((v) => v !== undefined);
    return q === undefined || Number(q) > 0;
  }
  return false;
}

/**
 * Successful GET pages by path and query, for as long as the catalog does not
 * change: the server only reads, so a page is a pure function of its URL and
 * the catalog's generation. Two tiers: the pre-rendered set (every rule page,
 * gzip, replaced whole by `pin`) and an LRU the app fills as it renders
 * (middleware) with the pages asked for a second time. The Node listener answers hits before any Request/Response
 * object is built; a page of another generation is never served.
 */
export class PageCache {
  private readonly lru: Lru<CachedPage>;
  /** Request targets rendered once, not yet kept. */
  private readonly seen: Lru<number>;
  private bytes = 0;
  private pinned = new Map<string, CachedPage>();
  private pinnedBytes = 0;

  /** At most `max` pages and `maxBytes` of bodies in the LRU (a huge rule body must not pin memory). */
  constructor(
    private readonly db: Db,
    max: number,
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {
    this.lru = new Lru(max, (e) => {
      this.bytes -= e.body.length;
    });
    this.seen = new Lru(max * 4);
  }

  /**
   * The page for a request target, if one of the current generation is held.
   * The generation is read only when a page is held: a request for a page
   * never kept (most searches) costs no question to SQLite.
   */
  lookup(url: string): CachedPage | undefined {
    const pinned = this.pinned.get(url);
    const held = pinned ?? this.lru.get(url);
    if (!held) return undefined;
    const gen = generation(this.db);
    if (held.gen === gen) return held;
    if (pinned) {
      const hit = this.lru.get(url);
      if (hit && hit.gen === gen) return hit;
    }
    return undefined;
  }

  /** Answers a GET from the cache; false when the page is not cached (or stale). */
  serve(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== "GET" || req.url === undefined) return false;
    const hit = this.lookup(req.url);
    if (!hit) return false;
    const headers: Record<string, string | number> = { ...SECURITY_HEADERS, "Content-Type": hit.type, "X-Cache": "hit" };
    let body = hit.body;
    if (hit.gzipped) {
      headers.Vary = "Accept-Encoding";
      if (acceptsGzip(req.headers["accept-encoding"])) headers["Content-Encoding"] = "gzip";
      else body = gunzipSync(body);
    }
    headers["Content-Length"] = body.length;
    res.writeHead(200, headers);
    res.end(body);
    return true;
  }

  /** Replaces the pre-rendered set (pages of one generation). */
  pin(pages: Map<string, CachedPage>): void {
    this.pinned = pages;
    this.pinnedBytes = [...pages.values()].reduce((n, p) => n + p.body.length, 0);
  }

  /** Generation of the pre-rendered set (-1: none), and its size. */
  get pinnedState(): { gen: number; pages: number; bytes: number } {
    const first = this.pinned.values().next();
    return { gen: first.done ? -1 : first.value.gen, pages: this.pinned.size, bytes: this.pinnedBytes };
  }

  /**
   * Whether a page about to be rendered for `key` is worth keeping: yes from
   * its second request on (most searches are asked once); a first request is
   * noted. A caller told yes reads the generation before rendering, for keep().
   */
  wants(key: string): boolean {
    if (this.seen.get(key) !== undefined) return true;
    this.seen.set(key, 1);
    return false;
  }

  /** Keeps a rendered 200 page in the LRU, of generation `gen` (read before it was rendered). */
  keep(key: string, gen: number, type: string, text: string | Buffer): void {
    if (!/^(text\/html|application\/json)/.test(type)) return;
    const body = typeof text === "string" ? Buffer.from(text) : text;
    if (body.length > this.maxBytes / 16) return;
    this.lru.set(key, { gen, type, body, gzipped: false });
    this.bytes += body.length;
    while (this.bytes > this.maxBytes && this.lru.size > 0) this.lru.evictOldest();
  }

  middleware(): MiddlewareHandler {
    return async (c, next) => {
      if (c.req.method !== "GET") return next();
      const gen = generation(this.db);
      await next();
      if (c.res.status !== 200 || c.res.headers.has("Content-Disposition")) return;
      const text = rendered.get(c.req.raw);
      if (text === undefined) return;
      // Keyed by the request target exactly as the client sent it (what serve() looks up).
      const url = c.req.url;
      const key = url.slice(url.indexOf("/", url.indexOf("//") + 2));
      if (this.wants(key)) this.keep(key, gen, c.res.headers.get("Content-Type") ?? "", text);
    };
  }
}
