// YARA-L rule → normalized Logic. Each event variable's predicates become
// one condition; placeholder bindings (`$x = $e.f`) become join keys, never
// predicates; match windows and `#e > N` become aggregation metadata.
// Whatever has no exact meaning in the model becomes an opaque node that
// quotes the source.
import type { Aggregation, Expr, Logic, PredKind, Predicate, Value } from "../../model/expr.js";
import { T, not, opaque, or, pred } from "../../model/expr.js";
import { fidelityOf, simplify } from "../../model/simplify.js";
import type { CompareOp, Node, Rule } from "./ast.js";
import { fieldPath } from "./fields.js";
import { readRegex } from "./regex.js";

export interface Translation {
  logic: Logic;
  /** Outcome variables assigned a literal (`$mitre_attack_technique_id = "T1562"`), by name with `$`. */
  outcomeLiterals: Map<string, string | number>;
  /** Computed outcomes that are not fields (`$risk_score = max(35)`), as written. */
  computedOutcomes: Map<string, string>;
  /** Event variables in order of first use in `events`. */
  eventVariables: string[];
}

/** Fields that select the log source rather than behaviour. */
const SCOPE_FIELDS = new Set(["metadata.event_type", "metadata.vendor_name", "metadata.product_name", "metadata.log_type"]);

interface Binding {
  variable: string;
  /** The bound field when the other side is a plain path. */
  field: string | null;
  text: string;
}

interface Ctx {
  text: string;
  eventVars: string[];
  bindings: Map<string, Binding[]>;
}

export function translateRule(rule: Rule, text: string): Translation {
  const ctx: Ctx = { text, eventVars: collectEventVars(rule), bindings: new Map() };
  const conjuncts = rule.events.flatMap(flattenAnd);
  const rest: Node[] = [];
  for (const c of conjuncts) if (!recordBinding(c, ctx)) rest.push(c);

  const perVar = new Map<string, Expr[]>(ctx.eventVars.map((v) => [v, []]));
  const crossEvent: Expr[] = [];
  const directJoins: string[] = [];
  const orderings: string[] = [];
  for (const c of rest) placeConjunct(c, ctx, perVar, crossEvent, directJoins, orderings);

  const trees = new Map<string, Expr>();
  for (const [v, list] of perVar) trees.set(v, finish({ type: "and", args: list }));

  const cond = readCondition(rule, ctx);
  const primary = cond.primary ?? ctx.eventVars[0];
  let condition: Expr =
    cond.alternatives.length > 1 ? finish(or(...cond.alternatives.map((v) => trees.get(v) ?? T))) : (trees.get(primary) ?? T);
  if (crossEvent.length > 0) condition = finish({ type: "and", args: [condition, ...crossEvent] });

  // Nothing to translate (no events section, or none of it parsed) is fidelity "none", not "always true".
  if (conjuncts.length === 0) condition = opaque(src(rule, ctx), "rule has no events section");
  const aggregation = buildAggregation(rule, ctx, trees, cond, primary, directJoins, orderings);
  const all = [condition, ...(aggregation?.events ?? []).map((e) => e.condition)];
  const fidelity = all.every((e) => e.type === "opaque") ? "none" : all.some((e) => fidelityOf(e) !== "full") ? "partial" : "full";
  const logic: Logic = { condition, outputFields: outputFields(rule, ctx), fidelity };
  if (aggregation) logic.aggregation = aggregation;

  const outcomeLiterals = new Map<string, string | number>();
  const computedOutcomes = new Map<string, string>();
  for (const o of rule.outcome) {
    if (o.expr.kind === "string" || o.expr.kind === "number") outcomeLiterals.set(o.name, o.expr.value);
    else if (!outcomeField(o.expr, ctx)) computedOutcomes.set(o.name, src(o.expr, ctx));
  }
  return { logic, outcomeLiterals, computedOutcomes, eventVariables: ctx.eventVars };
}

function finish(e: Expr): Expr {
  return mergeAlternatives(simplify(e));
}

function src(n: { start: number; end: number }, ctx: Ctx): string {
  return ctx.text.slice(n.start, n.end);
}

function flattenAnd(n: Node): Node[] {
  return n.kind === "and" ? n.args.flatMap(flattenAnd) : [n];
}

/** Event variables are those used with a field path, in order of first use in `events`. */
function collectEventVars(rule: Rule): string[] {
  const seen: string[] = [];
  const visit = (n: Node): void => {
    if (n.kind === "path" && !seen.includes(n.variable)) seen.push(n.variable);
    for (const c of children(n)) visit(c);
  };
  rule.events.forEach(visit);
  return seen;
}

function children(n: Node): Node[] {
  switch (n.kind) {
    case "and":
    case "or":
      return n.args;
    case "not":
    case "quant":
    case "neg":
      return [n.arg];
    case "compare":
    case "arith":
      return [n.left, n.right];
    case "inList":
      return [n.left];
    case "call":
      return n.args;
    default:
      return [];
  }
}

function varsIn(n: Node, ctx: Ctx, out = new Set<string>()): Set<string> {
  if (n.kind === "path") out.add(n.variable);
  else if (n.kind === "var" && ctx.eventVars.includes(n.name)) out.add(n.name);
  for (const c of children(n)) varsIn(c, ctx, out);
  return out;
}

function placeholdersIn(n: Node, ctx: Ctx, out = new Set<string>()): Set<string> {
  if (n.kind === "var" && !ctx.eventVars.includes(n.name)) out.add(n.name);
  for (const c of children(n)) placeholdersIn(c, ctx, out);
  return out;
}

/** `$x = <expr over one event>` (either side): a binding, recorded and kept out of the predicates. */
function recordBinding(n: Node, ctx: Ctx): boolean {
  if (n.kind !== "compare" || n.op !== "=") return false;
  const [ph, other] = isPlaceholder(n.left, ctx) ? [n.left, n.right] : isPlaceholder(n.right, ctx) ? [n.right, n.left] : [null, null];
  if (ph === null || other === null || ph.kind !== "var") return false;
  const vars = varsIn(other, ctx);
  if (vars.size !== 1 || placeholdersIn(other, ctx).size > 0) return false;
  const variable = [...vars][0];
  const field = other.kind === "path" ? fieldPath(other.segments) : null;
  const list = ctx.bindings.get(ph.name) ?? [];
  list.push({ variable, field, text: src(n, ctx) });
  ctx.bindings.set(ph.name, list);
  return true;
}

function isPlaceholder(n: Node, ctx: Ctx): boolean {
  return n.kind === "var" && !ctx.eventVars.includes(n.name);
}

const EVENT_TIME = "metadata.event_timestamp.seconds";

function placeConjunct(c: Node, ctx: Ctx, perVar: Map<string, Expr[]>, crossEvent: Expr[], directJoins: string[], orderings: string[]): void {
  if (c.kind === "error") {
    crossEvent.push(opaque(src(c, ctx), `not parsed: ${c.message}`));
    return;
  }
  const vars = varsIn(c, ctx);
  // A constraint on placeholders only (`$x != ""`) belongs to the event that binds them.
  if (vars.size === 0) {
    const owners = new Set<string>();
    for (const p of placeholdersIn(c, ctx)) for (const b of ctx.bindings.get(p) ?? []) if (b.field !== null) owners.add(b.variable);
    if (owners.size >= 1) vars.add([...owners][0]);
  }
  if (vars.size === 1) {
    const v = [...vars][0];
    perVar.get(v)?.push(translateBool(c, v, ctx));
    return;
  }
  if (c.kind === "compare" && c.left.kind === "path" && c.right.kind === "path" && c.left.variable !== c.right.variable && !c.nocase) {
    const a = fieldPath(c.left.segments);
    const b = fieldPath(c.right.segments);
    // `$e1.f = $e2.g` is a join key: named by the field when both sides read the same one, else written out.
    if (c.op === "=") {
      const key = a === b ? a : src(c, ctx);
      if (!directJoins.includes(key)) directJoins.push(key);
      return;
    }
    // Event-time ordering is how YARA-L writes "$e1 before $e2": correlation metadata, like the window.
    if (c.op !== "!=" && a === EVENT_TIME && b === EVENT_TIME) {
      orderings.push(src(c, ctx));
      return;
    }
  }
  const reason =
    vars.size === 0 ? "constraint on no event field" : `cross-event constraint between ${[...vars].join(", ")}: holds on a set of events, not one`;
  crossEvent.push(opaque(src(c, ctx), reason, fieldsIn(c)));
}

function fieldsIn(n: Node, out: string[] = []): string[] {
  if (n.kind === "path") {
    const f = fieldPath(n.segments);
    if (!out.includes(f)) out.push(f);
  }
  for (const c of children(n)) fieldsIn(c, out);
  return out;
}

// ---- per-event boolean expressions -------------------------------------------------

function translateBool(n: Node, v: string, ctx: Ctx): Expr {
  switch (n.kind) {
    case "and":
      return { type: "and", args: n.args.map((a) => translateBool(a, v, ctx)) };
    case "or":
      return { type: "or", args: n.args.map((a) => translateBool(a, v, ctx)) };
    case "not":
      return not(translateBool(n.arg, v, ctx));
    case "quant":
      return translateQuant(n, v, ctx);
    case "compare":
      return translateCompare(n, v, ctx);
    case "inList":
      return translateInList(n, v, ctx);
    case "call":
      return translateCall(n, v, ctx);
    case "error":
      return opaque(src(n, ctx), `not parsed: ${n.message}`);
    default:
      return opaque(src(n, ctx), "not a boolean expression", fieldsIn(n));
  }
}

function translateQuant(n: Node & { kind: "quant" }, v: string, ctx: Ctx): Expr {
  // Repeated fields already have any-semantics: `any $e.f = x` is `$e.f = x`.
  const inner = translateBool(n.arg, v, ctx);
  if (n.quantifier === "any") return inner;
  const over = singleField(inner);
  if (over !== null) return { type: "quant", quantifier: "all", over, cond: relativize(inner, over) };
  return opaque(src(n, ctx), "`all` over an expression that is not one field test", fieldsIn(n));
}

/** The one field every predicate in `e` tests, or null. */
function singleField(e: Expr): string | null {
  const fields = new Set<string | null>();
  const visit = (x: Expr): boolean => {
    if (x.type === "pred") fields.add(x.field);
    else if (x.type === "not") return visit(x.arg);
    else if (x.type === "and" || x.type === "or") return x.args.every(visit);
    else return false;
    return true;
  };
  if (!visit(e) || fields.size !== 1) return null;
  const [f] = fields;
  return f ?? null;
}

/** Field paths relative to each element of `over` (the element itself is ""). */
function relativize(e: Expr, over: string): Expr {
  if (e.type === "pred") return { ...e, field: e.field === over ? "" : e.field };
  if (e.type === "not") return { type: "not", arg: relativize(e.arg, over) };
  if (e.type === "and" || e.type === "or") return { type: e.type, args: e.args.map((a) => relativize(a, over)) };
  return e;
}

/** A field operand: a path of this event, a placeholder bound to one, or either under to_lower/to_upper. */
interface FieldRef {
  field: string;
  fold: "lower" | "upper" | null;
}

function fieldRef(n: Node, v: string, ctx: Ctx): FieldRef | null {
  if (n.kind === "path") return n.variable === v ? { field: fieldPath(n.segments), fold: null } : null;
  if (n.kind === "var") {
    const b = (ctx.bindings.get(n.name) ?? []).find((x) => x.variable === v && x.field !== null);
    return b?.field ? { field: b.field, fold: null } : null;
  }
  if (n.kind === "call" && n.args.length === 1 && (n.name === "strings.to_lower" || n.name === "strings.to_upper")) {
    const inner = fieldRef(n.args[0], v, ctx);
    if (inner === null || inner.fold !== null) return null;
    return { field: inner.field, fold: n.name === "strings.to_lower" ? "lower" : "upper" };
  }
  return null;
}

const FLIP: Record<CompareOp, CompareOp> = { "=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<=" };
const ORDER: Partial<Record<CompareOp, PredKind>> = { "<": "lt", "<=": "lte", ">": "gt", ">=": "gte" };

function translateCompare(n: Node & { kind: "compare" }, v: string, ctx: Ctx): Expr {
  let { left, right, op } = n;
  if (fieldRef(left, v, ctx) === null && fieldRef(right, v, ctx) !== null) {
    [left, right] = [right, left];
    op = FLIP[op];
  }
  // `re.regex(...) = true`, `strings.contains(...) = false`
  if (left.kind === "call" && right.kind === "bool" && (op === "=" || op === "!=")) {
    const t = translateCall(left, v, ctx);
    return right.value === (op === "=") ? t : not(t);
  }
  const f = fieldRef(left, v, ctx);
  if (f === null) return opaque(src(n, ctx), "comparison of a computed value (function result or arithmetic)", fieldsIn(n));
  const nocase = n.nocase;
  const negate = (e: Expr): Expr => (op === "!=" ? not(e) : e);
  switch (right.kind) {
    case "string":
      return stringCompare(n, f, op, right.value, nocase, ctx);
    case "number":
    case "bool": {
      if (f.fold !== null) return opaque(src(n, ctx), "case folding of a non-string value", [f.field]);
      if (op === "=" || op === "!=") return negate(mkPred(f.field, "eq", [right.value]));
      if (right.kind === "bool") return opaque(src(n, ctx), "ordering of a boolean", [f.field]);
      return mkPred(f.field, ORDER[op] as PredKind, [right.value]);
    }
    case "regex": {
      if (op !== "=" && op !== "!=") return opaque(src(n, ctx), `regex with '${op}'`, [f.field]);
      return negate(regexPred(f, right.pattern, nocase || right.nocase, src(right, ctx), ctx, n));
    }
    case "neg":
      if (right.arg.kind === "number" && ORDER[op] && f.fold === null) return mkPred(f.field, ORDER[op] as PredKind, [-right.arg.value]);
      break;
    default: {
      const g = fieldRef(right, v, ctx);
      if (g !== null && f.fold === null && g.fold === null && (op === "=" || op === "!=") && !nocase) {
        return negate(mkPred(f.field, "fieldref", [g.field]));
      }
    }
  }
  return opaque(src(n, ctx), "comparison with a computed or non-literal operand", fieldsIn(n));
}

function stringCompare(n: Node, f: FieldRef, op: CompareOp, value: string, nocase: boolean, ctx: Ctx): Expr {
  const negate = (e: Expr): Expr => (op === "!=" ? not(e) : e);
  if (op !== "=" && op !== "!=") {
    const kind = ORDER[op] as PredKind;
    // The evaluator orders numbers only; a numeric string keeps its meaning.
    if (f.fold === null && /^-?\d+(\.\d+)?$/.test(value)) return mkPred(f.field, kind, [value]);
    return opaque(src(n, ctx), `string ordering '${op}'`, [f.field]);
  }
  const folded = foldLiteral(f, value);
  if (folded === null) return opaque(src(n, ctx), `${f.fold === "lower" ? "to_lower" : "to_upper"} compared with a literal that is not ${f.fold} case: never equal`, [f.field]);
  // UDM has no nulls: an unset string field reads as "".
  if (value === "" && !nocase) return mkPred(f.field, op === "=" ? "is_null" : "is_not_null", []);
  return negate(mkPred(f.field, "eq", [value], { caseSensitive: !(nocase || f.fold !== null) }));
}

/** The literal a folded field is compared with, when it is already in the fold's case. */
function foldLiteral(f: FieldRef, value: string): string | null {
  if (f.fold === "lower") return value === value.toLowerCase() ? value : null;
  if (f.fold === "upper") return value === value.toUpperCase() ? value : null;
  return value;
}

function translateInList(n: Node & { kind: "inList" }, v: string, ctx: Ctx): Expr {
  const f = fieldRef(n.left, v, ctx);
  if (f === null) return opaque(src(n, ctx), "reference-list lookup of a computed value", fieldsIn(n));
  const kind: PredKind = n.mode === "regex" ? "regex" : n.mode === "cidr" ? "cidr" : "in";
  const extra: Partial<Predicate> = { valuesFrom: `%${n.list}` };
  if (kind !== "cidr") extra.caseSensitive = !(n.nocase || f.fold !== null);
  const p = mkPred(f.field, kind, [], extra);
  return n.negated ? not(p) : p;
}

function translateCall(n: Node & { kind: "call" }, v: string, ctx: Ctx): Expr {
  const [a, b] = n.args;
  const literal = b && (b.kind === "string" || b.kind === "regex") ? b : null;
  switch (n.name) {
    case "re.regex": {
      const f = a ? fieldRef(a, v, ctx) : null;
      if (f === null || literal === null || n.args.length !== 2) break;
      const pattern = literal.kind === "regex" ? literal.pattern : literal.value;
      const ci = n.nocase || (literal.kind === "regex" && literal.nocase);
      return regexPred(f, pattern, ci, src(literal, ctx), ctx, n);
    }
    case "strings.contains":
    case "strings.starts_with":
    case "strings.ends_with": {
      const f = a ? fieldRef(a, v, ctx) : null;
      if (f === null || b?.kind !== "string" || n.args.length !== 2) break;
      const value = foldLiteral(f, b.value);
      if (value === null) return opaque(src(n, ctx), `needle is not in ${f.fold} case: never found`, [f.field]);
      const kind = n.name === "strings.contains" ? "contains" : n.name === "strings.starts_with" ? "startswith" : "endswith";
      return mkPred(f.field, kind, [value], { caseSensitive: !(n.nocase || f.fold !== null) });
    }
    case "net.ip_in_range_cidr": {
      const f = a ? fieldRef(a, v, ctx) : null;
      if (f === null || f.fold !== null || b?.kind !== "string" || n.args.length !== 2) break;
      return mkPred(f.field, "cidr", [b.value]);
    }
  }
  return opaque(src(n, ctx), `function ${n.name}() has no equivalent predicate`, fieldsIn(n));
}

/** RE2 partial match; a regex that only tests a literal becomes eq/contains/startswith/endswith. */
function regexPred(f: FieldRef, source: string, nocase: boolean, written: string, ctx: Ctx, n: Node): Expr {
  const r = readRegex(source);
  const ci = nocase || r.caseInsensitive || f.fold !== null;
  if (f.fold !== null) {
    // Folding the input and matching case-insensitively agree only for a pattern already in that case.
    const folded = f.fold === "lower" ? source.toLowerCase() : source.toUpperCase();
    if (folded !== source) return opaque(src(n, ctx), `regex over ${f.fold}-cased input has ${f.fold === "lower" ? "upper" : "lower"}-case letters`, [f.field]);
  }
  if (r.literal !== null) {
    const preds = r.literal.map((t) => mkPred(f.field, t.kind === "eq" && t.values.length > 1 ? "in" : t.kind, t.values, { caseSensitive: !ci, origin: written }));
    return preds.length === 1 ? preds[0] : or(...preds);
  }
  return mkPred(f.field, "regex", [r.pattern], { caseSensitive: !ci });
}

function mkPred(field: string, kind: PredKind, values: Value[], extra: Partial<Predicate> = {}): Predicate {
  const p = pred(field, kind, values, extra);
  const numeric = values.length > 0 && values.every((x) => typeof x === "string" && /^\d+$/.test(x));
  // Windows event ids (`metadata.product_event_type = "4688"`) select a log source; CloudTrail event names do not.
  if (SCOPE_FIELDS.has(field) || (field === "metadata.product_event_type" && numeric)) p.scope = true;
  return p;
}

/** `f = "a" or f = "b"` → `f in ["a", "b"]`; same-kind string tests on one field share a predicate. */
function mergeAlternatives(e: Expr): Expr {
  switch (e.type) {
    case "and":
      return { type: "and", args: e.args.map(mergeAlternatives) };
    case "not":
      return { type: "not", arg: mergeAlternatives(e.arg) };
    case "quant":
      return { ...e, cond: mergeAlternatives(e.cond) };
    case "or": {
      const out: Expr[] = [];
      // Merged predicates are built in place (values deduplicated through a set) so long chains stay linear.
      const groups = new Map<string, { at: number; seen: Set<string>; origins: string[] }>();
      for (const a of e.args.map(mergeAlternatives)) {
        const key = mergeKey(a);
        const g = key === null ? undefined : groups.get(key);
        if (key === null || g === undefined || a.type !== "pred") {
          if (key !== null && a.type === "pred") {
            groups.set(key, { at: out.length, seen: new Set(a.values.map((x) => JSON.stringify(x))), origins: a.origin ? [a.origin] : [] });
            out.push({ ...a, values: [...a.values] });
          } else out.push(a);
          continue;
        }
        const prev = out[g.at] as Predicate;
        if (prev.kind === "eq") prev.kind = "in";
        for (const x of a.values) {
          const k = JSON.stringify(x);
          if (!g.seen.has(k)) {
            g.seen.add(k);
            prev.values.push(x);
          }
        }
        if (a.origin) g.origins.push(a.origin);
      }
      for (const g of groups.values()) if (g.origins.length > 1) (out[g.at] as Predicate).origin = g.origins.join(" | ");
      return out.length === 1 ? out[0] : { type: "or", args: out };
    }
    default:
      return e;
  }
}

function mergeKey(e: Expr): string | null {
  if (e.type !== "pred" || e.valuesFrom !== undefined || e.all || e.field === null) return null;
  if (!["eq", "in", "contains", "startswith", "endswith", "regex", "cidr"].includes(e.kind)) return null;
  const kind = e.kind === "in" ? "eq" : e.kind;
  return JSON.stringify([e.field, kind, e.caseSensitive ?? null, e.scope ?? false]);
}

// ---- condition section and aggregation --------------------------------------------

interface ConditionReading {
  primary: string | undefined;
  /** Event variables ORed at the top of the condition (`$e1 or $e2`). */
  alternatives: string[];
  thresholds: string[];
  absent: string[];
  text: string;
}

function readCondition(rule: Rule, ctx: Ctx): ConditionReading {
  const reading: ConditionReading = { primary: undefined, alternatives: [], thresholds: [], absent: [], text: "" };
  reading.text = rule.condition.map((c) => src(c, ctx)).join(" and ");
  const isEvent = (name: string) => ctx.eventVars.includes(name);
  const visit = (n: Node, negated: boolean): void => {
    if (n.kind === "var" && isEvent(n.name)) {
      if (negated) reading.absent.push(n.name);
      else reading.primary ??= n.name;
    } else if (n.kind === "count" && isEvent(`$${n.name.slice(1)}`)) {
      if (!negated) reading.primary ??= `$${n.name.slice(1)}`;
    } else if (n.kind === "not") visit(n.arg, !negated);
    for (const c of n.kind === "not" ? [] : children(n)) visit(c, negated);
  };
  for (const c of rule.condition) {
    visit(c, false);
    for (const part of flattenAnd(c)) {
      if (part.kind === "compare" && (part.left.kind === "count" || part.left.kind === "var")) {
        if (part.left.kind === "var" && isEvent(part.left.name)) continue;
        reading.thresholds.push(src(part, ctx));
      }
      if (part.kind === "or" && part.args.every((a) => a.kind === "var" && isEvent(a.name))) {
        reading.alternatives = part.args.map((a) => (a as { name: string }).name);
      }
    }
  }
  return reading;
}

function usesGraph(n: Node, v: string): boolean {
  if (n.kind === "path" && n.variable === v && "name" in n.segments[0] && n.segments[0].name === "graph") return true;
  return children(n).some((c) => usesGraph(c, v));
}

function keyFor(placeholder: string, ctx: Ctx): string {
  const fields = new Set((ctx.bindings.get(placeholder) ?? []).map((b) => b.field));
  if (fields.size === 1) {
    const [f] = fields;
    if (f !== null) return f;
  }
  return placeholder;
}

function buildAggregation(
  rule: Rule,
  ctx: Ctx,
  trees: Map<string, Expr>,
  cond: ConditionReading,
  primary: string | undefined,
  directJoins: string[],
  orderings: string[],
): Aggregation | undefined {
  const multi = ctx.eventVars.length > 1;
  if (!multi && !rule.match && cond.thresholds.length === 0) return undefined;
  const by: string[] = [];
  const add = (k: string) => {
    if (!by.includes(k)) by.push(k);
  };
  for (const m of rule.match?.variables ?? []) add(keyFor(m, ctx));
  const joinNotes: string[] = [];
  for (const [ph, list] of ctx.bindings) {
    const vars = new Set(list.map((b) => b.variable));
    if (vars.size > 1) add(keyFor(ph, ctx));
    if (keyFor(ph, ctx) === ph && (vars.size > 1 || rule.match?.variables.includes(ph))) joinNotes.push(list.map((b) => b.text).join(", "));
  }
  directJoins.forEach(add);

  const notes: string[] = [];
  if (multi) notes.push(`primary event ${primary}: the top-level condition is its filter`);
  const graph = ctx.eventVars.filter((v) => rule.events.some((n) => usesGraph(n, v)));
  if (graph.length > 0) notes.push(`entity-graph context: ${graph.join(", ")} (fields under graph.)`);
  if (cond.alternatives.length > 1) notes.push(`condition is satisfied by any of ${cond.alternatives.join(", ")}`);
  if (cond.absent.length > 0) notes.push(`${cond.absent.join(", ")} must not occur`);
  if (rule.match?.windowKind) notes.push(`${rule.match.windowKind} window${rule.match.modifier ? ` ${rule.match.modifier}` : ""}`);
  if (orderings.length > 0) notes.push(`order: ${orderings.join("; ")}`);
  if (joinNotes.length > 0) notes.push(`bindings: ${joinNotes.join("; ")}`);
  const outcomeThresholds = cond.thresholds.filter((t) => t.startsWith("$"));
  for (const o of rule.outcome) if (outcomeThresholds.some((t) => new RegExp(`^\\${o.name}\\b`).test(t))) notes.push(`${o.name} = ${src(o.expr, ctx)}`);
  if (rule.match) notes.push("match variables exclude events where the key is empty");
  notes.push(`condition: ${cond.text}`);

  const agg: Aggregation = { kind: multi ? "join" : cond.thresholds.length > 0 ? "threshold" : "stats" };
  if (by.length > 0) agg.by = by;
  if (rule.match?.window) agg.window = rule.match.window;
  if (cond.thresholds.length > 0) {
    const single = !multi && cond.thresholds.length === 1 && /^#\w+\s*(>=|<=|>|<|=|!=)/.test(cond.thresholds[0]);
    agg.threshold = single ? cond.thresholds[0].replace(/^#\w+\s*/, "") : cond.thresholds.join(" and ");
  }
  if (multi) agg.events = ctx.eventVars.map((v) => ({ name: v, condition: trees.get(v) ?? T }));
  agg.note = notes.join("; ");
  return agg;
}

// ---- output fields ----------------------------------------------------------------

const FIELD_AGGREGATES = new Set(["array_distinct", "array", "max", "min", "earliest", "latest"]);

/** The event fields an outcome expression emits as they are (under array_distinct & co.), else []. */
function outcomeFields(e: Node, ctx: Ctx): string[] {
  if (e.kind === "call" && FIELD_AGGREGATES.has(e.name) && e.args.length === 1) return outcomeFields(e.args[0], ctx);
  if (e.kind === "path") return [fieldPath(e.segments)];
  if (e.kind === "var") return boundFields(e.name, ctx);
  return [];
}

function outcomeField(e: Node, ctx: Ctx): boolean {
  return outcomeFields(e, ctx).length > 0;
}

/** Every field a placeholder is bound to, in binding order. */
function boundFields(placeholder: string, ctx: Ctx): string[] {
  const out: string[] = [];
  for (const b of ctx.bindings.get(placeholder) ?? []) if (b.field !== null && !out.includes(b.field)) out.push(b.field);
  return out;
}

function outputFields(rule: Rule, ctx: Ctx): string[] {
  const out: string[] = [];
  const add = (fields: string[]) => {
    for (const f of fields) if (!out.includes(f)) out.push(f);
  };
  for (const o of rule.outcome) add(outcomeFields(o.expr, ctx));
  for (const m of rule.match?.variables ?? []) add(boundFields(m, ctx));
  return out;
}
