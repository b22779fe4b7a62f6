import { availableParallelism } from "node:os";
import { MessageChannel, type MessagePort, receiveMessageOnPort, type Worker } from "node:worker_threads";
import type { FormatAdapter, LoadedUnit, SourceRoot } from "../formats/adapter.js";
import { type PreparedUnit, prepareUnit } from "./compile-unit.js";
import { type WorkerInput, type WorkerJob, type WorkerMessage, WorkerState } from "./compile-protocol.js";
import { tsWorker } from "../threads/ts-worker.js";

/** Below this many units to compile, starting a worker costs more than it saves. */
export const POOL_MIN_UNITS = 200;

/** Threads that compile besides the main one, by default: one per spare core, a few at most. */
export function defaultWorkers(): number {
  return Math.max(0, Math.min(availableParallelism() - 1, 3));
}

interface PoolWorker {
  worker: Worker;
  port?: MessagePort;
  /** Sent "done", exited or failed: nothing more will come from it. */
  over: boolean;
  /** Resolves once the worker has loaded its modules and context. */
  ready: Promise<void>;
}

/**
 * Worker threads that compile units while the main thread compiles and writes.
 * Each worker loads the adapter and builds the repository context itself, from
 * the same folder (contexts need not be cloneable); it starts loading as soon as
 * the pool is made, while the main thread reads the files.
 */
export class CompilePool {
  readonly workers: PoolWorker[] = [];

  constructor(
    readonly adapter: FormatAdapter,
    root: SourceRoot,
    count: number,
  ) {
    for (let k = 0; k < count; k++) {
      const input: WorkerInput = { format: adapter.format, root, slot: k + 1 };
      const worker = tsWorker(new URL("./compile-worker.ts", import.meta.url), { workerData: input });
      const w: PoolWorker = { worker, over: false, ready: new Promise((resolve) => worker.once("message", () => resolve())) };
      // An error or an early exit ends this worker's share: the main thread compiles what is missing.
      worker.on("error", () => (w.over = true));
      worker.on("exit", () => (w.over = true));
      this.workers.push(w);
    }
  }

  /** Resolves when every worker can take units (or has died). */
  async ready(): Promise<void> {
    await Promise.all(this.workers.map((w) => Promise.race([w.ready, new Promise((r) => w.worker.once("exit", r))])));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}

/**
 * Compiles `units` and hands each result to `consume` in unit order, so the
 * catalog is written in the same order (and gets the same row ids) whether
 * or not workers help. With a pool, units are claimed one at a time through a
 * shared counter: the main thread writes every result that is ready in order,
 * then claims and compiles one unit itself, and so on; a worker slow to start
 * simply claims fewer. A worker that dies leaves its claimed units to the main
 * thread: nothing is lost.
 */
export async function compileInOrder(
  adapter: FormatAdapter,
  pool: CompilePool | undefined,
  units: LoadedUnit[],
  ctx: unknown,
  consume: (index: number, result: PreparedUnit) => void,
): Promise<{ byWorkers: number }> {
  if (!pool || pool.workers.length === 0) {
    units.forEach((u, i) => consume(i, prepareUnit(adapter, u, ctx)));
    return { byWorkers: 0 };
  }
  let byWorkers = 0;
  // Slot 0: the next unit to claim. Slot k: worker k's state (see WorkerState).
  const shared = new Int32Array(new SharedArrayBuffer(4 * (1 + pool.workers.length)));
  for (const w of pool.workers) {
    const { port1, port2 } = new MessageChannel();
    w.port = port1;
    const job: WorkerJob = { units, shared, port: port2 };
    w.worker.postMessage(job, [port2]);
  }
  const ready = new Map<number, PreparedUnit>();
  const drain = () => {
    for (const w of pool.workers) {
      for (let m = w.port && receiveMessageOnPort(w.port); m; m = w.port && receiveMessageOnPort(w.port)) {
        const msg = m.message as WorkerMessage;
        if (msg.type === "result") {
          ready.set(msg.index, msg.result);
          byWorkers++;
        }
        else w.over = true;
      }
    }
  };
  let claimedAll = false;
  for (let next = 0; next < units.length; ) {
    drain();
    for (let r = ready.get(next); r !== undefined; r = ready.get(next)) {
      ready.delete(next);
      consume(next++, r);
    }
    if (next >= units.length) break;
    if (!claimedAll) {
      const i = Atomics.add(shared, 0, 1);
      if (i < units.length) {
        ready.set(i, prepareUnit(adapter, units[i], ctx));
        continue;
      }
      claimedAll = true;
      // A worker still loading is told not to start: no waiting for it.
      pool.workers.forEach((w, k) => {
        if (Atomics.compareExchange(shared, k + 1, WorkerState.Idle, WorkerState.Cancelled) === WorkerState.Idle) w.over = true;
      });
    }
    if (pool.workers.every((w) => w.over)) {
      drain();
      // Whatever a dead worker had claimed is compiled here.
      if (!ready.has(next)) ready.set(next, prepareUnit(adapter, units[next], ctx));
      continue;
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return { byWorkers };
}
