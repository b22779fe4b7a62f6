import type { Logic } from "./expr.js";

export const VENDORS = ["sigma", "panther", "elastic", "splunk", "sentinel", "defender", "chronicle"] as const;
export type Vendor = (typeof VENDORS)[number];

export type Severity = "informational" | "low" | "medium" | "high" | "critical";

export type Modality =
  | "detection"
  | "hunting"
  | "building_block"
  | "correlation"
  | "machine_learning"
  | "alert_passthrough"
  | "indicator_list"
  | "policy"
  | "scheduled_query"
  | "signal";

/** Where a diagnostic points. A diagnostic always says file, line and reason. */
export interface Diagnostic {
  /** Path relative to the source root. */
  file: string;
  line?: number;
  column?: number;
  level: "error" | "warning" | "info";
  /** Stable machine code, e.g. "yaml.syntax", "sigma.unknown-modifier". */
  code: string;
  message: string;
}

/** An ATT&CK reference exactly as the rule wrote it, plus what it was read as. */
export interface AttackRef {
  /** The rule's own text, e.g. "attack.t1526", "TA0007:T1526". */
  raw: string;
  /** Tactic id (TA0007) or shortname (discovery), as written. */
  tactic?: string;
  /** Technique id, upper-cased: T1526, T1059.001. */
  technique?: string;
  /** Group / software / data source ids (G0016, S0154, DS0005). */
  other?: string;
  /** Name given by the rule itself; ATT&CK names are resolved later. */
  name?: string;
}

export interface LogSource {
  /** e.g. product/category/service (Sigma), LogType (Panther), index/dataset (Elastic). */
  key: string;
  value: string;
}

export interface RuleBody {
  /** Language label shown to users: "yaml", "python", "kql", "yara-l", "toml", "spl", "sql". */
  language: string;
  /** Path relative to the source root. */
  path: string;
  text: string;
}

export interface RuleTest {
  name: string;
  /** true: the rule should fire on `event` (on at least `minMatches` of `events`). */
  expected: boolean;
  event: unknown;
  /**
   * A test over several records where only some fire and the data does not
   * say which (Sigma regression data with a match_count): `event` is then
   * unused and the test passes when at least `minMatches` records fire.
   */
  events?: unknown[];
  minMatches?: number;
  /** Vendor-specific replay inputs (Panther Mocks, LogType). */
  mocks?: Record<string, unknown>;
  logType?: string;
}

export interface RelatedRef {
  id: string;
  type: string;
}

export interface RuleRecord {
  /** `<vendor>:<native id>` */
  id: string;
  vendor: Vendor;
  nativeId: string;
  /** Format slug of the adapter that produced it. */
  format: string;
  /** Semantics key used to evaluate `logic` (see src/languages/semantics.ts). */
  language: string;
  source: { repo: string; commit?: string; path: string };
  title: string;
  description: string;
  severity: Severity | null;
  status: string | null;
  modality: Modality;
  enabled: boolean;
  logSources: LogSource[];
  attack: AttackRef[];
  references: string[];
  tags: string[];
  falsePositives: string[];
  related: RelatedRef[];
  author: string | null;
  date: string | null;
  modified: string | null;
  license: string | null;
  bodies: RuleBody[];
  tests: RuleTest[];
  logic: Logic;
  diagnostics: Diagnostic[];
  /** Vendor metadata kept as written (Runbook, Threshold, sigma_uuid, ...). */
  extra: Record<string, unknown>;
}
