/**
 * Tactic names as rules write them → ATT&CK shortnames: "Command And Control",
 * "CommandAndControl", "command_and_control", "attack.command-and-control"
 * all become "command-and-control".
 */
export function tacticShortname(written: string): string {
  return written
    .trim()
    .replace(/^attack\./i, "")
    .replace(/([a-z])([A-Z])/g, "$1-$2")
    .toLowerCase()
    .replace(/[\s_]+/g, "-")
    .replace(/-+/g, "-");
}

export const TACTIC_ID = /^TA\d{4}$/i;
export const TECHNIQUE_ID = /^T\d{4}(\.\d{3})?$/i;
