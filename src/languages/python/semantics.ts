import type { Semantics } from "../../model/semantics.js";
import { plainResolve } from "../../model/resolve.js";

// Placeholder until the python language lands.
export const pythonSemantics: Semantics = {
  name: "python",
  caseSensitive: false,
  regexDialect: "re2",
  looseNumbers: true,
  resolve: plainResolve,
};
