import Database from "better-sqlite3";
import { MIGRATIONS, SCHEMA, SCHEMA_VERSION } from "./schema.js";

export type Db = Database.Database;

export const DEFAULT_DB = "ruleatlas.db";

/**
 * Opens (creating if needed) a catalog file. WAL lets the web server read
 * while an ingest writes; the ingest itself is one transaction, so a crash
 * leaves the previous catalog as it was.
 */
export function openCatalog(path: string, opts: { readonly?: boolean } = {}): Db {
  const db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  if (!opts.readonly) {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      db.close();
      throw new Error(`${path} was written by a newer ruleatlas (schema ${version}; this one reads ${SCHEMA_VERSION})`);
    }
    if (version !== SCHEMA_VERSION) {
      db.transaction(() => {
        if (version === 0) db.exec(SCHEMA);
        else for (const step of MIGRATIONS.slice(version - 1)) db.exec(step);
        db.pragma(`user_version = ${SCHEMA_VERSION}`);
      })();
    }
  }
  db.pragma("foreign_keys = OFF");
  db.pragma("cache_size = -64000");
  db.pragma("temp_store = MEMORY");
  return db;
}
