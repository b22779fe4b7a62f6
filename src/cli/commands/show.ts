import type { Command } from "commander";
import { getRuleView } from "../../catalog/read.js";
import { printPredicate } from "../../model/print.js";
import { type DbOptions, UsageError, addDbOption, printJson, withDb } from "../shared.js";

export function register(program: Command): void {
  addDbOption(program.command("show"))
    .description("one rule: metadata, normalized logic, exclusions, indicators, tests")
    .argument("<rule-id>", "<vendor>:<native id>")
    .option("--json", "print JSON")
    .action((id: string, opts: DbOptions) =>
      withDb(opts, (db) => {
        const v = getRuleView(db, id);
        if (!v) throw new UsageError(`no rule '${id}' in the catalog`);
        if (opts.json) return printJson(v);
        const out: string[] = [
          `${v.title}  [${v.id}]`,
          `${v.vendor} · ${v.severity ?? "no severity"} · ${v.status ?? "no status"} · ${v.modality} · fidelity ${v.logic.fidelity}`,
          v.description,
          "",
          "ATT&CK:",
          ...v.attack.map((a) => `  ${a.tactic ?? "-"} ${a.technique ?? ""} ${a.name ?? ""}${a.known ? "" : " (not in the loaded ATT&CK version)"}`),
          "Condition:",
          ...v.logic.conditionText.map((l) => `  ${l}`),
          "Exclusions:",
          ...v.logic.exclusions.map((r) => `  ${printPredicate({ type: "pred", ...r })}`),
          "Indicators:",
          ...v.logic.indicators.map((r) => `  ${printPredicate({ type: "pred", ...r })}${r.scope ? "  (scope: not counted)" : `  corpus ${r.corpus.map((c) => c.canonical).join("/")}`}`),
          `Output fields: ${v.logic.outputFields.join(", ")}`,
          `Tests: ${v.tests.length}`,
          ...v.diagnostics.map((d) => `! ${d.file}:${d.line ?? "?"} ${d.code}: ${d.message}`),
        ];
        process.stdout.write(`${out.join("\n")}\n`);
      }),
    );
}
