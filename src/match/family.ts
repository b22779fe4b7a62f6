import type { LogSource } from "../model/rule.js";

/** Keys that name a log family, most general first; other keys follow alphabetically. */
const KEY_ORDER = ["product", "service", "category", "LogType", "logtype", "index", "dataset", "table"];

/**
 * A rule's log family: its log source values joined in a stable order
 * ("aws/cloudtrail", "windows/process_creation", "AWS.CloudTrail").
 * Rules that name no log source are in the family "any".
 */
export function familyOf(sources: LogSource[]): string {
  if (sources.length === 0) return "any";
  const rank = (k: string) => {
    const i = KEY_ORDER.indexOf(k);
    return i < 0 ? KEY_ORDER.length : i;
  };
  return [...sources]
    .sort((a, b) => rank(a.key) - rank(b.key) || a.key.localeCompare(b.key) || a.value.localeCompare(b.value))
    .map((s) => s.value)
    .join("/");
}
