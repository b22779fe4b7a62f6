import type { Db } from "../catalog/open.js";
import { analyticsReady } from "./fresh.js";
import { METHOD, relatedRulesLive } from "./related-live.js";
import { STORED_RELATED, relatedTableReady, storedRelated } from "./related-store.js";

export interface SharedKey {
  /** Canonical key both rules hold. */
  field: string;
  kind: string;
  value: string;
  /** Rules holding the key (document frequency). */
  rules: number;
  weight: number;
  mine: { field: string | null; kind: string; value: string };
  theirs: { field: string | null; kind: string; value: string };
}

export interface RelatedRule {
  id: string;
  title: string;
  vendor: string;
  modality: string;
  sameVendor: boolean;
  /** Cosine similarity of the two rules' IDF-weighted indicator sets, 0–1. */
  score: number;
  /** Sum of the weights of the shared keys. */
  overlap: number;
  evidence: string[];
  shared: SharedKey[];
}

export interface RelatedResult {
  id: string;
  /** How rules were compared, in one sentence for the page. */
  method: string;
  related: RelatedRule[];
  /** Rules that share an ATT&CK technique but no indicator: shown apart, never as "same behaviour". */
  techniqueOnly: { id: string; title: string; vendor: string; techniques: string[] }[];
}

export interface RelatedOptions {
  limit?: number;
  /** Only rules of these vendors. */
  vendors?: string[];
  /** Also list the rule's own vendor (default true). */
  sameVendor?: boolean;
}

/**
 * Rules that look for the same things, across vendors, ranked by how rare the shared values are.
 * Read from the table afterIngest keeps (related-store.ts); computed on the fly only when the
 * table cannot answer exactly: vendor filters, a limit above what is stored, or no stored row.
 */
export function relatedRules(db: Db, id: string, opts: RelatedOptions = {}): RelatedResult {
  const limit = opts.limit ?? 20;
  if (!analyticsReady(db)) return { id, method: METHOD, related: [], techniqueOnly: [] };
  const filtered = opts.vendors !== undefined || opts.sameVendor === false;
  const stored = filtered || limit > STORED_RELATED || !relatedTableReady(db) ? undefined : storedRelated(db, id, limit);
  if (!stored) return relatedRulesLive(db, id, opts);
  return { id, method: METHOD, related: stored.related, techniqueOnly: stored.techniqueOnly };
}
