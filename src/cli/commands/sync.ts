import type { Command } from "commander";
import { ingest } from "../../ingest/pipeline.js";
import { fetchSource, loadSources } from "../../sources/sync.js";
import { progressLine } from "../progress.js";
import { type DbOptions, UsageError, addDbOption, printJson, withDb } from "../shared.js";

interface SyncOptions extends DbOptions {
  source?: string;
  cache: string;
  sources?: string;
}

export function register(program: Command): void {
  addDbOption(program.command("sync"))
    .description("clone or update the known public rule repositories and ingest them")
    .option("--source <name>", "only this source")
    .option("--cache <dir>", "where clones are kept", ".cache/sources")
    .option("--sources <file>", "list of sources (default: data/sources.json)")
    .option("--json", "print the summary as JSON")
    .action(async (opts: SyncOptions) => {
      const all = loadSources(opts.sources);
      const chosen = opts.source ? all.filter((s) => s.name === opts.source) : all;
      if (chosen.length === 0) throw new UsageError(`unknown source '${opts.source}' (known: ${all.map((s) => s.name).join(", ")})`);
      const results = [];
      for (const src of chosen) {
        let fetched: { dir: string; commit: string };
        try {
          fetched = fetchSource(src, opts.cache);
        } catch (err) {
          process.stderr.write(`ruleatlas: ${src.name}: cannot fetch ${src.url}: ${(err as Error).message.split("\n")[0]}\n`);
          process.exitCode = 1;
          continue;
        }
        const progress = progressLine();
        const summary = await withDb(opts, (db) =>
          ingest(db, [{ dir: fetched.dir, name: src.name, format: src.format, commit: fetched.commit, url: src.url }], {
            onProgress: progress.update,
          }).finally(progress.end),
        );
        results.push({ source: src.name, commit: fetched.commit, ...summary.sources[0] });
        if (!opts.json) {
          const s = summary.sources[0];
          process.stdout.write(`${src.name} @ ${fetched.commit.slice(0, 12)}: ${s.units} files, ${s.compiled} compiled, ${s.rules} rules written, ${s.failedUnits} failed\n`);
        }
      }
      if (opts.json) printJson(results);
    });
}
