import type { CompileResult, FormatAdapter, LoadedUnit } from "../formats/adapter.js";

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
