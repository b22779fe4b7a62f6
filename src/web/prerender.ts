import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import { gzip } from "node:zlib";
import { promisify } from "node:util";
import type { Db } from "../catalog/open.js";
import { generation } from "./cache.js";
import { ruleHref } from "./data/links.js";
import { HTML_TYPE, rulePageHtml } from "./app.js";
import type { CachedPage } from "./page-cache.js";
import { tsWorker } from "../threads/ts-worker.js";

const gzipAsync = promisify(gzip);

/** What a worker gets: the catalog file, every rule id, and the shared counter pages are claimed through. */
export interface PrerenderJob {
  db: string;
  ids: string[];
  next: Int32Array;
}

/** A page as the pre-rendered set holds it (null: not a 200 page, not kept). */
export type RenderedPage = Omit<CachedPage, "gen"> | null;

/**
 * A rule's page, rendered by the function its route uses, gzipped at level 1
 * (faster than the default; 17.6 MB for Sigma's pages against 16.6 MB at level 6).
 */
export async function renderRule(db: Db, id: string): Promise<RenderedPage> {
  const html = await rulePageHtml(db, id);
  if (html === undefined) return null;
  return { type: HTML_TYPE, body: await gzipAsync(Buffer.from(html), { level: 1 }), gzipped: true };
}

/** Every rule: its page is what a visitor most often opens. */
export function ruleIds(db: Db): string[] {
  return db.prepare("SELECT id FROM rules ORDER BY id").pluck().all() as string[];
}

export interface Prerendered {
  pages: Map<string, CachedPage>;
  gen: number;
  byWorkers: number;
  ms: number;
}

/** Threads that render besides the main one: one per spare core, a few at most. */
export function defaultRenderWorkers(): number {
  return Math.max(0, Math.min(availableParallelism() - 1, 3));
}

/**
 * Renders the pages of `ids` on the main thread and `workers` worker threads (each with
 * its own connection), claiming pages one at a time through a shared counter.
 * A worker that dies leaves its pages to the main thread. Undefined when the
 * catalog changed meanwhile: those pages might mix two generations.
 */
export async function prerender(
  db: Db,
  dbPath: string,
  ids: string[],
  workers: number,
  /** Main-thread work to do while the workers start (they take pages meanwhile). */
  meanwhile?: () => void,
): Promise<Prerendered | undefined> {
  const t0 = performance.now();
  const gen = generation(db);
  const next = new Int32Array(new SharedArrayBuffer(4));
  const got: RenderedPage[] = new Array(ids.length);
  const done = new Uint8Array(ids.length);
  let byWorkers = 0;
  const job: PrerenderJob = { db: dbPath, ids, next };
  const threads = Array.from({ length: workers }, () => {
    const w = tsWorker(new URL("./prerender-worker.ts", import.meta.url), { workerData: job });
    w.on("message", (m: { index: number; page: RenderedPage }) => {
      got[m.index] = m.page;
      done[m.index] = 1;
      byWorkers++;
    });
    return new Promise<void>((resolve) => {
      w.once("error", () => resolve());
      w.once("exit", () => resolve());
    });
  });
  meanwhile?.();
  // The main thread claims pages too, yielding between them so worker messages are taken in.
  for (let i = Atomics.add(next, 0, 1); i < ids.length; i = Atomics.add(next, 0, 1)) {
    got[i] = await renderRule(db, ids[i]);
    done[i] = 1;
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all(threads);
  for (let i = 0; i < ids.length; i++) if (!done[i]) got[i] = await renderRule(db, ids[i]);
  if (generation(db) !== gen) return undefined;
  const pages = new Map<string, CachedPage>();
  got.forEach((p, i) => {
    if (p) pages.set(ruleHref(ids[i]), { ...p, body: Buffer.from(p.body.buffer, p.body.byteOffset, p.body.byteLength), gen });
  });
  return { pages, gen, byWorkers, ms: performance.now() - t0 };
}
