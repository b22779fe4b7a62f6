import type { FormatAdapter } from "../adapter.js";

// Placeholder until the chronicle format lands: recognises nothing.
export const chronicleAdapter: FormatAdapter = {
  format: "chronicle",
  vendor: "chronicle",
  detect: async () => 0,
  listUnits: async () => [],
  compile: () => ({ rules: [], diagnostics: [] }),
};
