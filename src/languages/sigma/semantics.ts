import type { Semantics } from "../../model/semantics.js";
import { plainResolve } from "../../model/resolve.js";

// Placeholder until the sigma language lands.
export const sigmaSemantics: Semantics = {
  name: "sigma",
  caseSensitive: false,
  regexDialect: "re2",
  looseNumbers: true,
  resolve: plainResolve,
};
