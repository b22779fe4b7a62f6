import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { stats } from "../../catalog/read.js";
import { ingest } from "../../ingest/pipeline.js";
import { type DbOptions, addDbOption, withDb } from "../shared.js";

const EXAMPLES = fileURLToPath(new URL("../../../examples", import.meta.url));

/** The README's run command: build the catalog from examples/ and serve it. */
export function register(program: Command): void {
  addDbOption(program.command("demo"))
    .description("ingest the bundled examples/ (one folder per format) and serve the catalog")
    .option("--port <port>", "port", "8080")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--no-serve", "ingest and print stats only")
    .action(async (opts: DbOptions & { port: string; host: string; serve: boolean }) => {
      const dirs = readdirSync(EXAMPLES)
        .filter((d) => statSync(join(EXAMPLES, d)).isDirectory())
        .map((d) => ({ dir: join(EXAMPLES, d), name: `examples-${d}`, format: d }));
      await withDb(opts, async (db) => {
        const s = await ingest(db, dirs);
        for (const x of s.sources) process.stdout.write(`${x.name}: ${x.rules} rules written, ${x.unchanged} unchanged, ${x.failedUnits} failed\n`);
        for (const [v, x] of Object.entries(stats(db).vendors)) {
          process.stdout.write(`${v}: ${x.rules} rules, ${x.fidelity.full} full, ${x.fidelity.partial} partial, ${x.fidelity.none} none\n`);
        }
      });
      if (!opts.serve) return;
      // Loaded on demand: the website's modules are not needed to ingest.
      const { startServer } = await import("../../web/server.js");
      const server = await startServer({ db: opts.db, port: Number(opts.port), host: opts.host });
      process.stdout.write(`ruleatlas is serving ${opts.db} at ${server.url} (Ctrl-C stops it)\n`);
    });
}
