import type { Semantics } from "../../model/semantics.js";
import { plainResolve } from "../../model/resolve.js";

// Placeholder until the yaral language lands.
export const yaralSemantics: Semantics = {
  name: "yaral",
  caseSensitive: false,
  regexDialect: "re2",
  looseNumbers: true,
  resolve: plainResolve,
};
