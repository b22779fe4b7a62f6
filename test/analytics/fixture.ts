// A tiny catalog built row by row: rules of several vendors without their adapters.
import { type Db, openCatalog } from "../../src/catalog/open.js";
import { normValue } from "../../src/catalog/rows.js";

export interface FixtureIndicator {
  field: string | null;
  kind: string;
  values: (string | number)[];
  negated?: boolean;
  scope?: boolean;
  caseSensitive?: boolean;
}

export interface FixtureRule {
  id: string;
  title?: string;
  modality?: string;
  source?: string;
  attack?: { raw: string; tactic?: string; technique?: string; name?: string; other?: string }[];
  logsources?: [string, string][];
  indicators?: FixtureIndicator[];
}

export function fixtureDb(): Db {
  return openCatalog(":memory:");
}

export function addRule(db: Db, r: FixtureRule): void {
  const vendor = r.id.slice(0, r.id.indexOf(":"));
  db.prepare(
    `INSERT INTO rules (id, vendor, native_id, format, language, source, unit, path, commit_sha, title, description, severity,
      status, modality, enabled, fidelity, logic_hash, logic_json, record_json)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, '', NULL, NULL, ?, 1, 'full', '', '{}', '{}')`,
  ).run(r.id, vendor, r.id.slice(vendor.length + 1), vendor, vendor, r.source ?? vendor, `${r.id}.yml`, `${r.id}.yml`, r.title ?? r.id, r.modality ?? "detection");
  for (const a of r.attack ?? []) {
    db.prepare("INSERT INTO rule_attack VALUES (?, ?, ?, ?, ?, ?)").run(
      r.id,
      a.raw,
      a.tactic ?? null,
      a.technique ?? null,
      a.other ?? null,
      a.name ?? null,
    );
  }
  for (const [k, v] of r.logsources ?? []) db.prepare("INSERT INTO rule_logsources VALUES (?, ?, ?)").run(r.id, k, v);
  for (const i of r.indicators ?? []) {
    const values = i.values.length > 0 ? i.values : [null];
    for (const v of values) {
      const value = v === null ? null : String(v);
      const norm = normValue(value, i.caseSensitive);
      db.prepare("INSERT INTO indicators VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, NULL, NULL)").run(
        r.id,
        i.field,
        i.kind,
        value,
        norm,
        i.negated ? 1 : 0,
        i.scope ? 1 : 0,
        i.caseSensitive === undefined ? null : i.caseSensitive ? 1 : 0,
      );
    }
  }
}

export function removeRule(db: Db, id: string): void {
  for (const t of ["rule_attack", "rule_logsources", "indicators"]) db.prepare(`DELETE FROM ${t} WHERE rule_id = ?`).run(id);
  db.prepare("DELETE FROM rules WHERE id = ?").run(id);
}

/** The rules of the issue: a Panther and a Sigma CloudTrail rule, a Sigma and an Elastic rundll32 rule. */
export const PANTHER_CONFIG: FixtureRule = {
  id: "panther:AWS.ConfigService.Created",
  title: "AWS Config Service Created",
  attack: [{ raw: "TA0007:T1526", tactic: "TA0007", technique: "T1526" }],
  logsources: [["LogTypes", "AWS.CloudTrail"]],
  indicators: [
    { field: "errorCode", kind: "is_not_null", values: [], negated: true },
    { field: "errorMessage", kind: "is_not_null", values: [], negated: true },
    { field: "eventName", kind: "in", values: ["PutDeliveryChannel", "PutConfigurationRecorder", "StartConfigurationRecorder"], caseSensitive: true },
  ],
};

export const SIGMA_CONFIG: FixtureRule = {
  id: "sigma:aws-config-delivery",
  title: "AWS Config Delivery Channel Put",
  attack: [
    { raw: "attack.discovery", tactic: "discovery" },
    { raw: "attack.t1526", technique: "T1526" },
  ],
  logsources: [
    ["product", "aws"],
    ["service", "cloudtrail"],
  ],
  indicators: [
    { field: "eventSource", kind: "eq", values: ["config.amazonaws.com"] },
    { field: "eventName", kind: "eq", values: ["PutDeliveryChannel"] },
  ],
};

export const ELASTIC_CONFIG: FixtureRule = {
  id: "elastic:config-recorder",
  title: "AWS Configuration Recorder Started",
  attack: [{ raw: "T1526", tactic: "TA0007", technique: "T1526", name: "Cloud Service Discovery" }],
  logsources: [["index", "logs-aws.cloudtrail-*"]],
  indicators: [
    { field: "event.dataset", kind: "eq", values: ["aws.cloudtrail"], scope: true },
    { field: "event.action", kind: "eq", values: ["StartConfigurationRecorder"] },
  ],
};

export const SIGMA_RUNDLL: FixtureRule = {
  id: "sigma:rundll32-no-args",
  title: "Rundll32 Without Parameters",
  attack: [
    { raw: "attack.stealth", tactic: "stealth" },
    { raw: "attack.t1218.011", technique: "T1218.011" },
  ],
  logsources: [
    ["product", "windows"],
    ["category", "process_creation"],
  ],
  indicators: [
    { field: "Image", kind: "endswith", values: ["\\rundll32.exe"] },
    { field: "CommandLine", kind: "endswith", values: ["rundll32.exe"] },
  ],
};

export const ELASTIC_RUNDLL: FixtureRule = {
  id: "elastic:rundll32-no-args",
  title: "Unusual Rundll32 Execution",
  attack: [{ raw: "T1218.011", tactic: "TA0005", technique: "T1218.011" }],
  logsources: [["index", "logs-endpoint.events.process-*"]],
  indicators: [
    { field: "event.type", kind: "eq", values: ["start"], scope: true },
    { field: "process.name", kind: "eq", values: ["rundll32.exe"] },
    { field: "process.args_count", kind: "eq", values: [1] },
  ],
};
