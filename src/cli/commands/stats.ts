import type { Command } from "commander";
import { stats } from "../../catalog/read.js";
import { type DbOptions, addDbOption, printJson, withDb } from "../shared.js";

export function register(program: Command): void {
  addDbOption(program.command("stats"))
    .description("rules, fidelity and diagnostics per vendor")
    .option("--vendor <vendor>", "only this vendor")
    .option("--modality <modality>", "only this modality")
    .option("--json", "print JSON")
    .action((opts: DbOptions & { vendor?: string; modality?: string }) =>
      withDb(opts, (db) => {
        const s = stats(db, opts);
        if (opts.json) return printJson(s);
        for (const [v, x] of Object.entries(s.vendors)) {
          const pct = x.rules ? ((100 * x.fidelity.full) / x.rules).toFixed(1) : "0";
          process.stdout.write(
            `${v.padEnd(10)} ${String(x.rules).padStart(6)} rules (${x.active} active)  full ${x.fidelity.full} (${pct}%)  partial ${x.fidelity.partial}  none ${x.fidelity.none}  tests ${x.tests}  diagnostics ${x.diagnostics}\n`,
          );
        }
        if (s.total === 0) process.stdout.write("the catalog is empty: run `ruleatlas ingest <dir>`\n");
      }),
    );
}
