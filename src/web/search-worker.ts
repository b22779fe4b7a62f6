import { parentPort, workerData } from "node:worker_threads";
import { openCatalog } from "../catalog/open.js";
import { searchIndex } from "../catalog/search-index.js";
import { searchPageHtml, warmSearchPages } from "./app.js";
import { searchPageData } from "./data/search.js";
import type { SearchJob, SearchReply } from "./search-pool.js";
import { reuseStatements } from "./statements.js";

// Renders search pages with its own read-only connection and search index; says "ready" once both are built.
const db = openCatalog((workerData as { db: string }).db, { readonly: true });
reuseStatements(db);
searchIndex(db).text();
await warmSearchPages(db, 300);
const utf8 = new TextEncoder();

async function answer(job: SearchJob): Promise<SearchReply> {
  const params = new URLSearchParams(job.query);
  if (job.kind === "json") {
    const d = searchPageData(db, params);
    return { id: job.id, status: d.error ? 400 : 200, body: utf8.encode(JSON.stringify(d)) };
  }
  const r = await searchPageHtml(db, params, job.api);
  return { id: job.id, status: r.status, body: utf8.encode(r.html) };
}

parentPort?.on("message", (job: SearchJob) => {
  void answer(job).then(
    (r): void => parentPort?.postMessage(r, [r.body.buffer as ArrayBuffer]),
    (): void => parentPort?.postMessage({ id: job.id, status: 0, body: new Uint8Array(0) } satisfies SearchReply),
  );
});
parentPort?.postMessage("ready");
