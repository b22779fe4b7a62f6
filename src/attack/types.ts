/** ATT&CK data as the catalog needs it: one domain, one version, compact. */

export type AttackDomain = "enterprise-attack" | "ics-attack" | "mobile-attack";

export const ATTACK_DOMAINS: readonly AttackDomain[] = ["enterprise-attack", "ics-attack", "mobile-attack"];

export interface AttackTactic {
  /** TA0007 */
  id: string;
  /** discovery */
  shortname: string;
  /** Discovery */
  name: string;
}

export interface AttackTechnique {
  /** T1059 or T1059.001 */
  id: string;
  /** Own name; sub-techniques carry their short name ("PowerShell"). */
  name: string;
  /** Tactic shortnames, from kill_chain_phases. */
  tactics: string[];
  /** Parent technique id of a sub-technique. */
  parent?: string;
  platforms: string[];
  deprecated?: boolean;
  revoked?: boolean;
  /** Replacement of a revoked technique (revoked-by relationship). */
  revokedBy?: string;
}

export interface AttackCompact {
  domain: AttackDomain;
  version: string;
  /** Matrix order (x-mitre-matrix tactic_refs). */
  tactics: AttackTactic[];
  techniques: AttackTechnique[];
}

/** Bad bundle: a message fit for the user, the catalog untouched. */
export class AttackImportError extends Error {}

/** Required with every copy of ATT&CK data (ATT&CK terms of use). */
export const ATTACK_NOTICE =
  "© 2025 The MITRE Corporation. This work is reproduced and distributed with the permission of The MITRE Corporation.";
