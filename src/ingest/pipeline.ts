import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { basename, resolve } from "node:path";
import { afterIngest } from "../analytics/api.js";
import { CatalogWriter } from "../catalog/write.js";
import type { Db } from "../catalog/open.js";
import type { FormatAdapter, SourceRoot } from "../formats/adapter.js";
import { ADAPTERS, adapterFor } from "../formats/registry.js";
import type { Diagnostic, RuleRecord } from "../model/rule.js";
import { compilerFingerprint } from "./fingerprint.js";
import { compileUnit } from "./compile-unit.js";
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

interface Compiled {
  path: string;
  hash: string;
  rules: RuleRecord[];
  diagnostics: Diagnostic[];
}

/**
 * Ingests folders into the catalog. Compiling happens first, outside any
 * transaction; all writes then happen in one transaction, so a crash or an
 * error at any point leaves the previous catalog exactly as it was.
 */
export async function ingest(db: Db, targets: IngestTarget[], opts: IngestOptions = {}): Promise<IngestSummary> {
  const t0 = performance.now();
  const phases = { list: 0, read: 0, compile: 0, write: 0, analytics: 0 };
  const clock = () => performance.now();
  const writer = new CatalogWriter(db);
  const plans: { root: SourceRoot; adapter: FormatAdapter; url?: string; compiled: Compiled[]; seen: Set<string>; unchanged: number }[] = [];

  for (const t of targets) {
    const dir = resolve(t.dir);
    if (!existsSync(dir)) throw new IngestError(`no such folder: ${t.dir}`);
    const adapter = t.format ? adapterFor(t.format) : await detectFormat(dir);
    if (!adapter) {
      throw new IngestError(
        t.format ? `unknown format '${t.format}'` : `no known rule format recognised in ${t.dir} (use --format)`,
      );
    }
    const root: SourceRoot = { name: t.name ?? sourceNameFor(db, dir), dir, commit: t.commit ?? gitCommit(dir) };
    let tick = clock();
    const units = await adapter.listUnits(dir);
    const context = adapter.loadContext ? await adapter.loadContext(root) : { ctx: undefined, hash: "", diagnostics: [] };
    phases.list += clock() - tick;
    const compiled: Compiled[] = [];
    const seen = new Set<string>();
    let unchanged = 0;
    const unitContext = `${compilerFingerprint()}:${adapter.format}:${context.hash}`;
    units.forEach((unit, i) => {
      seen.add(unit.path);
      opts.onProgress?.(root.name, i + 1, units.length);
      tick = clock();
      const loaded = loadUnit(root, unit, unitContext);
      phases.read += clock() - tick;
      if (!opts.force && writer.unitHash(root.name, unit.path) === loaded.hash) {
        unchanged++;
        return;
      }
      if (!loaded.ok) {
        compiled.push({ path: unit.path, hash: loaded.hash, rules: [], diagnostics: [loaded.diagnostic] });
        return;
      }
      tick = clock();
      const r = compileUnit(adapter, loaded.unit, context.ctx);
      phases.compile += clock() - tick;
      compiled.push({ path: unit.path, hash: loaded.hash, rules: r.rules, diagnostics: r.diagnostics });
    });
    if (context.diagnostics.length > 0) {
      // Repository-wide problems (an unreadable helper module) are stored on a pseudo-unit.
      compiled.push({ path: "<context>", hash: context.hash, rules: [], diagnostics: context.diagnostics });
      seen.add("<context>");
    }
    plans.push({ root, adapter, url: t.url, compiled, seen, unchanged });
  }

  const summaries: SourceSummary[] = [];
  const tw = clock();
  db.transaction(() => {
    const upserted: string[] = [];
    const removed: string[] = [];
    for (const p of plans) {
      writer.upsertSource({
        name: p.root.name,
        dir: p.root.dir,
        format: p.adapter.format,
        commit: p.root.commit ?? null,
        url: p.url ?? null,
      });
      let rules = 0;
      let failed = 0;
      let diagnostics = 0;
      for (const c of p.compiled) {
        const r = writer.replaceUnit(p.root.name, c.path, c.hash, c.rules, c.diagnostics);
        upserted.push(...r.upserted);
        removed.push(...r.removed);
        rules += r.upserted.length;
        const diags = [...c.diagnostics, ...c.rules.flatMap((x) => x.diagnostics)];
        diagnostics += diags.length;
        if (diags.some((d) => d.level === "error")) failed++;
      }
      let gone = 0;
      for (const path of writer.unitPaths(p.root.name)) {
        if (!p.seen.has(path)) {
          removed.push(...writer.removeUnit(p.root.name, path));
          gone++;
        }
      }
      writer.refreshSourceCounts(p.root.name, p.root.commit ?? null);
      summaries.push({
        name: p.root.name,
        format: p.adapter.format,
        units: p.seen.size,
        compiled: p.compiled.length,
        unchanged: p.unchanged,
        removed: gone,
        rules,
        failedUnits: failed,
        diagnostics,
      });
    }
    const ta = clock();
    afterIngest(db, { upserted, removed });
    phases.analytics = clock() - ta;
  })();
  phases.write = clock() - tw - phases.analytics;
  return { sources: summaries, failedUnits: summaries.reduce((n, s) => n + s.failedUnits, 0), ms: performance.now() - t0, phases };
}
