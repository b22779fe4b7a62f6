import type { AddressInfo } from "node:net";
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { openCatalog } from "../catalog/open.js";
import { searchIndex } from "../catalog/search-index.js";
import { generation } from "./cache.js";
import { HTML_TYPE, createApp, warmSearchPages } from "./app.js";
import { PageCache } from "./page-cache.js";
import { SearchPool, defaultSearchWorkers } from "./search-pool.js";
import { SECURITY_HEADERS } from "./security.js";
import { reuseStatements } from "./statements.js";
import { defaultRenderWorkers, prerender, ruleIds } from "./prerender.js";

export interface ServeOptions {
  db: string;
  port: number;
  host: string;
  /** Rendered pages kept in memory (default 2000; 0 disables, and nothing is pre-rendered). */
  cacheEntries?: number;
  /** Render every rule page before listening (default true when the cache is on). */
  prerender?: boolean;
  /** Worker threads that help pre-render (default: one per spare core, at most 3). */
  renderWorkers?: number;
  /** Worker threads that render search pages (default: one per core, at most 4; 0: the main thread does). */
  searchWorkers?: number;
}

/** What the server did before it answered its first request. */
export interface Warmup {
  ms: number;
  /** Rule pages rendered ahead (gzip), their compressed size, and how many the worker threads rendered. */
  pages: number;
  bytes: number;
  byWorkers: number;
}

/**
 * Serves the catalog read-only: the website and its JSON API. Before it
 * listens it builds the search index, renders every rule page and runs a few
 * hundred searches (kept nowhere: the code gets compiled), so the first
 * visitor is served as fast as the thousandth; after an ingest
 * (the catalog's generation moves) both are rebuilt in the background, and
 * until then pages are rendered per request — never served stale.
 */
export async function startServer(o: ServeOptions): Promise<{ url: string; warmup: Warmup; close(): Promise<void> }> {
  const t0 = performance.now();
  const db = openCatalog(o.db, { readonly: true });
  reuseStatements(db);
  const entries = o.cacheEntries ?? 2000;
  const cache = entries > 0 ? new PageCache(db, entries) : undefined;
  const app = createApp(db, { cache });
  const workers = o.renderWorkers ?? defaultRenderWorkers();
  const searchWorkers = o.searchWorkers ?? defaultSearchWorkers();
  // Started first: the workers build their search indexes while the rule pages are rendered.
  const pool = searchWorkers > 0 ? new SearchPool(o.db, searchWorkers) : undefined;
  const warmup: Warmup = { ms: 0, pages: 0, bytes: 0, byWorkers: 0 };
  let closed = false;

  /** Search index, then the rule pages; true when the set pinned is of the current generation. */
  const warm = async (): Promise<boolean> => {
    // With search workers, the main thread's index is only a fallback: built when first needed.
    const buildIndex = () => {
      if (!pool) searchIndex(db).text();
    };
    if (!cache || !(o.prerender ?? true)) {
      buildIndex();
      return true;
    }
    const done = await prerender(db, o.db, ruleIds(db), workers, buildIndex);
    if (!done || closed) return false;
    cache.pin(done.pages);
    // The search workers warm themselves; without them, the main thread runs the searches.
    if (!pool) warmSearchPages(db, 300);
    warmup.pages = done.pages.size;
    warmup.byWorkers = done.byWorkers;
    warmup.bytes = cache.pinnedState.bytes;
    return true;
  };
  await warm();
  await pool?.ready();
  warmup.ms = performance.now() - t0;

  // After an ingest, warm again in the background (one pass at a time; again if it changed meanwhile).
  let warming: Promise<unknown> | undefined;
  let warmedGen = generation(db);
  const rewarm = () => {
    if (warming || closed || generation(db) === warmedGen) return;
    const gen = generation(db);
    warming = warm()
      .then((ok) => {
        if (ok) warmedGen = gen;
      })
      .catch((err: unknown) => console.error(err))
      .finally(() => (warming = undefined));
  };
  const timer = setInterval(rewarm, 1000);
  timer.unref();

  const listener = getRequestListener(app.fetch);
  /** Which searches the pool answers: GET /rules and GET /api/rules, exactly as the app routes them. */
  const searchKind = (req: IncomingMessage): "html" | "json" | undefined => {
    if (!pool?.available || req.method !== "GET") return undefined;
    const t = req.url ?? "";
    if (t === "/rules" || t.startsWith("/rules?")) return "html";
    if (t === "/api/rules" || t.startsWith("/api/rules?")) return "json";
    return undefined;
  };
  /** A search answered by a search worker, with the app's status, headers and body; false: the app answers. */
  const search = async (req: IncomingMessage, res: ServerResponse, pool: SearchPool, kind: "html" | "json", arrived: bigint): Promise<boolean> => {
    const target = req.url ?? "";
    // Read before the worker renders, so a page kept is never newer than its generation says.
    const keep = cache?.wants(target) ? generation(db) : undefined;
    const { search: query } = new URL(target, "http://localhost");
    const r = await pool.render(kind, query, `/api/rules${query}`, arrived);
    if (r.status === 0) return false;
    const type = kind === "html" ? HTML_TYPE : "application/json";
    const encoding = r.latin1 ? "latin1" : "utf8";
    res.writeHead(r.status, { "Content-Type": type, ...SECURITY_HEADERS, "Content-Length": r.bytes });
    res.end(r.body, encoding);
    if (r.status === 200 && keep !== undefined) cache?.keep(target, keep, type, Buffer.from(r.body, encoding));
    return true;
  };
  const server = createServer((req, res) => {
    const arrived = process.hrtime.bigint();
    if (cache?.serve(req, res)) return;
    const kind = searchKind(req);
    if (!pool || !kind) {
      void listener(req, res);
      return;
    }
    void search(req, res, pool, kind, arrived).then((done) => {
      if (!done) void listener(req, res);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = o.host.includes(":") ? `[${o.host}]` : o.host;
  return {
    url: `http://${host}:${port}/`,
    warmup,
    close: () =>
      new Promise<void>((resolve) => {
        closed = true;
        clearInterval(timer);
        void pool?.close();
        server.close(() => {
          void Promise.resolve(warming).then(() => {
            db.close();
            resolve();
          });
        });
        // Keep-alive connections would hold close() open.
        server.closeAllConnections();
      }),
  };
}
