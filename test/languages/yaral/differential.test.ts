// Differential check over the corpus: every single-event rule translated with
// `full` fidelity must give the same verdict as a direct reading of its
// YARA-L tree (RE2 partial match, nocase, unset = "") on synthetic UDM events
// built from the rule's own literals, mutated (case, prefix, suffix, cut).
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { RE2JS } from "re2js";
import { chronicleAdapter } from "../../../src/formats/chronicle/adapter.js";
import type { Node } from "../../../src/languages/yaral/ast.js";
import { fieldPath } from "../../../src/languages/yaral/fields.js";
import { parseRules } from "../../../src/languages/yaral/parser.js";
import { yaralSemantics as sem } from "../../../src/languages/yaral/semantics.js";
import { translateRule } from "../../../src/languages/yaral/translate.js";
import { evaluate } from "../../../src/model/evaluate.js";

const CORPUS = fileURLToPath(new URL("../../../../shared/corpora/chronicle", import.meta.url));
const absent = !existsSync(join(CORPUS, "rules")) && "shared corpora absent";

type Flat = Record<string, string | number>;
type Truth = boolean | null;

/** The operand's value on a flat event (field path → value); null when the reader does not know the construct. */
function operand(n: Node, ev: Flat): string | number | null {
  if (n.kind === "path") return ev[fieldPath(n.segments)] ?? "";
  if (n.kind === "string" || n.kind === "number") return n.value;
  if (n.kind === "call" && n.args.length === 1 && (n.name === "strings.to_lower" || n.name === "strings.to_upper")) {
    const v = operand(n.args[0], ev);
    if (typeof v !== "string") return v;
    return n.name === "strings.to_lower" ? v.toLowerCase() : v.toUpperCase();
  }
  return null;
}

function re2(pattern: string, input: string, ci: boolean): boolean {
  const inline = pattern.startsWith("(?i)");
  const flags = ci || inline ? RE2JS.CASE_INSENSITIVE : 0;
  return RE2JS.compile(inline ? pattern.slice(4) : pattern, flags).matcher(input).find();
}

function kleene(values: Truth[], op: "and" | "or"): Truth {
  const stop = op === "or";
  let unknown = false;
  for (const v of values) {
    if (v === stop) return stop;
    if (v === null) unknown = true;
  }
  return unknown ? null : !stop;
}

/** Direct reading of the native tree. */
function native(n: Node, ev: Flat): Truth {
  switch (n.kind) {
    case "and":
    case "or":
      return kleene(
        n.args.map((a) => native(a, ev)),
        n.kind,
      );
    case "not": {
      const v = native(n.arg, ev);
      return v === null ? null : !v;
    }
    case "quant":
      return n.quantifier === "any" ? native(n.arg, ev) : null;
    case "compare": {
      const a = operand(n.left, ev);
      if (a === null) return null;
      if (n.right.kind === "regex") {
        const m = re2(n.right.pattern, String(a), n.nocase || n.right.nocase);
        return n.op === "=" ? m : n.op === "!=" ? !m : null;
      }
      const b = operand(n.right, ev);
      if (b === null) return null;
      if (typeof a === "number" || typeof b === "number") {
        const [x, y] = [Number(a), Number(b)];
        if (a === "" || Number.isNaN(x) || Number.isNaN(y)) return n.op === "!=";
        const r = { "=": x === y, "!=": x !== y, "<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y };
        return r[n.op];
      }
      const [x, y] = n.nocase ? [a.toLowerCase(), b.toLowerCase()] : [a, b];
      return n.op === "=" ? x === y : n.op === "!=" ? x !== y : null;
    }
    case "call": {
      const a = n.args[0] ? operand(n.args[0], ev) : null;
      const p = n.args[1];
      if (a === null || !p) return null;
      if (n.name === "re.regex" && (p.kind === "string" || p.kind === "regex")) {
        return re2(p.kind === "string" ? p.value : p.pattern, String(a), n.nocase || (p.kind === "regex" && p.nocase));
      }
      const b = operand(p, ev);
      if (b === null) return null;
      const [x, y] = n.nocase ? [String(a).toLowerCase(), String(b).toLowerCase()] : [String(a), String(b)];
      if (n.name === "strings.contains") return x.includes(y);
      if (n.name === "strings.starts_with") return x.startsWith(y);
      if (n.name === "strings.ends_with") return x.endsWith(y);
      return null;
    }
    default:
      return null;
  }
}

/** Candidate values per field: the literals the rule compares it with (regexes stripped to their text). */
function candidates(events: Node[]): Map<string, (string | number)[]> {
  const out = new Map<string, (string | number)[]>();
  const add = (field: Node | undefined, lit: Node | undefined) => {
    const path = field?.kind === "call" ? field.args[0] : field;
    if (path?.kind !== "path") return;
    const list = out.get(fieldPath(path.segments)) ?? [];
    if (lit?.kind === "string" || lit?.kind === "number") list.push(lit.value);
    if (lit?.kind === "regex" || (lit?.kind === "string" && lit.raw)) {
      const text = lit.kind === "regex" ? lit.pattern : lit.value;
      list.push(text.replace(/\.\*|[\^$]/g, "").replace(/\\(.)/g, "$1"));
    }
    out.set(fieldPath(path.segments), list);
  };
  const visit = (n: Node): void => {
    if (n.kind === "compare") add(n.left.kind === "path" || n.left.kind === "call" ? n.left : n.right, n.left.kind === "path" || n.left.kind === "call" ? n.right : n.left);
    if (n.kind === "call") add(n.args[0], n.args[1]);
    if (n.kind === "and" || n.kind === "or") n.args.forEach(visit);
    if (n.kind === "not" || n.kind === "quant") visit(n.arg);
  };
  events.forEach(visit);
  return out;
}

/** Nested UDM JSON from a flat event; map keys (`labels["k"]`) become plain map entries. */
function nest(flat: Flat): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(flat)) {
    const m = /^(.*?)\["(.*)"\]$/.exec(field);
    const names = (m ? m[1] : field).split(".");
    let node = root;
    for (const n of names.slice(0, m ? names.length : -1)) node = (node[n] ??= {}) as Record<string, unknown>;
    node[m ? m[2] : names[names.length - 1]] = value;
  }
  return root;
}

test("full-fidelity single-event rules agree with a direct reading of the YARA-L tree", { skip: absent, timeout: 60_000 }, async (t) => {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const counts = { rules: 0, agree: 0, disagree: 0, unknown: 0 };
  const failures: string[] = [];
  for (const u of await chronicleAdapter.listUnits(CORPUS)) {
    const text = await readFile(join(CORPUS, u.path), "utf8");
    const rule = parseRules(text).rules[0];
    const tr = translateRule(rule, text);
    if (tr.eventVariables.length !== 1 || tr.logic.fidelity !== "full") continue;
    counts.rules++;
    const cands = candidates(rule.events);
    for (let i = 0; i < 30; i++) {
      const flat: Flat = {};
      for (const [field, values] of cands) {
        if (values.length === 0 || rnd() < 0.15) continue;
        let v = values[Math.floor(rnd() * values.length)];
        const m = rnd();
        if (typeof v === "string") v = m < 0.2 ? v.toUpperCase() : m < 0.35 ? `X${v}` : m < 0.5 ? `${v}Y` : m < 0.6 ? v.slice(1) : v;
        flat[field] = v;
      }
      const expected = kleene(
        rule.events.map((n) => native(n, flat)),
        "and",
      );
      const got = evaluate(tr.logic.condition, nest(flat), sem);
      if (expected === null || got === null) counts.unknown++;
      else if (expected === got) counts.agree++;
      else {
        counts.disagree++;
        failures.push(`${u.path}: ${JSON.stringify(flat)} native=${expected} model=${got}`);
      }
    }
  }
  t.diagnostic(JSON.stringify(counts));
  assert.ok(counts.rules > 750, `rules checked: ${counts.rules}`);
  assert.deepEqual(failures.slice(0, 5), []);
  assert.ok(counts.agree > 20_000, JSON.stringify(counts));
});
