import { plainResolve } from "../../model/resolve.js";
import type { Semantics } from "../../model/semantics.js";
import { flattenEvent } from "./event.js";

/**
 * Other names the same Windows field has in other event sources: Security
 * 4688 writes the process image as NewProcessName (Sigma's Windows field
 * names are the Sysmon ones).
 */
export const FIELD_ALIASES: Record<string, string[]> = {
  Image: ["NewProcessName"],
  ParentImage: ["ParentProcessName"],
};

function resolve(event: unknown, field: string): unknown[] | undefined {
  const found = plainResolve(event, field, true);
  if (found !== undefined) return found;
  const aliases = Object.hasOwn(FIELD_ALIASES, field) ? FIELD_ALIASES[field] : undefined;
  if (aliases) {
    for (const a of aliases) {
      const v = plainResolve(event, a, true);
      if (v !== undefined) return v;
    }
  }
  return undefined;
}

/**
 * Sigma: case-insensitive strings, `|re` in PCRE syntax, numbers matched
 * loosely ("4688" = 4688). Events are flat field maps; evtx_dump records
 * are flattened first.
 */
export const sigmaSemantics: Semantics = {
  name: "sigma",
  caseSensitive: false,
  regexDialect: "pcre",
  looseNumbers: true,
  resolve,
  prepareEvent: (event) => flattenEvent(event),
};
