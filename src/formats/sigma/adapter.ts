import type { FormatAdapter } from "../adapter.js";

// Placeholder until the sigma format lands: recognises nothing.
export const sigmaAdapter: FormatAdapter = {
  format: "sigma",
  vendor: "sigma",
  detect: async () => 0,
  listUnits: async () => [],
  compile: () => ({ rules: [], diagnostics: [] }),
};
