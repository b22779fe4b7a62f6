// Sigma rule metadata → the RuleRecord fields that are not logic.
import type { Modality, RelatedRef, RuleRecord, Severity } from "../../model/rule.js";
import { readTags } from "./tags.js";

type Obj = Record<string, unknown>;

const SEVERITIES = new Set<Severity>(["informational", "low", "medium", "high", "critical"]);

/** Keys read into dedicated record fields; every other top-level key goes to `extra`. */
const KNOWN = new Set([
  "title", "id", "name", "status", "description", "references", "author", "date", "modified", "tags",
  "logsource", "detection", "falsepositives", "level", "related", "license", "fields", "correlation", "action",
]);

const str = (v: unknown): string | null => (typeof v === "string" ? v : typeof v === "number" ? String(v) : null);
const strList = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(str).filter((s): s is string => s !== null) : typeof v === "string" ? [v] : [];

export type SigmaMeta = Pick<
  RuleRecord,
  | "title" | "description" | "severity" | "status" | "modality" | "attack" | "tags" | "references"
  | "falsePositives" | "related" | "author" | "date" | "modified" | "license" | "extra"
> & {
  /** The rule's own `fields:` list (output fields). */
  fields: string[];
};

/** Rules under deprecated/ and unsupported/ are retired whatever their own status says. */
export function retiredFolder(path: string): boolean {
  const top = path.split("/")[0];
  return top === "deprecated" || top === "unsupported";
}

/** Status from the file, else from the folder (deprecated/, unsupported/). */
function statusOf(doc: Obj, path: string): string | null {
  const s = str(doc.status);
  if (s) return s;
  const top = path.split("/")[0];
  return top === "deprecated" || top === "unsupported" ? top : null;
}

function modalityOf(path: string, tags: string[], isCorrelation: boolean): Modality {
  if (isCorrelation) return "correlation";
  if (path.split("/")[0] === "rules-threat-hunting" || tags.includes("detection.threat-hunting")) return "hunting";
  return "detection";
}

export function readMeta(doc: Obj, path: string, repoLicense: string | null): SigmaMeta {
  const { attack, tags } = readTags(doc.tags);
  const level = str(doc.level)?.toLowerCase() as Severity | undefined;
  const related: RelatedRef[] = Array.isArray(doc.related)
    ? doc.related
        .filter((r): r is Obj => r !== null && typeof r === "object")
        .map((r) => ({ id: String(r.id ?? ""), type: String(r.type ?? "") }))
        .filter((r) => r.id !== "")
    : [];
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) if (!KNOWN.has(k)) extra[k] = v;
  const ls = doc.logsource as Obj | undefined;
  if (ls && typeof ls === "object" && ls.definition !== undefined) extra.logsourceDefinition = ls.definition;
  if (typeof doc.name === "string") extra.name = doc.name;
  return {
    title: str(doc.title) ?? "",
    description: str(doc.description) ?? "",
    severity: level && SEVERITIES.has(level) ? level : null,
    status: statusOf(doc, path),
    modality: modalityOf(path, tags, doc.correlation !== undefined),
    attack,
    tags,
    references: strList(doc.references),
    falsePositives: strList(doc.falsepositives),
    related,
    author: str(doc.author),
    date: str(doc.date),
    modified: str(doc.modified),
    license: str(doc.license) ?? repoLicense,
    fields: strList(doc.fields),
    extra,
  };
}
