import { basename } from "node:path";
import {
  ATTACK_DOMAINS,
  type AttackCompact,
  type AttackDomain,
  AttackImportError,
  type AttackTactic,
  type AttackTechnique,
} from "./types.js";

/** The parts of a STIX object the importer reads; everything else is ignored. */
interface StixObject {
  type?: unknown;
  id?: unknown;
  name?: unknown;
  revoked?: unknown;
  x_mitre_deprecated?: unknown;
  x_mitre_is_subtechnique?: unknown;
  x_mitre_platforms?: unknown;
  x_mitre_shortname?: unknown;
  x_mitre_version?: unknown;
  x_mitre_domains?: unknown;
  tactic_refs?: unknown;
  kill_chain_phases?: unknown;
  external_references?: unknown;
  relationship_type?: unknown;
  source_ref?: unknown;
  target_ref?: unknown;
}

/** Source names of ATT&CK ids and kill chains per domain. */
const SOURCE_NAME: Record<AttackDomain, string> = {
  "enterprise-attack": "mitre-attack",
  "ics-attack": "mitre-ics-attack",
  "mobile-attack": "mitre-mobile-attack",
};

export interface ParseOptions {
  /** The domain the caller expects; a bundle of another domain is an error. */
  domain?: AttackDomain;
  /** ATT&CK version; default: the bundle's x-mitre-collection, else the file name (enterprise-attack-18.1.json). */
  version?: string;
  fileName?: string;
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

/** ATT&CK id of an object; ICS bundles use "mitre-attack" for ids and "mitre-ics-attack" for kill chains. */
function externalId(o: StixObject, sourceName: string): string | undefined {
  if (!Array.isArray(o.external_references)) return undefined;
  for (const r of o.external_references as { source_name?: unknown; external_id?: unknown }[]) {
    if (r && (r.source_name === sourceName || r.source_name === "mitre-attack") && typeof r.external_id === "string") {
      return r.external_id;
    }
  }
  return undefined;
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new AttackImportError(`${file}: not valid JSON (truncated or corrupt file?): ${why}`);
  }
}

function objectsOf(doc: unknown, file: string): StixObject[] {
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) {
    throw new AttackImportError(`${file}: not a STIX bundle (expected a JSON object with "type": "bundle")`);
  }
  const b = doc as { type?: unknown; objects?: unknown };
  if (b.type !== "bundle" || !Array.isArray(b.objects)) {
    throw new AttackImportError(`${file}: not a STIX bundle (expected "type": "bundle" and an "objects" array)`);
  }
  return (b.objects as unknown[]).filter((o): o is StixObject => !!o && typeof o === "object");
}

/** The bundle's domain, read from its matrix (or, failing that, its techniques). */
function domainOf(objects: StixObject[]): AttackDomain | undefined {
  for (const o of objects) {
    if (o.type !== "x-mitre-matrix") continue;
    const id = externalId(o, "mitre-attack");
    const d = ATTACK_DOMAINS.find((x) => x === id);
    if (d) return d;
  }
  for (const o of objects) {
    if (o.type !== "attack-pattern") continue;
    const d = strs(o.x_mitre_domains).find((x): x is AttackDomain => (ATTACK_DOMAINS as string[]).includes(x));
    if (d) return d;
  }
  return undefined;
}

function versionOf(objects: StixObject[], opts: ParseOptions, file: string): string {
  if (opts.version) return opts.version;
  const coll = objects.find((o) => o.type === "x-mitre-collection");
  const v = str(coll?.x_mitre_version);
  if (v) return v;
  // The enterprise bundle has no collection object: the version is in the file name.
  const m = /(\d+(?:\.\d+)*)\.json$/i.exec(basename(opts.fileName ?? ""));
  if (m) return m[1];
  throw new AttackImportError(`${file}: the bundle does not state its ATT&CK version; pass --version`);
}

function tacticsInOrder(objects: StixObject[], byStixId: Map<string, StixObject>, src: string): AttackTactic[] {
  const matrix = objects.find((o) => o.type === "x-mitre-matrix");
  const refs = strs(matrix?.tactic_refs);
  const out: AttackTactic[] = [];
  for (const ref of refs) {
    const t = byStixId.get(ref);
    const id = t && externalId(t, src);
    const shortname = str(t?.x_mitre_shortname);
    if (t && id && shortname) out.push({ id, shortname, name: str(t.name) ?? shortname });
  }
  return out;
}

/**
 * Reads a STIX bundle (2.0 or 2.1) of one ATT&CK domain into its compact form.
 * Throws AttackImportError with a user-facing message on anything else.
 */
export function parseStixBundle(text: string, opts: ParseOptions = {}): AttackCompact {
  const file = opts.fileName ?? "bundle";
  const objects = objectsOf(parseJson(text, file), file);
  const domain = domainOf(objects);
  if (!domain) throw new AttackImportError(`${file}: no ATT&CK matrix or techniques found: not an ATT&CK bundle`);
  const want = opts.domain ?? "enterprise-attack";
  if (domain !== want) {
    throw new AttackImportError(`${file}: the bundle is ${domain}, expected ${want} (use --domain ${domain} to load it)`);
  }
  const src = SOURCE_NAME[domain];
  const byStixId = new Map<string, StixObject>();
  for (const o of objects) if (typeof o.id === "string") byStixId.set(o.id, o);

  const tactics = tacticsInOrder(objects, byStixId, src);
  if (tactics.length === 0) throw new AttackImportError(`${file}: the matrix lists no tactics: not a usable ATT&CK bundle`);

  const revokedBy = new Map<string, string>();
  for (const o of objects) {
    if (o.type !== "relationship" || o.relationship_type !== "revoked-by") continue;
    const target = byStixId.get(str(o.target_ref) ?? "");
    const targetId = target && externalId(target, src);
    if (typeof o.source_ref === "string" && targetId) revokedBy.set(o.source_ref, targetId);
  }

  const byId = new Map<string, AttackTechnique>();
  for (const o of objects) {
    if (o.type !== "attack-pattern") continue;
    const id = externalId(o, src);
    if (!id) continue;
    const t: AttackTechnique = {
      id,
      name: str(o.name) ?? id,
      tactics: (Array.isArray(o.kill_chain_phases) ? (o.kill_chain_phases as { kill_chain_name?: unknown; phase_name?: unknown }[]) : [])
        .filter((k) => k && k.kill_chain_name === src && typeof k.phase_name === "string")
        .map((k) => k.phase_name as string),
      platforms: strs(o.x_mitre_platforms),
    };
    const dot = id.indexOf(".");
    if (dot > 0) t.parent = id.slice(0, dot);
    if (o.x_mitre_deprecated === true) t.deprecated = true;
    if (o.revoked === true) {
      t.revoked = true;
      const by = revokedBy.get(o.id as string);
      if (by) t.revokedBy = by;
    }
    const seen = byId.get(id);
    // Two objects may carry one id (a revoked copy beside the live one): the live one wins.
    if (!seen || (seen.revoked || seen.deprecated) && !(t.revoked || t.deprecated)) byId.set(id, t);
  }
  const techniques = [...byId.values()];
  if (techniques.length === 0) throw new AttackImportError(`${file}: the bundle holds no techniques`);
  techniques.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { domain, version: versionOf(objects, opts, file), tactics, techniques };
}
