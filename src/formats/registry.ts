import type { FormatAdapter } from "./adapter.js";
import { ADAPTER_LOADERS } from "./loaders.js";

/** Every format ruleatlas can ingest (see loaders.ts), in detection order. */
export const ADAPTERS: FormatAdapter[] = await Promise.all(Object.values(ADAPTER_LOADERS).map((load) => load()));

export function adapterFor(format: string): FormatAdapter | undefined {
  return ADAPTERS.find((a) => a.format === format);
}
