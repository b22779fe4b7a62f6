import type { AddressInfo } from "node:net";
import { getRequestListener, serve } from "@hono/node-server";
import { openCatalog } from "../catalog/open.js";
import { createApp } from "./app.js";
import { PageCache } from "./page-cache.js";

export interface ServeOptions {
  db: string;
  port: number;
  host: string;
  /** Rendered pages kept in memory (default 2000; 0 disables). */
  cacheEntries?: number;
}

/** Serves the catalog read-only: the website and its JSON API. */
export async function startServer(o: ServeOptions): Promise<{ url: string; close(): Promise<void> }> {
  const db = openCatalog(o.db, { readonly: true });
  const entries = o.cacheEntries ?? 2000;
  const cache = entries > 0 ? new PageCache(db, entries) : undefined;
  const app = createApp(db, { cache });
  const listener = getRequestListener(app.fetch);
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve(
      {
        fetch: app.fetch,
        port: o.port,
        hostname: o.host,
        createServer: (await import("node:http")).createServer,
        serverOptions: {},
      },
      () => resolve(s),
    );
    s.removeAllListeners("request");
    s.on("request", (req, res) => {
      if (!cache?.serve(req, res)) void listener(req, res);
    });
    s.once("error", reject);
  });
  const port = (server.address() as AddressInfo).port;
  const host = o.host.includes(":") ? `[${o.host}]` : o.host;
  return {
    url: `http://${host}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          db.close();
          resolve();
        });
        // Keep-alive connections would hold close() open.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
