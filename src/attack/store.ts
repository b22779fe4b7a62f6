import type { Db } from "../catalog/open.js";
import { ensureAttackSchema, hasTable } from "./schema.js";
import type { AttackCompact, AttackDomain, AttackTactic } from "./types.js";
import { V19_TACTICS, V19_TECHNIQUES, V19_VERSION } from "./v19.js";

/** Numeric comparison of dotted versions: "9" < "18" < "18.1" < "19". */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d || 0;
  }
  return a.localeCompare(b);
}

/** Writes one domain+version (replacing the same version if loaded before). Caller owns the transaction. */
export function storeAttack(db: Db, data: AttackCompact, source: string): void {
  ensureAttackSchema(db);
  const key = [data.domain, data.version];
  for (const t of ["attack_versions", "attack_tactics", "attack_techniques"]) {
    db.prepare(`DELETE FROM ${t} WHERE domain = ? AND version = ?`).run(...key);
  }
  db.prepare("INSERT INTO attack_versions VALUES (?, ?, ?, ?, ?, ?)").run(
    ...key,
    source,
    new Date().toISOString(),
    data.tactics.length,
    data.techniques.length,
  );
  const insTactic = db.prepare("INSERT INTO attack_tactics VALUES (?, ?, ?, ?, ?, ?)");
  data.tactics.forEach((t, i) => insTactic.run(...key, i, t.id, t.shortname, t.name));
  const insTech = db.prepare("INSERT INTO attack_techniques VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (const t of data.techniques) {
    insTech.run(
      ...key,
      t.id,
      t.name,
      t.parent ?? null,
      JSON.stringify(t.tactics),
      JSON.stringify(t.platforms),
      t.deprecated ? 1 : 0,
      t.revoked ? 1 : 0,
      t.revokedBy ?? null,
    );
  }
  db.prepare("INSERT INTO meta (key, value) VALUES ('attack_stamp', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(
    `${Date.now()}-${Math.random()}`,
  );
}

/** What resolution knows about a technique id. */
export interface TechniqueInfo {
  id: string;
  /** Own name; undefined for ids whose name nothing states. */
  name?: string;
  /** "Parent: Sub" for sub-techniques. */
  displayName?: string;
  tactics: string[];
  parent?: string;
  platforms: string[];
  /** In the loaded version (live, revoked or deprecated). */
  known: boolean;
  revoked: boolean;
  deprecated: boolean;
  revokedBy?: string;
  /** From the hand-written v19 table rather than loaded data. */
  fromV19?: boolean;
  /** Stated crosswalk to a loaded-version id. */
  v18?: string;
}

/** The newest loaded version of a domain, indexed for resolution. */
export interface AttackIndex {
  domain: AttackDomain;
  /** null: no ATT&CK data loaded. */
  version: string | null;
  versions: string[];
  /** Matrix order of the loaded version. */
  tactics: AttackTactic[];
  tacticById: Map<string, AttackTactic>;
  /** Loaded tactics plus the v19 ones (stealth → TA0005, defense-impairment → TA0112). */
  tacticByShort: Map<string, AttackTactic>;
  /** Tactics of the other loaded domains (ICS "inhibit-response-function" in a Sentinel rule), by shortname and id. */
  foreignTactics: Map<string, AttackTactic>;
  techniques: Map<string, TechniqueInfo>;
}

interface TechRow {
  id: string;
  name: string;
  parent: string | null;
  tactics_json: string;
  platforms_json: string;
  deprecated: number;
  revoked: number;
  revoked_by: string | null;
}

function buildIndex(db: Db, domain: AttackDomain): AttackIndex {
  const versions = hasTable(db, "attack_versions")
    ? (db.prepare("SELECT version FROM attack_versions WHERE domain = ?").all(domain) as { version: string }[])
        .map((r) => r.version)
        .sort(compareVersions)
    : [];
  const version = versions.length > 0 ? versions[versions.length - 1] : null;
  const tactics =
    version === null
      ? []
      : (db
          .prepare("SELECT id, shortname, name FROM attack_tactics WHERE domain = ? AND version = ? ORDER BY position")
          .all(domain, version) as AttackTactic[]);
  const tacticById = new Map(tactics.map((t) => [t.id, t]));
  const tacticByShort = new Map(tactics.map((t) => [t.shortname, t]));
  const techniques = new Map<string, TechniqueInfo>();
  if (version !== null) {
    const rows = db
      .prepare("SELECT * FROM attack_techniques WHERE domain = ? AND version = ?")
      .all(domain, version) as TechRow[];
    for (const r of rows) {
      techniques.set(r.id, {
        id: r.id,
        name: r.name,
        tactics: JSON.parse(r.tactics_json) as string[],
        ...(r.parent ? { parent: r.parent } : {}),
        platforms: JSON.parse(r.platforms_json) as string[],
        known: true,
        revoked: r.revoked === 1,
        deprecated: r.deprecated === 1,
        ...(r.revoked_by ? { revokedBy: r.revoked_by } : {}),
      });
    }
  }
  if (domain === "enterprise-attack" && (version === null || compareVersions(version, V19_VERSION) < 0)) {
    for (const t of V19_TACTICS) if (!tacticByShort.has(t.shortname)) tacticByShort.set(t.shortname, t);
    for (const t of V19_TECHNIQUES) {
      if (techniques.has(t.id)) continue;
      techniques.set(t.id, {
        id: t.id,
        ...(t.name ? { name: t.name } : {}),
        tactics: t.tactics,
        ...(t.id.includes(".") ? { parent: t.id.slice(0, t.id.indexOf(".")) } : {}),
        platforms: [],
        known: false,
        revoked: false,
        deprecated: false,
        fromV19: true,
        ...(t.v18 ? { v18: t.v18 } : {}),
      });
    }
  }
  for (const t of techniques.values()) {
    const parent = t.parent ? techniques.get(t.parent) : undefined;
    t.displayName = parent?.name && t.name ? `${parent.name}: ${t.name}` : t.name;
  }
  const foreignTactics = new Map<string, AttackTactic>();
  if (hasTable(db, "attack_tactics")) {
    const all = db
      .prepare("SELECT domain, version, id, shortname, name FROM attack_tactics WHERE domain <> ? ORDER BY position")
      .all(domain) as (AttackTactic & { domain: string; version: string })[];
    const newest = new Map<string, string>();
    for (const t of all) {
      const v = newest.get(t.domain);
      if (v === undefined || compareVersions(t.version, v) > 0) newest.set(t.domain, t.version);
    }
    for (const t of all.filter((x) => newest.get(x.domain) === x.version)) {
      const tactic = { id: t.id, shortname: t.shortname, name: t.name };
      if (!tacticByShort.has(t.shortname)) foreignTactics.set(t.shortname, tactic);
      if (!tacticById.has(t.id)) foreignTactics.set(t.id, tactic);
    }
  }
  return { domain, version, versions, tactics, tacticById, tacticByShort, foreignTactics, techniques };
}

const cache = new WeakMap<Db, Map<AttackDomain, { stamp: string; index: AttackIndex }>>();

function stampOf(db: Db): string {
  const row = db.prepare("SELECT value FROM meta WHERE key = 'attack_stamp'").get() as { value: string } | undefined;
  return row?.value ?? "";
}

/** The newest loaded version of `domain`; rebuilt only after an import. */
export function attackIndex(db: Db, domain: AttackDomain = "enterprise-attack"): AttackIndex {
  const stamp = stampOf(db);
  let perDb = cache.get(db);
  if (!perDb) cache.set(db, (perDb = new Map()));
  const hit = perDb.get(domain);
  if (hit && hit.stamp === stamp) return hit.index;
  const index = buildIndex(db, domain);
  perDb.set(domain, { stamp, index });
  return index;
}

/** Looks an id up; ids of neither the loaded data nor the v19 table give undefined. */
export function techniqueInfo(index: AttackIndex, id: string): TechniqueInfo | undefined {
  const hit = index.techniques.get(id);
  if (hit) return hit;
  // A sub-technique nobody lists: inherit tactics from a parent we know (v19 T1685.001 ...).
  const dot = id.indexOf(".");
  const parent = dot > 0 ? index.techniques.get(id.slice(0, dot)) : undefined;
  if (parent && !parent.known) {
    return { id, tactics: parent.tactics, parent: parent.id, platforms: [], known: false, revoked: false, deprecated: false, fromV19: true };
  }
  return undefined;
}
