// ATT&CK references in the four shapes the Chronicle repository uses:
// 1. mitre_attack_tactic / _technique names + mitre_attack_url,
// 2. tactic = "TA0002", technique = "T1059.001",
// 3. outcome literals $mitre_attack_technique_id (and the name outcomes),
// 4. soc_prime free text: mitre = "command_and_control, t1043".
// plus attack.mitre.org URLs under `reference`. Every reference keeps the text it came from.
import type { AttackRef } from "../../model/rule.js";

export type MetaValues = Map<string, string[]>;

const TECHNIQUE = /^T\d{4}(\.\d{3})?$/i;
const TACTIC_ID = /^TA\d{4}$/i;
const URL_OTHER = /attack\.mitre\.org\/(?:software|groups|datasources)\/([SGD]S?\d{4})/i;
const URL_TECHNIQUE = /attack\.mitre\.org\/techniques\/(T\d{4})(?:\/(\d{3}))?/i;

function split(v: string): string[] {
  return v
    .split(/[,;\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

function techniqueFromUrl(url: string): string | undefined {
  const m = URL_TECHNIQUE.exec(url);
  if (!m) return undefined;
  return m[2] ? `${m[1].toUpperCase()}.${m[2]}` : m[1].toUpperCase();
}

export function attackRefs(meta: MetaValues, outcomeLiterals: Map<string, string | number>): AttackRef[] {
  const refs = new Refs();
  const get = (k: string) => (meta.get(k) ?? []).flatMap(split);

  // Shape 1: names plus a URL.
  const tactics1 = get("mitre_attack_tactic");
  const names1 = meta.get("mitre_attack_technique") ?? [];
  const urls = meta.get("mitre_attack_url") ?? [];
  for (const url of urls.flatMap((u) => u.split(/[\s,]+/)).filter((u) => u !== "")) {
    const technique = techniqueFromUrl(url);
    if (technique) refs.add({ raw: url, technique, ...(names1.length === 1 ? { name: names1[0] } : {}), ...single("tactic", tactics1) });
  }
  if (!urls.some((u) => techniqueFromUrl(u))) for (const name of names1) refs.add({ raw: name, name, ...single("tactic", tactics1) });
  for (const t of tactics1) refs.add({ raw: t, tactic: t });

  // Shape 2: ids.
  const tactics2 = get("tactic");
  for (const t of get("technique")) if (TECHNIQUE.test(t)) refs.add({ raw: t, technique: t.toUpperCase(), ...single("tactic", tactics2) });
  for (const t of tactics2) refs.add({ raw: t, tactic: TACTIC_ID.test(t) ? t.toUpperCase() : t });

  // Shape 3: outcome literals.
  const lit = (k: string) => {
    const v = outcomeLiterals.get(k);
    return typeof v === "string" ? split(v) : [];
  };
  const tactics3 = lit("$mitre_attack_tactic");
  const names3 = lit("$mitre_attack_technique");
  for (const t of lit("$mitre_attack_technique_id"))
    if (TECHNIQUE.test(t)) refs.add({ raw: t, technique: t.toUpperCase(), ...(names3.length === 1 ? { name: names3[0] } : {}), ...single("tactic", tactics3) });
  for (const t of tactics3) refs.add({ raw: t, tactic: t });

  // Shape 4: soc_prime free text.
  for (const item of get("mitre")) {
    if (TECHNIQUE.test(item)) refs.add({ raw: item, technique: item.toUpperCase() });
    else refs.add({ raw: item, tactic: item.toLowerCase().replace(/[\s_]+/g, "-") });
  }

  for (const [key, values] of meta) {
    if (!/^reference\d*$/.test(key)) continue;
    for (const url of values.flatMap((v) => v.split(/[\s,]+/))) {
      const technique = techniqueFromUrl(url);
      if (technique) refs.add({ raw: url, technique });
      const other = URL_OTHER.exec(url);
      if (other) refs.add({ raw: url, other: other[1].toUpperCase() });
    }
  }
  return refs.list;
}

function single(key: "tactic", values: string[]): Partial<AttackRef> {
  return values.length === 1 ? { [key]: values[0] } : {};
}

/** One reference per technique (and per tactic not already attached to one); later shapes fill gaps. */
class Refs {
  readonly list: AttackRef[] = [];
  add(r: AttackRef): void {
    if (r.other) {
      if (!this.list.some((x) => x.other === r.other)) this.list.push(r);
      return;
    }
    if (r.technique) {
      const same = this.list.find((x) => x.technique === r.technique);
      if (same) {
        same.name ??= r.name;
        same.tactic ??= r.tactic;
        return;
      }
      // A technique ref absorbs a bare tactic ref that came first.
      this.list.push(r);
      return;
    }
    const key = norm(r.tactic ?? r.name ?? r.raw);
    if (this.list.some((x) => norm(x.tactic ?? "") === key || (!x.technique && norm(x.name ?? "") === key && r.name))) return;
    this.list.push(r);
  }
}

function norm(s: string): string {
  return s.toLowerCase().replace(/[\s_-]+/g, "-");
}
