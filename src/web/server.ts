import { createServer } from "node:http";
import { openCatalog } from "../catalog/open.js";
import { stats } from "../catalog/read.js";

export interface ServeOptions {
  db: string;
  port: number;
  host: string;
}

/** Placeholder until the website lands: serves the catalog's stats as JSON. */
export async function startServer(o: ServeOptions): Promise<{ url: string; close(): Promise<void> }> {
  const db = openCatalog(o.db, { readonly: true });
  const server = createServer((_req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(stats(db)));
  });
  await new Promise<void>((r) => server.listen(o.port, o.host, r));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : o.port;
  return {
    url: `http://${o.host}:${port}/`,
    close: () => new Promise<void>((r) => server.close(() => (db.close(), r()))),
  };
}
