import type { Command } from "commander";
import { relatedRules } from "../../analytics/related.js";
import { type DbOptions, UsageError, addDbOption, printJson, withDb } from "../shared.js";

interface RelatedCliOptions extends DbOptions {
  limit?: string;
  vendor?: string[];
  otherVendors?: boolean;
}

const list = (v: string, prev: string[] = []) => [...prev, ...v.split(",").map((s) => s.trim()).filter(Boolean)];

export function register(program: Command): void {
  addDbOption(
    program
      .command("related <rule-id>")
      .description("rules (any vendor) that share non-negated indicators with this rule, rarest shared values first")
      .option("--limit <n>", "at most n rules", "20")
      .option("--vendor <vendor>", "only these vendors (repeatable or comma-separated)", list)
      .option("--other-vendors", "leave out the rule's own vendor")
      .option("--json", "print JSON"),
  ).action(async (id: string, opts: RelatedCliOptions) => {
    const limit = Number(opts.limit ?? "20");
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive integer, got '${opts.limit}'`);
    await withDb(opts, (db) => {
      if (!db.prepare("SELECT 1 FROM rules WHERE id = ?").get(id)) throw new UsageError(`no rule with id '${id}'`);
      const r = relatedRules(db, id, { limit, ...(opts.vendor ? { vendors: opts.vendor } : {}), ...(opts.otherVendors ? { sameVendor: false } : {}) });
      if (opts.json) {
        printJson(r);
        return;
      }
      if (r.related.length === 0) process.stdout.write("no rule shares an indicator with this one\n");
      for (const x of r.related) {
        process.stdout.write(`${x.score.toFixed(2).padStart(7)}  ${x.id}  ${x.title}\n`);
        for (const e of x.evidence) process.stdout.write(`           ${e}\n`);
      }
    });
  });
}
