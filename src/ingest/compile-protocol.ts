import type { MessagePort } from "node:worker_threads";
import type { LoadedUnit, SourceRoot } from "../formats/adapter.js";
import type { PreparedUnit } from "./compile-unit.js";

/** What a compile worker is started with: it loads the adapter and builds the context itself. */
export interface WorkerInput {
  format: string;
  root: SourceRoot;
  /** Its state slot in the shared array. */
  slot: number;
}

/**
 * The one job a worker gets: the units, the shared array (slot 0: next unit to claim)
 * and the port its results go to (the main thread reads it synchronously, between units).
 */
export interface WorkerJob {
  units: LoadedUnit[];
  shared: Int32Array;
  port: MessagePort;
}

export type WorkerMessage = { type: "result"; index: number; result: PreparedUnit } | { type: "done" };

/** A worker's state slot: the main thread cancels a worker that has not started claiming, with one compare-and-swap. */
export const WorkerState = { Idle: 0, Claiming: 1, Cancelled: 2 } as const;
