import type { Command } from "commander";
import { indicatorRules } from "../../analytics/indicators.js";
import { type DbOptions, UsageError, addDbOption, printJson, withDb } from "../shared.js";

interface IndicatorCliOptions extends DbOptions {
  field?: string;
  kind?: string;
  value?: string;
  limit?: string;
}

export function register(program: Command): void {
  addDbOption(
    program
      .command("indicators")
      .description("rules that look for a (field, kind, value) — vendor or canonical field — and rules that only exclude it")
      .requiredOption("--field <field>", "field as a vendor writes it (Image, eventName) or canonical (process.path)")
      .option("--kind <kind>", "eq, in, contains, startswith, endswith, wildcard, regex, …")
      .option("--value <value>", "value (compared case-folded)")
      .option("--limit <n>", "at most n rules per list", "200")
      .option("--json", "print JSON"),
  ).action(async (opts: IndicatorCliOptions) => {
    const limit = Number(opts.limit ?? "200");
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive integer, got '${opts.limit}'`);
    await withDb(opts, (db) => {
      const r = indicatorRules(db, {
        field: opts.field as string,
        ...(opts.kind ? { kind: opts.kind } : {}),
        ...(opts.value !== undefined ? { value: opts.value } : {}),
        limit,
      });
      if (opts.json) {
        printJson(r);
        return;
      }
      process.stdout.write(`fields ${r.fields.join(", ")}: ${r.counts.lookFor} rules look for it, ${r.counts.onlyExclude} only exclude it\n`);
      for (const x of r.lookFor) process.stdout.write(`  + ${x.id}  ${x.title}\n`);
      for (const x of r.onlyExclude) process.stdout.write(`  - ${x.id}  ${x.title}\n`);
    });
  });
}
