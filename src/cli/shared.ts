import type { Command } from "commander";
import { DEFAULT_DB, type Db, openCatalog } from "../catalog/open.js";

/** Options every command shares. */
export interface DbOptions {
  db: string;
  json?: boolean;
}

export function addDbOption(cmd: Command): Command {
  return cmd.option("--db <file>", "catalog database file", DEFAULT_DB);
}

/** Opens the catalog for the duration of `fn`, closing it whatever happens. */
export async function withDb<T>(opts: DbOptions, fn: (db: Db) => T | Promise<T>): Promise<T> {
  const db = openCatalog(opts.db);
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A user error: printed without a stack trace, exit code 2. */
export class UsageError extends Error {}
