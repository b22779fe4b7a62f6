import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import { tsWorker } from "../threads/ts-worker.js";

/** A search to answer: as the page (html, linking to its JSON twin at `api`) or as that twin (json). */
export interface SearchJob {
  id: number;
  kind: "html" | "json";
  /** The query string, "?" included (or empty). */
  query: string;
  api: string;
  /** When the request had arrived (process.hrtime.bigint(): one clock for every thread). */
  arrived: bigint;
}

/** Status 0: the worker failed; the request is then answered in the main thread. */
export interface SearchReply {
  id: number;
  status: number;
  /**
   * The page or JSON as a string: a string crosses threads as one copy into
   * the main thread's young generation, where a transferred buffer would be
   * external memory the main thread's collector must chase with full collections.
   */
  body: string;
  /** The body is ASCII: written as Latin-1 (cheaper than UTF-8, same bytes). */
  latin1: boolean;
  /** Its length in bytes, as written. */
  bytes: number;
}

/** What a job gets when no worker could answer it. */
export const failed = (id: number): SearchReply => ({ id, status: 0, body: "", latin1: true, bytes: 0 });

/** Worker threads that render search pages, by default: one per core, a few at most. */
export function defaultSearchWorkers(): number {
  return Math.max(1, Math.min(availableParallelism(), 4));
}

interface Slot {
  worker: Worker;
  ready: boolean;
  pending: Map<number, (r: SearchReply) => void>;
}

interface Queued {
  job: SearchJob;
  reply: (r: SearchReply) => void;
}

/**
 * Jobs a worker holds at once. Many: a worker with work queued is never woken
 * per job, and on a small virtual machine waking a thread costs more than a
 * search (bench/web: 16 gave 10-20% more searches per second than 2 or 4, at a
 * lower p99); few enough that a burst beyond them waits here, for whichever
 * worker frees up first.
 */
const IN_FLIGHT = 16;

/**
 * Search pages (and their JSON twins) rendered on worker threads, so that searches use every core
 * while the main thread only reads requests and writes answers. Each worker
 * has its own read-only connection and search index (a search reads the
 * catalog as it is when it runs, as in the main thread). Jobs wait in one
 * queue and a worker is handed the next when it holds fewer than IN_FLIGHT.
 * A dead worker's jobs are answered with
 * status 0 and the pool goes on with the others.
 */
export class SearchPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Queued[] = [];
  private next = 0;

  constructor(db: string, count: number) {
    for (let k = 0; k < count; k++) {
      const worker = tsWorker(new URL("./search-worker.ts", import.meta.url), { workerData: { db } });
      const slot: Slot = { worker, ready: false, pending: new Map() };
      worker.on("message", (m: SearchReply | "ready") => {
        if (m === "ready") slot.ready = true;
        else {
          slot.pending.get(m.id)?.(m);
          slot.pending.delete(m.id);
        }
        this.dispatch();
      });
      const fail = () => {
        slot.ready = false;
        for (const [id, reply] of slot.pending) reply(failed(id));
        slot.pending.clear();
        this.dispatch();
      };
      worker.on("error", fail);
      worker.on("exit", fail);
      this.slots.push(slot);
    }
  }

  /** Hands queued jobs to workers with room; with no worker left, answers them with status 0. */
  private dispatch(): void {
    while (this.queue.length > 0) {
      let best: Slot | undefined;
      for (const s of this.slots) if (s.ready && s.pending.size < IN_FLIGHT && (!best || s.pending.size < best.pending.size)) best = s;
      if (!best) {
        if (!this.available) for (const q of this.queue.splice(0)) q.reply(failed(q.job.id));
        return;
      }
      const { job, reply } = this.queue.shift() as Queued;
      best.pending.set(job.id, reply);
      best.worker.postMessage(job);
    }
  }

  /** Resolves when every worker has built its index (or died). */
  async ready(): Promise<void> {
    await Promise.all(
      this.slots.map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.ready) return resolve();
            const done = () => resolve();
            s.worker.on("message", (m) => m === "ready" && done());
            s.worker.once("exit", done);
          }),
      ),
    );
  }

  /** Whether any worker can take a job. */
  get available(): boolean {
    return this.slots.some((s) => s.ready);
  }

  render(kind: SearchJob["kind"], query: string, api: string, arrived: bigint): Promise<SearchReply> {
    const id = this.next++;
    if (!this.available) return Promise.resolve(failed(id));
    return new Promise((reply) => {
      this.queue.push({ job: { id, kind, query, api, arrived }, reply });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
