// Sigma `tags`: `attack.*` tags become ATT&CK references (as written, plus
// what they were read as); every other tag stays a plain tag.
import type { AttackRef } from "../../model/rule.js";

const TECHNIQUE = /^t\d{4}(\.\d{3})?$/i;
const TACTIC_ID = /^ta\d{4}$/i;
const OTHER_ID = /^(g|s|ds|m|c|dc)\d{4}$/i;

export function readTags(tags: unknown): { attack: AttackRef[]; tags: string[] } {
  const attack: AttackRef[] = [];
  const other: string[] = [];
  if (!Array.isArray(tags)) return { attack, tags: other };
  for (const t of tags) {
    if (typeof t !== "string") continue;
    if (!t.toLowerCase().startsWith("attack.")) {
      other.push(t);
      continue;
    }
    const body = t.slice("attack.".length);
    if (TECHNIQUE.test(body)) attack.push({ raw: t, technique: body.toUpperCase() });
    else if (TACTIC_ID.test(body)) attack.push({ raw: t, tactic: body.toUpperCase() });
    else if (OTHER_ID.test(body)) attack.push({ raw: t, other: body.toUpperCase() });
    // Legacy tags write tactic slugs with underscores (attack.defense_evasion).
    else if (/^[a-z][a-z_-]*$/i.test(body)) attack.push({ raw: t, tactic: body.toLowerCase().replace(/_/g, "-") });
    else other.push(t);
  }
  return { attack, tags: other };
}
