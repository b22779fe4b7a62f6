import { parentPort, workerData } from "node:worker_threads";
import { openCatalog } from "../catalog/open.js";
import { searchIndex, vouchUnchanged } from "../catalog/search-index.js";
import { searchPageHtml, warmSearchPages } from "./app.js";
import { searchPageData } from "./data/search.js";
import { type SearchJob, type SearchReply, failed } from "./search-pool.js";
import { reuseStatements } from "./statements.js";

// Renders search pages with its own read-only connection and search index; says "ready" once both are built.
const db = openCatalog((workerData as { db: string }).db, { readonly: true });
reuseStatements(db);
searchIndex(db).text();
warmSearchPages(db, 1000);

/**
 * When this worker last asked SQLite whether the catalog changed. A job whose
 * request arrived before that is answered from the index as it was then: it
 * holds every commit made before the request came, with no question asked
 * (under load, one question per queue of jobs rather than one per search).
 */
let askedAt = -1n;

function answer(job: SearchJob): SearchReply {
  if (job.arrived >= askedAt) {
    vouchUnchanged(db, false);
    askedAt = process.hrtime.bigint();
    searchIndex(db);
  }
  vouchUnchanged(db, true);
  const params = new URLSearchParams(job.query);
  if (job.kind === "json") {
    const d = searchPageData(db, params);
    const body = JSON.stringify(d);
    return { id: job.id, status: d.error ? 400 : 200, body, latin1: false, bytes: Buffer.byteLength(body) };
  }
  const r = searchPageHtml(db, params, job.api);
  // The page is ASCII (searchPageText): its Latin-1 bytes are its UTF-8 bytes, written at a fraction of the cost.
  return { id: job.id, status: r.status, body: r.html, latin1: true, bytes: r.html.length };
}

parentPort?.on("message", (job: SearchJob) => {
  let r: SearchReply;
  try {
    r = answer(job);
  } catch {
    r = failed(job.id);
  }
  parentPort?.postMessage(r);
});
parentPort?.postMessage("ready");
