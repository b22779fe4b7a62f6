import { readFileSync } from "node:fs";
import { basename } from "node:path";
import type { Db } from "../catalog/open.js";
import { refreshRelated } from "../analytics/related-store.js";
import { refreshAttackPairs } from "./pairs.js";
import { hasTable } from "./schema.js";
import { parseStixBundle } from "./stix.js";
import { storeAttack } from "./store.js";
import { type AttackCompact, type AttackDomain, AttackImportError } from "./types.js";

export interface ImportResult {
  domain: AttackDomain;
  version: string;
  tactics: number;
  techniques: number;
  live: number;
  revoked: number;
  deprecated: number;
  ms: { parse: number; store: number; total: number };
}

/**
 * Imports a STIX bundle file: parsed and checked completely before anything is
 * written, then stored and every rule re-resolved in one transaction, so a bad
 * bundle leaves the previous ATT&CK data as it was.
 */
export function importAttackFile(db: Db, file: string, opts: { domain?: AttackDomain; version?: string } = {}): ImportResult {
  const t0 = performance.now();
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new AttackImportError(`${file}: cannot read: ${err instanceof Error ? err.message : String(err)}`);
  }
  const data = parseStixBundle(text, { ...opts, fileName: basename(file) });
  const t1 = performance.now();
  importAttack(db, data, basename(file));
  const t2 = performance.now();
  const live = data.techniques.filter((t) => !t.revoked && !t.deprecated).length;
  return {
    domain: data.domain,
    version: data.version,
    tactics: data.tactics.length,
    techniques: data.techniques.length,
    live,
    revoked: data.techniques.filter((t) => t.revoked).length,
    deprecated: data.techniques.filter((t) => t.deprecated && !t.revoked).length,
    ms: { parse: Math.round(t1 - t0), store: Math.round(t2 - t1), total: Math.round(t2 - t0) },
  };
}

export function importAttack(db: Db, data: AttackCompact, source: string): void {
  db.transaction(() => {
    storeAttack(db, data, source);
    // Other domains' tactics name Sentinel's ICS tactics: every domain re-resolves.
    refreshAttackPairs(db, null);
    // Related rules' technique-only neighbours come from those pairs: without this, the stored table
    // stays stamped with the old ATT&CK data and a read-only server answers every rule page live.
    if (hasTable(db, "related_rules")) refreshRelated(db);
  })();
}
