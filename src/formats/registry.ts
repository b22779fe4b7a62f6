import type { FormatAdapter } from "./adapter.js";
import { chronicleAdapter } from "./chronicle/adapter.js";
import { pantherAdapter } from "./panther/adapter.js";
import { sigmaAdapter } from "./sigma/adapter.js";

/** Every format ruleatlas can ingest. Adding a vendor is one line here. */
export const ADAPTERS: FormatAdapter[] = [sigmaAdapter, pantherAdapter, chronicleAdapter] as FormatAdapter[];

export function adapterFor(format: string): FormatAdapter | undefined {
  return ADAPTERS.find((a) => a.format === format);
}
