import type { Semantics } from "../model/semantics.js";
import { pythonSemantics } from "./python/semantics.js";
import { sigmaSemantics } from "./sigma/semantics.js";
import { yaralSemantics } from "./yaral/semantics.js";

/** Evaluation semantics by the `language` key stored on each rule. One line per language. */
export const SEMANTICS: Record<string, Semantics> = {
  sigma: sigmaSemantics,
  python: pythonSemantics,
  yaral: yaralSemantics,
};
