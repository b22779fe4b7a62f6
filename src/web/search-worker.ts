import { parentPort, workerData } from "node:worker_threads";
import { openCatalog } from "../catalog/open.js";
import { searchIndex, vouchUnchanged } from "../catalog/search-index.js";
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

/**
 * The main thread's generation when this worker last asked SQLite whether the
 * catalog changed. While jobs carry the same one, no commit came between that
 * question and their requests, so the index then current still is.
 */
let askedAt: number | undefined;

function answer(job: SearchJob): SearchReply {
  if (job.gen !== askedAt) {
    vouchUnchanged(db, false);
    searchIndex(db);
    askedAt = job.gen;
  }
  vouchUnchanged(db, true);
  const params = new URLSearchParams(job.query);
  if (job.kind === "json") {
    const d = searchPageData(db, params);
    return { id: job.id, status: d.error ? 400 : 200, body: utf8.encode(JSON.stringify(d)) };
  }
  const r = searchPageHtml(db, params, job.api);
  // The page is ASCII (searchPageText), so its Latin-1 bytes are its UTF-8 bytes, at a fraction of
  // the cost; in a buffer of its own, since it is transferred.
  const body = Buffer.allocUnsafeSlow(r.html.length);
  body.write(r.html, 0, "latin1");
  return { id: job.id, status: r.status, body };
}

parentPort?.on("message", (job: SearchJob) => {
  let r: SearchReply;
  try {
    r = answer(job);
  } catch {
    r = { id: job.id, status: 0, body: new Uint8Array(0) };
  }
  parentPort?.postMessage(r, r.body.byteLength > 0 ? [r.body.buffer as ArrayBuffer] : []);
});
parentPort?.postMessage("ready");
