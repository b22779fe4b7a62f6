import type { Command } from "commander";
import { verifyCatalog } from "../../verify/replay.js";
import { type DbOptions, addDbOption, printJson, withDb } from "../shared.js";

export function register(program: Command): void {
  addDbOption(program.command("verify"))
    .description("replay every rule's own tests against its normalized logic")
    .option("--vendor <vendor>", "only this vendor")
    .option("--json", "print JSON")
    .action((opts: DbOptions & { vendor?: string }) =>
      withDb(opts, (db) => {
        const r = verifyCatalog(db, opts);
        if (opts.json) return printJson(r);
        for (const [v, c] of Object.entries(r.vendors)) {
          process.stdout.write(`${v.padEnd(10)} tests ${c.tests}  agree ${c.agree}  disagree ${c.disagree}  unknown ${c.unknown}\n`);
        }
        for (const d of r.disagreements) process.stdout.write(`  disagree: ${d.rule} — ${d.test} (expected ${d.expected}, got ${d.got})\n`);
      }),
    );
}
