import { opaque, pred, type Expr } from "../../model/expr.js";
import { field as fieldOf } from "./ast.js";
import { finalizeFields, keyOf, mkAnd, mkOr, resetKeysIfLarge } from "./exprs.js";
import { BudgetExceeded, Interp, truthy } from "./interp.js";
import type { Program, PyModule } from "./program.js";
import type { FieldType, TypeOracle } from "./predicates.js";
import { BOT, type SymVal } from "./values.js";

export interface Translation {
  condition: Expr;
  /** Set when the entry function is missing (nothing was translated). */
  missing?: string;
}

const EVENT: SymVal = { k: "field", base: 0, path: [], tx: [], nullv: BOT };

function callEntry(mod: PyModule, fn: string, program: Program, types: TypeOracle, logType?: string, mocks?: Set<string>): { v: SymVal; usedUdm: boolean } | null {
  resetKeysIfLarge();
  const once = (usage?: Map<string, FieldType>) => {
    const it = new Interp({ program, types, logType, mocks, usage });
    const f = it.globalsOf(mod).get(fn);
    if (!f || f.k !== "func") return null;
    try {
      return { v: it.callFunc(mod, f.def, [EVENT], new Map()), usedUdm: it.usedUdm, used: it.used };
    } catch (err) {
      if (err instanceof BudgetExceeded) return { v: { k: "opq", text: `${fn}(event)`, reason: "evaluation budget exceeded" } as SymVal, usedUdm: it.usedUdm, used: new Map<string, FieldType>() };
      throw err;
    }
  };
  const first = once();
  // A field the code uses as a string or number further down may be type-tested earlier: one more pass knows it.
  if (first && first.used.size > 0 && hasOpaqueVal(first.v)) return once(first.used) ?? first;
  return first;
}

function hasOpaqueVal(v: SymVal): boolean {
  const stack: Expr[] = [truthy(v)];
  while (stack.length > 0) {
    const e = stack.pop() as Expr;
    if (e.type === "opaque") return true;
    if (e.type === "and" || e.type === "or") stack.push(...e.args);
    else if (e.type === "not") stack.push(e.arg);
    else if (e.type === "quant") stack.push(e.cond);
  }
  return false;
}

/**
 * The condition under which `fn(event)` returns a truthy value. When the
 * code reads data models and the rule has several LogTypes, one condition per
 * LogType, each scoped by p_log_type.
 */
export function translateCondition(mod: PyModule, fn: string, program: Program, logTypes: string[], types: TypeOracle, mocks?: Set<string>): Translation {
  const first = callEntry(mod, fn, program, types, logTypes[0], mocks);
  if (!first) return { condition: opaque(`${fn}(event)`, `no ${fn}() function`), missing: fn };
  const finish = (v: SymVal): Expr => finalizeFields(truthy(v));
  const c0 = finish(first.v);
  if (!first.usedUdm || logTypes.length <= 1) return { condition: c0 };
  const per: { lt: string; c: Expr }[] = [{ lt: logTypes[0], c: c0 }];
  for (const lt of logTypes.slice(1)) {
    const r = callEntry(mod, fn, program, types, lt, mocks);
    per.push({ lt, c: r ? finish(r.v) : opaque(`${fn}(event)`, "evaluation failed") });
  }
  if (per.every((p) => keyOf(p.c) === keyOf(c0))) return { condition: c0 };
  const parts = per.map((p) => mkAnd(pred("p_log_type", "eq", [p.lt], { scope: true }), p.c));
  return { condition: mkOr(...parts) };
}

/** Event fields placed in the dict that `fn(event)` returns (alert_context). */
export function translateOutputFields(mod: PyModule, fn: string, program: Program, logType: string | undefined, types: TypeOracle): string[] | null {
  const r = callEntry(mod, fn, program, types, logType);
  if (!r) return null;
  const out: string[] = [];
  const add = (v: SymVal, depth: number): void => {
    if (depth > 20) return;
    if (v.k === "field" && v.base === 0 && v.tx.length === 0 && !v.json && v.path.length > 0) {
      const p = v.path.join(".");
      if (!out.includes(p)) out.push(p);
    } else if (v.k === "ite") {
      add(v.a, depth + 1);
      add(v.b, depth + 1);
    }
  };
  const walkDicts = (v: SymVal, depth: number): void => {
    if (depth > 20) return;
    if (v.k === "dict") for (const x of v.vals) add(x, 0);
    else if (v.k === "ite") {
      walkDicts(v.a, depth + 1);
      walkDicts(v.b, depth + 1);
    }
  };
  walkDicts(r.v, 0);
  return out;
}

/** Names of the module's top-level functions. */
export function functionNames(mod: PyModule): string[] {
  return mod.root.kids
    .map((k) => (k.type === "decorated_definition" ? fieldOf(k, "definition") : k))
    .filter((k) => k?.type === "function_definition")
    .map((k) => (k ? (fieldOf(k, "name")?.text ?? "") : ""));
}
