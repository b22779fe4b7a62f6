import { type RuleRows, ruleRows } from "../catalog/rows.js";
import type { CompileResult, FormatAdapter, LoadedUnit } from "../formats/adapter.js";

/** A compiled unit as the catalog writes it: its rules already turned into rows. */
export interface PreparedUnit {
  rules: RuleRows[];
  diagnostics: CompileResult["diagnostics"];
}

/** Compiles one unit; an adapter that throws (a bug) yields a diagnostic, never a failed ingest. */
export function compileUnit(adapter: FormatAdapter, unit: LoadedUnit, ctx: unknown): CompileResult {
  try {
    return adapter.compile(unit, ctx);
  } catch (err) {
    return {
      rules: [],
      diagnostics: [{ file: unit.path, line: 1, level: "error", code: "internal", message: `compiler failed: ${(err as Error).message}` }],
    };
  }
}

/** Compiles one unit and turns its rules into catalog rows (on whichever thread compiles it). */
export function prepareUnit(adapter: FormatAdapter, unit: LoadedUnit, ctx: unknown): PreparedUnit {
  const r = compileUnit(adapter, unit, ctx);
  return { rules: r.rules.map(ruleRows), diagnostics: r.diagnostics };
}
