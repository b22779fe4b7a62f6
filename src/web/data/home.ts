import { attackIndex } from "../../attack/store.js";
import type { Db } from "../../catalog/open.js";
import { type VendorStats, stats } from "../../catalog/read.js";
import { type VerifyCounts, verifyCatalog } from "../../verify/replay.js";

export interface HomeData {
  total: number;
  vendors: (VendorStats & { vendor: string; replay: VerifyCounts })[];
  lastSync: string | null;
  attack: { version: string | null };
}

/** Vendors with rule counts, fidelity, test replay figures, source commits and the last sync. */
export function homeData(db: Db): HomeData {
  const s = stats(db);
  const replay = verifyCatalog(db).vendors;
  const last = db.prepare("SELECT MAX(ingested_at) AS t FROM sources").get() as { t: string | null };
  return {
    total: s.total,
    vendors: Object.entries(s.vendors).map(([vendor, v]) => {
      const r = replay[vendor];
      return { vendor, ...v, replay: { tests: r?.tests ?? 0, agree: r?.agree ?? 0, disagree: r?.disagree ?? 0, unknown: r?.unknown ?? 0 } };
    }),
    lastSync: last.t,
    attack: { version: attackIndex(db).version },
  };
}
