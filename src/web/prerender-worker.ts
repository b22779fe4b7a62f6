import { parentPort, workerData } from "node:worker_threads";
import { openCatalog } from "../catalog/open.js";
import { type PrerenderJob, renderRule } from "./prerender.js";
import { reuseStatements } from "./statements.js";

// Renders the rule pages it claims (through the shared counter) with its own read-only connection.
const job = workerData as PrerenderJob;
const db = openCatalog(job.db, { readonly: true });
reuseStatements(db);
try {
  for (let i = Atomics.add(job.next, 0, 1); i < job.ids.length; i = Atomics.add(job.next, 0, 1)) {
    parentPort?.postMessage({ index: i, page: await renderRule(db, job.ids[i]) });
  }
} finally {
  db.close();
}
