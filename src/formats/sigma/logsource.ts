// `logsource` → the rule's log sources, and the fields worth showing for an
// alert of that source when the rule names none (`fields:` is rare).
import type { LogSource } from "../../model/rule.js";

const KEYS = ["product", "category", "service"] as const;

export function logSourcesOf(ls: unknown): LogSource[] {
  if (ls === null || typeof ls !== "object") return [];
  const o = ls as Record<string, unknown>;
  const out: LogSource[] = [];
  for (const k of KEYS) if (typeof o[k] === "string" && o[k] !== "") out.push({ key: k, value: o[k] as string });
  return out;
}

/** Project-defined defaults per logsource category or service (data, not code). */
export const DEFAULT_OUTPUT_FIELDS: Record<string, string[]> = {
  process_creation: ["Image", "CommandLine", "ParentImage", "User"],
  file_event: ["Image", "TargetFilename", "User"],
  file_delete: ["Image", "TargetFilename", "User"],
  file_access: ["Image", "TargetFilename", "User"],
  file_change: ["Image", "TargetFilename"],
  file_rename: ["Image", "SourceFilename", "TargetFilename"],
  registry_set: ["Image", "TargetObject", "Details"],
  registry_add: ["Image", "TargetObject"],
  registry_delete: ["Image", "TargetObject"],
  registry_event: ["Image", "TargetObject", "Details"],
  image_load: ["Image", "ImageLoaded"],
  driver_load: ["ImageLoaded", "Hashes"],
  network_connection: ["Image", "DestinationIp", "DestinationPort", "DestinationHostname", "User"],
  dns_query: ["Image", "QueryName", "QueryResults"],
  process_access: ["SourceImage", "TargetImage", "GrantedAccess"],
  create_remote_thread: ["SourceImage", "TargetImage", "StartFunction"],
  pipe_created: ["Image", "PipeName"],
  ps_script: ["ScriptBlockText", "Path"],
  ps_module: ["Payload", "ContextInfo"],
  wmi_event: ["EventType", "Destination", "Query"],
  security: ["EventID", "SubjectUserName", "TargetUserName", "IpAddress"],
  cloudtrail: ["eventName", "eventSource", "userIdentity.arn", "sourceIPAddress", "awsRegion"],
  azureactivity: ["operationName", "caller", "resourceId"],
  okta: ["eventType", "actor.alternateId", "client.ipAddress"],
};

export function defaultOutputFields(sources: LogSource[]): string[] {
  for (const key of ["category", "service"]) {
    const s = sources.find((x) => x.key === key);
    if (s && Object.hasOwn(DEFAULT_OUTPUT_FIELDS, s.value)) return DEFAULT_OUTPUT_FIELDS[s.value];
  }
  return [];
}
