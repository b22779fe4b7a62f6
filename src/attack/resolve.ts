import { type AttackIndex, techniqueInfo } from "./store.js";
import { TACTIC_ID, tacticShortname } from "./tactics.js";

/** A rule_attack row as the adapters wrote it. */
export interface AttackRefRow {
  raw: string;
  tactic: string | null;
  technique: string | null;
  name: string | null;
}

export type PairStatus = "current" | "revoked" | "deprecated" | "unknown" | "tactic";

/** One (tactic, technique) pair of a rule, resolved against the loaded ATT&CK. */
export interface ResolvedPair {
  raw: string;
  /** TA id where resolvable, else the tactic as written; null: no tactic known. */
  tactic: string | null;
  /** Shortname as the rule wrote it (stealth stays stealth), else ATT&CK's. */
  tacticShort: string | null;
  tacticName: string | null;
  tacticKnown: boolean;
  technique: string | null;
  name: string | null;
  status: PairStatus;
  /** The loaded-version technique coverage counts this pair under; null: unresolved. */
  countsAs: string | null;
  note: string | null;
}

interface Tactic {
  id: string | null;
  short: string | null;
  name: string | null;
  known: boolean;
  written: string;
}

const tacticMemo = new WeakMap<AttackIndex, Map<string, Tactic>>();

/** Memoized per loaded index: a corpus writes the same few dozen tactic spellings thousands of times. */
function resolveTactic(index: AttackIndex, written: string): Tactic {
  let memo = tacticMemo.get(index);
  if (!memo) tacticMemo.set(index, (memo = new Map()));
  let t = memo.get(written);
  if (!t) memo.set(written, (t = lookupTactic(index, written)));
  return t;
}

function lookupTactic(index: AttackIndex, written: string): Tactic {
  if (TACTIC_ID.test(written)) {
    const id = written.toUpperCase();
    const t = index.tacticById.get(id) ?? [...index.tacticByShort.values()].find((x) => x.id === id) ?? index.foreignTactics.get(id);
    return { id, short: t?.shortname ?? null, name: t?.name ?? null, known: !!t, written };
  }
  const short = tacticShortname(written);
  const t = index.tacticByShort.get(short) ?? index.foreignTactics.get(short);
  // The written name is kept: v19 "stealth" maps to TA0005 but is not renamed "Defense Evasion".
  return { id: t?.id ?? null, short, name: t?.name ?? null, known: !!t, written };
}

interface TechView {
  id: string;
  name: string | null;
  tacticShorts: string[];
  status: Exclude<PairStatus, "tactic">;
  countsAs: string | null;
  note: string | null;
}

function resolveTechnique(index: AttackIndex, written: string, ruleName: string | null): TechView {
  const id = written.toUpperCase();
  const info = techniqueInfo(index, id);
  if (!info || !info.known) {
    const where = index.version ? `not in ATT&CK ${index.version}` : "no ATT&CK data loaded";
    const crosswalk = info?.v18 && index.techniques.get(info.v18)?.known ? info.v18 : null;
    return {
      id,
      name: info?.displayName ?? ruleName,
      tacticShorts: info?.tactics ?? [],
      status: "unknown",
      countsAs: crosswalk,
      note: crosswalk ? `${where}; v19 id, counted as ${crosswalk} (stated v18→v19 move)` : where,
    };
  }
  let tactics = info.tactics;
  if (tactics.length === 0 && info.revokedBy) tactics = techniqueInfo(index, info.revokedBy)?.tactics ?? [];
  const name = info.displayName ?? ruleName;
  if (info.revoked) {
    return {
      id,
      name,
      tacticShorts: tactics,
      status: "revoked",
      countsAs: info.revokedBy ?? null,
      note: info.revokedBy ? `revoked, replaced by ${info.revokedBy}` : "revoked",
    };
  }
  if (info.deprecated) return { id, name, tacticShorts: tactics, status: "deprecated", countsAs: id, note: "deprecated, no replacement" };
  return { id, name, tacticShorts: tactics, status: "current", countsAs: id, note: null };
}

function pairOf(raw: string, t: Tactic | null, tech: TechView | null): ResolvedPair {
  return {
    raw,
    tactic: t ? (t.id ?? t.written) : null,
    tacticShort: t?.short ?? null,
    tacticName: t?.name ?? null,
    tacticKnown: t?.known ?? false,
    technique: tech?.id ?? null,
    name: tech?.name ?? null,
    status: tech?.status ?? "tactic",
    countsAs: tech?.countsAs ?? null,
    note: tech?.note ?? null,
  };
}

/** A tactic shortname of ATT&CK as the tactic it names (with the loaded name). */
function atlasTactic(index: AttackIndex, short: string): Tactic {
  return resolveTactic(index, short);
}

const sameTactic = (a: Tactic, b: Tactic): boolean => (a.id !== null && a.id === b.id) || (a.short !== null && a.short === b.short);

/**
 * A rule's references → (tactic, technique) pairs:
 * - a reference with both (Panther TA0007:T1526, Elastic threat entries) is kept as written;
 * - a technique alone is paired with the rule's own tactic-only references that ATT&CK lists
 *   for it, else with all of ATT&CK's tactics for it, else stands without a tactic;
 * - a tactic-only reference no technique took stands alone. Nothing is dropped.
 */
export function resolveRefs(index: AttackIndex, written: AttackRefRow[]): ResolvedPair[] {
  const refs = written.map(readRaw).filter((r) => r.tactic || r.technique);
  const out: ResolvedPair[] = [];
  const ruleTactics: { t: Tactic; raw: string; used: boolean }[] = [];
  for (const r of refs) {
    if (r.tactic && !r.technique) ruleTactics.push({ t: resolveTactic(index, r.tactic), raw: r.raw, used: false });
  }
  for (const r of refs) {
    if (!r.technique) continue;
    const tech = resolveTechnique(index, r.technique, r.name);
    if (r.tactic) {
      const t = resolveTactic(index, r.tactic);
      for (const rt of ruleTactics) if (sameTactic(rt.t, t)) rt.used = true;
      out.push(pairOf(r.raw, t, tech));
      continue;
    }
    const atlas = tech.tacticShorts.map((s) => atlasTactic(index, s));
    const mine = ruleTactics.filter((rt) => atlas.some((a) => sameTactic(a, rt.t)));
    if (mine.length > 0) {
      for (const rt of mine) {
        rt.used = true;
        out.push(pairOf(`${r.raw} + ${rt.raw}`, rt.t, tech));
      }
    } else if (atlas.length > 0) {
      for (const a of atlas) out.push(pairOf(r.raw, a, tech));
    } else {
      out.push(pairOf(r.raw, null, tech));
    }
  }
  for (const rt of ruleTactics) if (!rt.used) out.push(pairOf(rt.raw, rt.t, null));
  return dedupePairs(out);
}

/** A row whose adapter parsed neither part: read ids out of the raw text (TA0007:T1526, attack.t1059.001). */
function readRaw(r: AttackRefRow): AttackRefRow {
  if (r.tactic || r.technique) return r;
  const tactic = /\bTA\d{4}\b/i.exec(r.raw)?.[0]?.toUpperCase() ?? null;
  const technique = /\bT\d{4}(?:\.\d{3})?\b/i.exec(r.raw.replace(/\bTA\d{4}\b/gi, ""))?.[0]?.toUpperCase() ?? null;
  return { ...r, tactic, technique };
}

function dedupePairs(pairs: ResolvedPair[]): ResolvedPair[] {
  const seen = new Set<string>();
  return pairs.filter((p) => {
    const k = `${p.tactic}|${p.technique}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
