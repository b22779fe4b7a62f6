import { Worker, type WorkerOptions } from "node:worker_threads";

/**
 * A worker thread that runs a TypeScript module. Threads do not inherit the
 * loader the CLI registered, so every one starts from boot.mjs, which
 * registers it and then imports the module named as the thread's last argv.
 */
export function tsWorker(module: URL, options: WorkerOptions = {}): Worker {
  return new Worker(new URL("./boot.mjs", import.meta.url), { ...options, argv: [module.href] });
}
