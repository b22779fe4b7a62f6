import type { Db } from "../catalog/open.js";
import { refreshAttackPairs } from "../attack/pairs.js";
import { refreshCorpusKeys } from "./keys.js";
import { refreshRelated } from "./related-store.js";
import { ensureAnalyticsSchema } from "./schema.js";

/** Above this share of the catalog changed, a full rebuild is cheaper than per-key upkeep. */
const FULL_REBUILD_SHARE = 0.3;

/**
 * Refreshes every derived table for the rules that changed (upserted or removed),
 * inside the caller's transaction. Set-based: the ids go into a temp table that
 * each refresh joins against.
 */
export function refreshAnalytics(db: Db, changed: { upserted: string[]; removed: string[] }): void {
  ensureAnalyticsSchema(db);
  const ids = [...new Set([...changed.upserted, ...changed.removed])];
  if (ids.length === 0) return;
  const total = (db.prepare("SELECT COUNT(*) AS n FROM rules").get() as { n: number }).n;
  let idTable: string | null = null;
  if (ids.length < FULL_REBUILD_SHARE * total) {
    db.exec("CREATE TEMP TABLE IF NOT EXISTS _ra_ids (id TEXT PRIMARY KEY) WITHOUT ROWID");
    db.exec("DELETE FROM _ra_ids");
    const ins = db.prepare("INSERT OR IGNORE INTO _ra_ids VALUES (?)");
    for (const id of ids) ins.run(id);
    idTable = "_ra_ids";
  }
  refreshAttackPairs(db, idTable);
  refreshCorpusKeys(db, idTable);
  refreshRelated(db);
  if (idTable) db.exec("DELETE FROM _ra_ids");
}

/** Rebuilds everything derived (after an ATT&CK import, a canonical-table change, or on demand). */
export function rebuildAnalytics(db: Db): void {
  ensureAnalyticsSchema(db);
  refreshAttackPairs(db, null);
  refreshCorpusKeys(db, null);
  refreshRelated(db);
}
