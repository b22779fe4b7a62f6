import type { FormatAdapter } from "../adapter.js";

// Placeholder until the panther format lands: recognises nothing.
export const pantherAdapter: FormatAdapter = {
  format: "panther",
  vendor: "panther",
  detect: async () => 0,
  listUnits: async () => [],
  compile: () => ({ rules: [], diagnostics: [] }),
};
