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
    .action(async (opts: { db: string; port: string; host: string }) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, not '${opts.port}'`);
      let server: Awaited<ReturnType<typeof startServer>>;
      try {
        server = await startServer({ db: opts.db, port, host: opts.host });
      } catch (err) {
        throw new UsageError(`cannot serve ${opts.db}: ${err instanceof Error ? err.message : String(err)}`);
      }
      process.stdout.write(`ruleatlas is serving ${opts.db} at ${server.url} (Ctrl-C stops it)\n`);
      const stop = () => void server.close().then(() => process.exit(0));
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
}
