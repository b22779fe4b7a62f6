/**
 * ATT&CK v19 facts the rule corpora already use while only v18.1 data is
 * bundled (see docs/languages/attack.md §3). Hand-written and small on
 * purpose: only what the v19 release notes and Elastic's published v18→v19
 * map state; no names or tactics are guessed for the other new ids.
 * Drop this table once a v19 bundle is loaded (loaded data always wins).
 */
import type { AttackTactic } from "./types.js";

export const V19_VERSION = "19";

/** v19 tactics: Defense Evasion renamed Stealth (same id), Defense Impairment added. */
export const V19_TACTICS: readonly AttackTactic[] = [
  { id: "TA0005", shortname: "stealth", name: "Stealth" },
  { id: "TA0112", shortname: "defense-impairment", name: "Defense Impairment" },
];

export interface V19Technique {
  id: string;
  name?: string;
  tactics: string[];
  /** The v18 technique it replaces: a stated crosswalk, used to count v19 refs on a v18 matrix. */
  v18?: string;
}

export const V19_TECHNIQUES: readonly V19Technique[] = [
  { id: "T1685", name: "Disable or Modify Tools", tactics: ["defense-impairment"], v18: "T1562" },
  { id: "T1685.005", tactics: ["defense-impairment"], v18: "T1070.001" },
  { id: "T1685.006", tactics: ["defense-impairment"], v18: "T1070.002" },
  { id: "T1684.001", tactics: [], v18: "T1656" },
];
