import type { Command } from "commander";
import { importAttackFile } from "../../attack/import.js";
import { attackIndex } from "../../attack/store.js";
import { ATTACK_DOMAINS, type AttackDomain, AttackImportError } from "../../attack/types.js";
import { type DbOptions, UsageError, addDbOption, printJson, withDb } from "../shared.js";

interface ImportOptions extends DbOptions {
  domain?: string;
  version?: string;
}

function domainOf(d: string | undefined): AttackDomain | undefined {
  if (d === undefined) return undefined;
  const hit = ATTACK_DOMAINS.find((x) => x === d);
  if (!hit) throw new UsageError(`unknown ATT&CK domain '${d}' (expected ${ATTACK_DOMAINS.join(", ")})`);
  return hit;
}

export function register(program: Command): void {
  const attack = program.command("attack").description("MITRE ATT&CK data: import STIX bundles, list loaded versions");

  addDbOption(
    attack
      .command("import <bundle>")
      .description("load a MITRE ATT&CK STIX bundle (e.g. enterprise-attack-18.1.json) and re-resolve every rule's references")
      .option("--domain <domain>", "expected domain: enterprise-attack (default), ics-attack, mobile-attack")
      .option("--version <version>", "ATT&CK version, when neither the bundle nor the file name states it")
      .option("--json", "print the result as JSON"),
  ).action(async (bundle: string, opts: ImportOptions) => {
    const domain = domainOf(opts.domain);
    await withDb(opts, (db) => {
      try {
        const r = importAttackFile(db, bundle, { ...(domain ? { domain } : {}), ...(opts.version ? { version: opts.version } : {}) });
        if (opts.json) printJson(r);
        else {
          process.stdout.write(
            `${r.domain} ${r.version}: ${r.tactics} tactics, ${r.live} live techniques (${r.revoked} revoked, ${r.deprecated} deprecated) in ${r.ms.total} ms\n`,
          );
        }
      } catch (err) {
        if (err instanceof AttackImportError) throw new UsageError(`${err.message}; the catalog keeps its previous ATT&CK data`);
        throw err;
      }
    });
  });

  addDbOption(
    attack.command("versions").description("list the loaded ATT&CK versions (the newest of a domain is used)").option("--json", "print JSON"),
  ).action(async (opts: DbOptions) => {
    await withDb(opts, (db) => {
      const out = ATTACK_DOMAINS.map((d) => {
        const idx = attackIndex(db, d);
        return { domain: d, versions: idx.versions, current: idx.version };
      }).filter((x) => x.versions.length > 0);
      if (opts.json) printJson(out);
      else if (out.length === 0) process.stdout.write("no ATT&CK data loaded: run `ruleatlas attack import <bundle.json>`\n");
      else for (const x of out) process.stdout.write(`${x.domain}: ${x.versions.join(", ")} (using ${x.current})\n`);
    });
  });
}
