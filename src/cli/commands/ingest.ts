import type { Command } from "commander";
import { IngestError, type IngestSummary, ingest } from "../../ingest/pipeline.js";
import { progressLine } from "../progress.js";
import { type DbOptions, UsageError, addDbOption, printJson, withDb } from "../shared.js";

interface IngestOptions extends DbOptions {
  format?: string;
  name?: string;
  strict?: boolean;
  force?: boolean;
  workers?: number;
}

export function register(program: Command): void {
  addDbOption(program.command("ingest"))
    .description("compile the rules of one or more repositories (folders) into the catalog")
    .argument("<dir...>", "repository folders")
    .option("--format <format>", "format of every folder (default: detected)")
    .option("--name <name>", "source name (default: the folder's name; only with one folder)")
    .option("--force", "recompile every file even when unchanged")
    .option("--workers <n>", "threads that compile besides the main one (0: main thread only; default: one per spare core, up to 3)", (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 64) throw new UsageError(`--workers takes a whole number from 0 to 64, not '${v}'`);
      return n;
    })
    .option("--strict", "exit non-zero when any file failed")
    .option("--json", "print the summary as JSON")
    .action(async (dirs: string[], opts: IngestOptions) => {
      if (opts.name && dirs.length > 1) throw new UsageError("--name takes a single folder");
      const progress = progressLine();
      const summary = await withDb(opts, async (db) => {
        try {
          return await ingest(
            db,
            dirs.map((dir) => ({ dir, name: opts.name, format: opts.format })),
            { onProgress: progress.update, force: opts.force, workers: opts.workers },
          );
        } catch (err) {
          if (err instanceof IngestError) throw new UsageError(err.message);
          throw err;
        } finally {
          progress.end();
        }
      });
      if (opts.json) printJson(summary);
      else printSummary(summary);
      if (opts.strict && summary.failedUnits > 0) process.exitCode = Math.min(summary.failedUnits, 125);
    });
}

function printSummary(s: IngestSummary): void {
  for (const x of s.sources) {
    process.stdout.write(
      `${x.name} (${x.format}): ${x.units} files, ${x.compiled} compiled, ${x.unchanged} unchanged, ${x.removed} removed; ` +
        `${x.rules} rules written; ${x.failedUnits} files failed; ${x.diagnostics} diagnostics\n`,
    );
  }
  process.stdout.write(`${s.failedUnits} files failed in all (${(s.ms / 1000).toFixed(1)} s)\n`);
}
