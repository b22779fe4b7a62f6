import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The canonical field table (data/canonical-fields/*.json) and the value
 * transforms that make indicator keys comparable across vendors. The rules
 * are documented in src/analytics/README.md; keep the two in step.
 */

/** path: full paths (a derived name key); name: file names; qualifier: outcome-like fields that alone relate nothing. */
export type FieldRole = "path" | "name" | "text" | "qualifier";

export interface FieldAlias {
  /** Lower-cased field name as vendors write it. */
  field: string;
  /** Context token the alias needs; "" = applies unless a contextual alias of the field applies. */
  when: string;
  canonical: string;
  role: FieldRole;
  /** For role "path": the canonical field of the basename. */
  nameField: string | null;
  family: string;
}

export interface CanonicalTable {
  aliases: FieldAlias[];
  /** Lower-cased fields whose values feed a rule's context tokens. */
  contextFields: string[];
  /** Content hash: derived keys are rebuilt when the table changes. */
  hash: string;
}

interface AliasJson {
  field: string;
  when?: string[];
}
interface FamilyJson {
  family: string;
  description?: string;
  contextFields?: string[];
  fields: { canonical: string; role?: FieldRole; nameField?: string; aliases: (string | AliasJson)[] }[];
}

export const DEFAULT_TABLE_DIR = fileURLToPath(new URL("../../data/canonical-fields/", import.meta.url));

export class CanonicalTableError extends Error {}

function parseFamily(file: string, text: string): FamilyJson {
  const doc = JSON.parse(text) as FamilyJson;
  if (!doc || typeof doc.family !== "string" || !Array.isArray(doc.fields)) {
    throw new CanonicalTableError(`${file}: expected { family, fields: [...] }`);
  }
  for (const f of doc.fields) {
    if (typeof f.canonical !== "string" || !Array.isArray(f.aliases)) throw new CanonicalTableError(`${file}: a field lacks canonical/aliases`);
    if (f.role === "path" && typeof f.nameField !== "string") throw new CanonicalTableError(`${file}: ${f.canonical} is a path without nameField`);
  }
  return doc;
}

/** Reads every family file; a (field, when) mapped to two canonical names is an error. */
export function loadCanonicalTable(dir: string = DEFAULT_TABLE_DIR): CanonicalTable {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort();
  const hash = createHash("sha256");
  const aliases: FieldAlias[] = [];
  const contextFields = new Set<string>();
  const seen = new Map<string, string>();
  for (const file of files) {
    const text = readFileSync(join(dir, file), "utf8");
    hash.update(file).update(text);
    const doc = parseFamily(file, text);
    for (const c of doc.contextFields ?? []) contextFields.add(c.toLowerCase());
    for (const f of doc.fields) {
      for (const a of f.aliases) {
        const spec: AliasJson = typeof a === "string" ? { field: a } : a;
        for (const when of spec.when && spec.when.length > 0 ? spec.when : [""]) {
          const field = fieldKey(spec.field);
          const key = `${field}\u0000${when.toLowerCase()}`;
          const prior = seen.get(key);
          if (prior && prior !== f.canonical) {
            throw new CanonicalTableError(`${file}: ${spec.field}${when ? ` (when ${when})` : ""} maps to both ${prior} and ${f.canonical}`);
          }
          if (prior) continue;
          seen.set(key, f.canonical);
          aliases.push({
            field,
            when: when.toLowerCase(),
            canonical: f.canonical,
            role: f.role ?? "text",
            nameField: f.nameField ?? null,
            family: doc.family,
          });
        }
      }
    }
  }
  return { aliases, contextFields: [...contextFields].sort(), hash: hash.digest("hex").slice(0, 16) };
}

let cached: CanonicalTable | undefined;
export function canonicalTable(): CanonicalTable {
  cached ??= loadCanonicalTable();
  return cached;
}

/** Field as the table matches it: lower-cased, without a YARA-L event variable ($e.). null (keyword search) → "". */
export function fieldKey(field: string | null): string {
  if (field === null) return "";
  return field.replace(/^\$[A-Za-z0-9_]+\./, "").toLowerCase();
}

/** Context tokens of one written value: whole, and split on non-alphanumerics. */
export function contextTokens(value: string): string[] {
  const v = value.toLowerCase().trim();
  const out = new Set<string>([v]);
  for (const part of v.split(/[^a-z0-9]+/)) if (part) out.add(part);
  // Wildcarded indices (logs-aws.cloudtrail-*) keep their dotted dataset as a token too.
  for (const part of v.split(/[^a-z0-9._]+/)) if (part) out.add(part);
  return [...out];
}

/**
 * The aliases of `field` that apply under `ctx`: the contextual ones whose token
 * the rule has, else the field's default alias. Empty: the field is unmapped.
 */
export function applicableAliases(table: CanonicalTable, field: string | null, ctx: ReadonlySet<string>): FieldAlias[] {
  const key = fieldKey(field);
  const mine = table.aliases.filter((a) => a.field === key);
  const contextual = mine.filter((a) => a.when !== "" && ctx.has(a.when));
  return contextual.length > 0 ? dedupeCanonical(contextual) : mine.filter((a) => a.when === "");
}

function dedupeCanonical(list: FieldAlias[]): FieldAlias[] {
  const seen = new Set<string>();
  return list.filter((a) => (seen.has(a.canonical) ? false : (seen.add(a.canonical), true)));
}

interface Glob {
  kind: string;
  literal: string;
}

/** A glob that is a plain prefix/suffix/infix/whole literal, as that kind; else null. */
function simpleGlob(pattern: string): Glob | null {
  let literal = "";
  const stars: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\" && i + 1 < pattern.length && "*?\\".includes(pattern[i + 1])) {
      literal += pattern[++i];
    } else if (c === "*") {
      stars.push(literal.length);
    } else if (c === "?") {
      return null;
    } else {
      literal += c;
    }
  }
  const lead = stars.filter((p) => p === 0).length > 0;
  const trail = stars.filter((p) => p === literal.length).length > 0;
  if (stars.some((p) => p !== 0 && p !== literal.length)) return null;
  if (literal === "") return null;
  if (lead && trail) return { kind: "contains", literal };
  if (lead) return { kind: "endswith", literal };
  if (trail) return { kind: "startswith", literal };
  return { kind: "eq", literal };
}

/** Kinds whose values are literal text, compared case-folded in canonical space. */
const TEXT_KINDS = new Set(["eq", "in", "contains", "startswith", "endswith", "wildcard"]);

/** Canonical kind: `in` is `eq`; a simple glob becomes the kind it spells. */
export function canonicalKind(kind: string, value: string): string {
  if (kind === "in") return "eq";
  if (kind === "wildcard") return simpleGlob(value)?.kind ?? "wildcard";
  return kind;
}

/** Canonical value: text kinds case-folded (across vendors case is not comparable); regex, cidr, numbers as written. */
export function canonicalValue(kind: string, value: string): string {
  if (!TEXT_KINDS.has(kind)) return value;
  const v = kind === "wildcard" ? (simpleGlob(value)?.literal ?? value) : value;
  return v.toLowerCase();
}

/**
 * The file name a path key pins down, for the derived name key: `endswith "\x.exe"`
 * (a separator then no other) and `eq "C:\...\x.exe"` both mean name == x.exe.
 */
export function nameFromPath(ckind: string, cvalue: string): string | null {
  if (ckind === "endswith") {
    if (cvalue.length < 2 || (cvalue[0] !== "\\" && cvalue[0] !== "/")) return null;
    const rest = cvalue.slice(1);
    return /[\\/]/.test(rest) ? null : rest;
  }
  if (ckind === "eq") {
    const cut = Math.max(cvalue.lastIndexOf("\\"), cvalue.lastIndexOf("/"));
    if (cut < 0) return null;
    const name = cvalue.slice(cut + 1);
    return name === "" ? null : name;
  }
  return null;
}
