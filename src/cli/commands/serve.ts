import type { Command } from "commander";
import { DEFAULT_DB } from "../../catalog/open.js";
import { startServer } from "../../web/server.js";
import { UsageError } from "../shared.js";

export function register(program: Command): void {
  program
    .command("serve")
    .description("serve the catalog: website and JSON API (read-only)")
    .option("--db <file>", "catalog database file", DEFAULT_DB)
    .option("--port <port>", "port (0: any free port)", "8080")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--cache <pages>", "rendered pages kept in memory until the catalog changes (0: none)", "2000")
    .option("--no-prerender", "do not render every rule page before listening")
    .option("--search-workers <n>", "threads that render searches (0: the main thread; default: one per core, at most 4)")
    .action(async (opts: { db: string; port: string; host: string; cache: string; prerender: boolean; searchWorkers?: string }) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, not '${opts.port}'`);
      const cacheEntries = Number(opts.cache);
      if (!Number.isInteger(cacheEntries) || cacheEntries < 0) throw new UsageError(`--cache must be a whole number, not '${opts.cache}'`);
      const searchWorkers = opts.searchWorkers === undefined ? undefined : Number(opts.searchWorkers);
      if (searchWorkers !== undefined && !(Number.isInteger(searchWorkers) && searchWorkers >= 0 && searchWorkers <= 16)) {
        throw new UsageError(`--search-workers must be 0-16, not '${opts.searchWorkers}'`);
      }
      let server: Awaited<ReturnType<typeof startServer>>;
      try {
        server = await startServer({ db: opts.db, port, host: opts.host, cacheEntries, prerender: opts.prerender, searchWorkers });
      } catch (err) {
        throw new UsageError(`cannot serve ${opts.db}: ${err instanceof Error ? err.message : String(err)}`);
      }
      const w = server.warmup;
      process.stdout.write(
        `ready in ${(w.ms / 1000).toFixed(1)} s: search index built, ${w.pages} rule pages rendered ahead (${w.byWorkers} by worker threads; ${(w.bytes / 1048576).toFixed(1)} MB gzip)\n` +
          `ruleatlas is serving ${opts.db} at ${server.url} (Ctrl-C stops it)\n`,
      );
      const stop = () => void server.close().then(() => process.exit(0));
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
}
