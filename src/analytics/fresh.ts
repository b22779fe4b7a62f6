import type { Db } from "../catalog/open.js";
import { canonicalTable } from "./canonical.js";
import { refreshCorpusKeys, storedTableHash } from "./keys.js";
import { refreshRelated } from "./related-store.js";
import { ensureAnalyticsSchema } from "./schema.js";
import { hasTable } from "../attack/schema.js";

/**
 * Makes the derived tables usable for queries: creates them if needed and, on a
 * writable catalog whose keys were built from another canonical table (or an older
 * layout), rebuilds them once. False: a read-only catalog without them.
 */
export function analyticsReady(db: Db): boolean {
  ensureAnalyticsSchema(db);
  if (!hasTable(db, "corpus_keys")) return false;
  if (!db.readonly && storedTableHash(db) !== canonicalTable().hash) {
    db.transaction(() => {
      refreshCorpusKeys(db, null);
      refreshRelated(db);
    })();
  }
  return true;
}
