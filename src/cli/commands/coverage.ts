import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { coverage } from "../../analytics/coverage.js";
import { navigatorLayer } from "../../analytics/layer.js";
import { type DbOptions, addDbOption, printJson, withDb } from "../shared.js";

interface CoverageCliOptions extends DbOptions {
  vendor?: string[];
  modalities?: string;
  allModalities?: boolean;
  layer?: string;
  name?: string;
  catalogUrl?: string;
}

const list = (v: string, prev: string[] = []) => [...prev, ...v.split(",").map((s) => s.trim()).filter(Boolean)];

export function register(program: Command): void {
  addDbOption(
    program
      .command("coverage")
      .description("ATT&CK coverage per technique and vendor; --layer writes an ATT&CK Navigator layer (4.5)")
      .option("--vendor <vendor>", "only these vendors (repeatable or comma-separated)", list)
      .option("--modalities <list>", "count only these modalities (comma-separated)")
      .option("--all-modalities", "count every modality (default excludes hunting, building_block, alert_passthrough, indicator_list)")
      .option("--layer <file>", "write a Navigator layer to this file")
      .option("--name <name>", "layer name")
      .option("--catalog-url <url>", "base URL for technique links in the layer")
      .option("--json", "print JSON"),
  ).action(async (opts: CoverageCliOptions) => {
    const filters = {
      ...(opts.vendor ? { vendors: opts.vendor } : {}),
      ...(opts.modalities ? { modalities: list(opts.modalities) } : {}),
      ...(opts.allModalities ? { allModalities: true } : {}),
    };
    await withDb(opts, (db) => {
      if (opts.layer) {
        const layer = navigatorLayer(db, { ...filters, ...(opts.name ? { name: opts.name } : {}), ...(opts.catalogUrl ? { catalogUrl: opts.catalogUrl } : {}) });
        writeFileSync(opts.layer, `${JSON.stringify(layer, null, 2)}\n`);
        if (!opts.json) process.stdout.write(`wrote ${opts.layer}: ${layer.techniques.length} techniques\n`);
        if (!opts.json) return;
      }
      const cov = coverage(db, filters);
      if (opts.json) {
        printJson(cov);
        return;
      }
      const t = cov.totals;
      process.stdout.write(
        `ATT&CK ${cov.attack.domain} ${cov.attack.version ?? "(not loaded)"} — ${t.rules} rules counted, ${t.rulesWithTechnique} with a technique\n` +
          `techniques covered ${t.techniquesCovered}/${t.techniques}, sub-techniques ${t.subtechniquesCovered}/${t.subtechniques}\n`,
      );
      for (const tac of cov.tactics) process.stdout.write(`  ${tac.id} ${tac.name.padEnd(22)} ${tac.covered}/${tac.techniques}\n`);
      if (cov.unresolved.length > 0) {
        process.stdout.write(`unresolved (not in ${cov.attack.version}): ${cov.unresolved.map((u) => `${u.id}×${u.rules}`).join(", ")}\n`);
      }
    });
  });
}
