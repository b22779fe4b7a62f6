import type { FormatAdapter } from "./adapter.js";

/**
 * Every format ruleatlas can ingest, each loaded on demand: a compile worker
 * loads the one adapter it needs, not every language's parser. Adding a vendor
 * is one line here.
 */
export const ADAPTER_LOADERS: Record<string, () => Promise<FormatAdapter>> = {
  sigma: async () => (await import("./sigma/adapter.js")).sigmaAdapter as FormatAdapter,
  panther: async () => (await import("./panther/adapter.js")).pantherAdapter as FormatAdapter,
  chronicle: async () => (await import("./chronicle/adapter.js")).chronicleAdapter as FormatAdapter,
};

export async function loadAdapter(format: string): Promise<FormatAdapter | undefined> {
  return Object.hasOwn(ADAPTER_LOADERS, format) ? ADAPTER_LOADERS[format]() : undefined;
}
