import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { basename, resolve } from "node:path";
import { afterIngest } from "../analytics/api.js";
import { CatalogWriter } from "../catalog/write.js";
import type { Db } from "../catalog/open.js";
import type { FormatAdapter, LoadedContext, LoadedUnit, SourceRoot } from "../formats/adapter.js";
import { ADAPTERS, adapterFor } from "../formats/registry.js";
import type { RuleRows } from "../catalog/rows.js";
import type { Diagnostic } from "../model/rule.js";
import { compilerFingerprint } from "./fingerprint.js";
import { CompilePool, compileInOrder, defaultWorkers, POOL_MIN_UNITS } from "./compile-pool.js";
import { loadUnit } from "./read-unit.js";

export interface IngestTarget {
  dir: string;
  /** Source name; default: the folder's name. */
  name?: string;
  /** Format slug; default: detected. */
  format?: string;
  commit?: string;
  url?: string;
}

export interface SourceSummary {
  name: string;
  format: string;
  units: number;
  compiled: number;
  unchanged: number;
  removed: number;
  rules: number;
  /** Units that yielded an error diagnostic (the file, or a rule in it). */
  failedUnits: number;
  /** Units compiled by worker threads rather than the main thread. */
  compiledByWorkers: number;
  diagnostics: number;
}

export interface IngestSummary {
  sources: SourceSummary[];
  failedUnits: number;
  ms: number;
  /** Where the time went, in ms: listing and reading files, compiling, writing the catalog, analytics. */
  phases: { list: number; read: number; compile: number; write: number; analytics: number };
}

export interface IngestOptions {
  /** Called as units are processed: drives the progress line. */
  onProgress?(source: string, done: number, total: number): void;
  /** Recompile every unit even when its content hash is unchanged. */
  force?: boolean;
  /** Worker threads that compile besides the main thread (0: compile on the main thread only). Default: one per spare core. */
  workers?: number;
}

export class IngestError extends Error {}

/** Picks the adapter whose detection is most confident. */
export async function detectFormat(dir: string): Promise<FormatAdapter | undefined> {
  let best: { a: FormatAdapter; score: number } | undefined;
  for (const a of ADAPTERS) {
    const score = await a.detect(dir);
    if (score > 0 && (!best || score > best.score)) best = { a, score };
  }
  return best?.a;
}

function gitCommit(dir: string): string | undefined {
  if (!existsSync(resolve(dir, ".git"))) return undefined;
  try {
    return execFileSync("git", ["-C", dir, "rev-parse", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}

/**
 * A folder's source name is its base name, unless another folder already owns
 * that name: then a short hash of the path tells them apart, so ingesting
 * examples/chronicle never replaces a chronicle checkout elsewhere.
 */
function sourceNameFor(db: Db, dir: string): string {
  const name = basename(dir);
  const owner = db.prepare("SELECT dir FROM sources WHERE name = ?").get(name) as { dir: string } | undefined;
  if (!owner || owner.dir === dir) return name;
  return `${name}-${createHash("sha1").update(dir).digest("hex").slice(0, 6)}`;
}

/** A target whose folder exists and whose format is known (checked before anything is written). */
interface Resolved {
  target: IngestTarget;
  dir: string;
  adapter: FormatAdapter;
}

async function resolveTarget(t: IngestTarget): Promise<Resolved> {
  const dir = resolve(t.dir);
  if (!existsSync(dir)) throw new IngestError(`no such folder: ${t.dir}`);
  const adapter = t.format ? adapterFor(t.format) : await detectFormat(dir);
  if (!adapter) {
    throw new IngestError(t.format ? `unknown format '${t.format}'` : `no known rule format recognised in ${t.dir} (use --format)`);
  }
  return { target: t, dir, adapter };
}

type Phases = IngestSummary["phases"];

/**
 * Ingests folders into the catalog, in one transaction: a crash or an error at
 * any point leaves the previous catalog exactly as it was. Units are written as
 * they are compiled, in unit order; worker threads compile alongside the main
 * thread on a first or forced ingest of a large folder.
 */
export async function ingest(db: Db, targets: IngestTarget[], opts: IngestOptions = {}): Promise<IngestSummary> {
  const t0 = performance.now();
  const phases: Phases = { list: 0, read: 0, compile: 0, write: 0, analytics: 0 };
  const resolved: Resolved[] = [];
  for (const t of targets) resolved.push(await resolveTarget(t));
  const writer = new CatalogWriter(db);
  const summaries: SourceSummary[] = [];
  const changed = { upserted: [] as string[], removed: [] as string[] };
  try {
    db.exec("BEGIN IMMEDIATE");
  } catch (err) {
    if ((err as { code?: string }).code === "SQLITE_BUSY") throw new IngestError("another process is writing this catalog (an ingest or sync?): try again when it ends");
    throw err;
  }
  try {
    for (const r of resolved) summaries.push(await ingestSource(db, writer, r, opts, phases, changed));
    const ta = performance.now();
    afterIngest(db, changed);
    phases.analytics = performance.now() - ta;
    const tc = performance.now();
    db.exec("COMMIT");
    phases.write += performance.now() - tc;
  } catch (err) {
    if (db.inTransaction) db.exec("ROLLBACK");
    throw err;
  }
  return { sources: summaries, failedUnits: summaries.reduce((n, s) => n + s.failedUnits, 0), ms: performance.now() - t0, phases };
}

/** Lists, reads, compiles and writes one source; the caller holds the transaction. */
async function ingestSource(
  db: Db,
  writer: CatalogWriter,
  { target: t, dir, adapter }: Resolved,
  opts: IngestOptions,
  phases: Phases,
  changed: { upserted: string[]; removed: string[] },
): Promise<SourceSummary> {
  const clock = () => performance.now();
  const root: SourceRoot = { name: t.name ?? sourceNameFor(db, dir), dir, commit: t.commit ?? gitCommit(dir) };
  let tick = clock();
  const units = await adapter.listUnits(dir);
  const workers = opts.workers ?? defaultWorkers();
  // A first (or forced) ingest of a large folder starts its workers now, so that they load while the files are read.
  let pool =
    workers > 0 && units.length >= POOL_MIN_UNITS && (opts.force || writer.unitPaths(root.name).length === 0)
      ? new CompilePool(adapter, root, workers)
      : undefined;
  const summary: SourceSummary = {
    name: root.name,
    format: adapter.format,
    units: 0,
    compiled: 0,
    unchanged: 0,
    removed: 0,
    rules: 0,
    failedUnits: 0,
    diagnostics: 0,
    compiledByWorkers: 0,
  };
  const seen = new Set<string>();
  const write = (path: string, hash: string, rules: RuleRows[], diagnostics: Diagnostic[]) => {
    const w = clock();
    const r = writer.replaceUnit(root.name, path, hash, rules, diagnostics);
    phases.write += clock() - w;
    changed.upserted.push(...r.upserted);
    changed.removed.push(...r.removed);
    summary.compiled++;
    summary.rules += r.upserted.length;
    const diags = [...diagnostics, ...rules.flatMap((x) => x.diagnostics)];
    summary.diagnostics += diags.length;
    if (diags.some((d) => d.level === "error")) summary.failedUnits++;
  };
  try {
    const context: LoadedContext<unknown> = adapter.loadContext
      ? await adapter.loadContext(root)
      : { ctx: undefined, hash: "", diagnostics: [] };
    phases.list += clock() - tick;
    tick = clock();
    const unitContext = `${compilerFingerprint()}:${adapter.format}:${context.hash}`;
    // Units to compile, and the files that could not be read (written in their place in unit order).
    const pending: { unit: LoadedUnit; hash: string }[] = [];
    const unreadable: { before: number; path: string; hash: string; diagnostic: Diagnostic }[] = [];
    for (const unit of units) {
      seen.add(unit.path);
      const loaded = loadUnit(root, unit, unitContext);
      if (!opts.force && writer.unitHash(root.name, unit.path) === loaded.hash) summary.unchanged++;
      else if (loaded.ok) pending.push({ unit: loaded.unit, hash: loaded.hash });
      else unreadable.push({ before: pending.length, path: unit.path, hash: loaded.hash, diagnostic: loaded.diagnostic });
    }
    phases.read += clock() - tick;
    if (!pool && workers > 0 && pending.length >= POOL_MIN_UNITS) pool = new CompilePool(adapter, root, workers);
    writer.upsertSource({ name: root.name, dir: root.dir, format: adapter.format, commit: root.commit ?? null, url: t.url ?? null });
    tick = clock();
    const writeTime = phases.write;
    let u = 0;
    const writeUnreadable = (upTo: number) => {
      for (; u < unreadable.length && unreadable[u].before <= upTo; u++) write(unreadable[u].path, unreadable[u].hash, [], [unreadable[u].diagnostic]);
    };
    const { byWorkers } = await compileInOrder(
      adapter,
      pool,
      pending.map((p) => p.unit),
      context.ctx,
      (i, result) => {
        writeUnreadable(i);
        write(pending[i].unit.path, pending[i].hash, result.rules, result.diagnostics);
        opts.onProgress?.(root.name, summary.unchanged + summary.compiled, units.length);
      },
    );
    writeUnreadable(Number.POSITIVE_INFINITY);
    summary.compiledByWorkers = byWorkers;
    phases.compile += clock() - tick - (phases.write - writeTime);
    if (context.diagnostics.length > 0) {
      // Repository-wide problems (an unreadable helper module) are stored on a pseudo-unit.
      seen.add("<context>");
      write("<context>", context.hash, [], context.diagnostics);
    }
  } finally {
    await pool?.close();
  }
  const w = clock();
  for (const path of writer.unitPaths(root.name)) {
    if (!seen.has(path)) {
      changed.removed.push(...writer.removeUnit(root.name, path));
      summary.removed++;
    }
  }
  writer.refreshSourceCounts(root.name, root.commit ?? null);
  phases.write += clock() - w;
  summary.units = seen.size;
  return summary;
}
