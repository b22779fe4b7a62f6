import type { Command } from "commander";
import { search } from "../../catalog/search.js";
import { type DbOptions, addDbOption, printJson, withDb } from "../shared.js";

export function register(program: Command): void {
  addDbOption(program.command("search"))
    .description("full-text search over titles, descriptions, bodies and indicator values")
    .argument("<query>", "words to look for")
    .option("--vendor <vendor>", "only this vendor")
    .option("--limit <n>", "hits to print", "20")
    .option("--json", "print JSON")
    .action((q: string, opts: DbOptions & { vendor?: string; limit: string }) =>
      withDb(opts, (db) => {
        const r = search(db, { q, vendor: opts.vendor, limit: Number(opts.limit) });
        if (opts.json) return printJson(r.hits);
        for (const h of r.hits) process.stdout.write(`${h.id}\t${h.title}${h.onlyInExclusion ? "\t(only in an exclusion)" : ""}\n`);
        process.stdout.write(`${r.total} rules match\n`);
      }),
    );
}
