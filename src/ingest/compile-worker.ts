import { parentPort, workerData } from "node:worker_threads";
import { loadAdapter } from "../formats/loaders.js";
import { type PreparedUnit, prepareUnit } from "./compile-unit.js";
import { type WorkerInput, type WorkerJob, type WorkerMessage, WorkerState } from "./compile-protocol.js";

// A compile worker (see compile-pool.ts): claims units through the shared counter until none is left.
const input = workerData as WorkerInput;
const adapter = await loadAdapter(input.format);
const context = adapter?.loadContext ? (await adapter.loadContext(input.root)).ctx : undefined;

// Tells the pool it can take units now (tests wait for it; an ingest does not).
parentPort?.postMessage("ready");
parentPort?.once("message", ({ units, shared, port }: WorkerJob) => {
  const send = (m: WorkerMessage) => port.postMessage(m);
  if (adapter && Atomics.compareExchange(shared, input.slot, WorkerState.Idle, WorkerState.Claiming) === WorkerState.Idle) {
    for (let i = Atomics.add(shared, 0, 1); i < units.length; i = Atomics.add(shared, 0, 1)) {
      send({ type: "result", index: i, result: prepareUnit(adapter, units[i], context) });
    }
  }
  send({ type: "done" });
});
