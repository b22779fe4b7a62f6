import type { AddressInfo } from "node:net";
import { createServer } from "node:http";
import { getRequestListener } from "@hono/node-server";
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
  const server = createServer((req, res) => {
    if (!cache?.serve(req, res)) void listener(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, () => resolve());
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
        server.closeAllConnections();
      }),
  };
}
