// Sigma `detection` block → normalized condition. Each search identifier
// compiles to an Expr (map → AND of field items, list → OR, field-less
// values → keyword search); the condition expression is then parsed and the
// identifiers substituted into it.
import { isMap, isScalar, isSeq, type Node, type Pair } from "yaml";
import { type Aggregation, type Expr, type Predicate, type Value, and, not, opaque, or, pred } from "../../model/expr.js";
import { ConditionError, type CondNode, expandPattern, parseCondition, splitAggregation } from "./condition.js";
import { HANDLERS, type ItemState, type Scalar, type Val, startState } from "./modifiers.js";
import { scalarValue } from "./scalar.js";
import { classify, parseSigmaString, wrapAny } from "./values.js";

/** Where a problem is, as a source offset; the caller turns it into a line. */
export type Reporter = (level: "error" | "warning" | "info", code: string, message: string, offset?: number) => void;

export interface DetectionResult {
  condition: Expr;
  aggregation?: Aggregation;
  /** Fields the detection reads, in order of first use. */
  fields: string[];
  /** Identifier name → compiled expression (for correlation and tests). */
  identifiers: Map<string, Expr>;
}

/**
 * Fields that select the log source rather than behaviour. A Sigma rule
 * names its source in `logsource`; when its detection also tests these, the
 * test restates the source, so they are always marked scope.
 */
export const SCOPE_FIELDS = new Set(["EventID", "Channel", "Provider_Name"]);

const RESERVED = new Set(["condition", "timeframe"]);

export function compileDetection(det: unknown, report: Reporter): DetectionResult {
  const fields: string[] = [];
  const identifiers = new Map<string, Expr>();
  if (!isMap(det)) {
    report("error", "sigma.detection", "'detection' must be a map of search identifiers and a condition", offsetOf(det));
    return { condition: opaque("detection", "detection is not a map"), fields, identifiers };
  }
  const sources = new Map<string, Node | null>();
  let conditionNode: Node | null = null;
  let timeframe: string | undefined;
  for (const p of det.items as Pair<unknown, unknown>[]) {
    const key = isScalar(p.key) ? String(p.key.value) : String(p.key);
    if (key === "condition") conditionNode = (p.value as Node) ?? null;
    else if (key === "timeframe") timeframe = isScalar(p.value) ? String(p.value.value) : undefined;
    else {
      if (sources.has(key)) report("warning", "sigma.duplicate-identifier", `search identifier '${key}' is defined twice; the later one is used`, offsetOf(p.key));
      sources.set(key, (p.value as Node) ?? null);
    }
  }
  const seenField = new Set<string>();
  const ctx: IdCtx = {
    report,
    useField: (f) => {
      if (!seenField.has(f)) {
        seenField.add(f);
        fields.push(f);
      }
    },
  };
  for (const [name, node] of sources) identifiers.set(name, compileIdentifier(name, node, ctx));

  const conditions = conditionTexts(conditionNode, report);
  if (conditions.length === 0) {
    report("error", "sigma.condition", "detection has no condition", offsetOf(det));
    return { condition: opaque("", "no condition"), fields, identifiers };
  }
  const names = [...identifiers.keys()];
  const exprs: Expr[] = [];
  let aggregation: Aggregation | undefined;
  for (const c of conditions) {
    const { search, aggregation: agg } = splitAggregation(c.text);
    exprs.push(translateCondition(search, c.offset, names, identifiers, report));
    if (agg !== null) aggregation = legacyAggregation(agg, timeframe, names, identifiers, c.offset, report);
  }
  if (!aggregation && timeframe !== undefined) {
    report("warning", "sigma.timeframe", `'timeframe: ${timeframe}' without an aggregation has no effect`, offsetOf(det));
  }
  const condition = exprs.length === 1 ? exprs[0] : or(...exprs);
  return aggregation ? { condition, aggregation, fields, identifiers } : { condition, fields, identifiers };
}

interface IdCtx {
  report: Reporter;
  useField(f: string): void;
}

function offsetOf(n: unknown): number | undefined {
  const r = (n as { range?: [number, number, number] } | null)?.range;
  return r ? r[0] : undefined;
}

function conditionTexts(node: Node | null, report: Reporter): { text: string; offset?: number }[] {
  if (node === null) return [];
  if (isScalar(node)) return [{ text: String(node.value ?? ""), offset: offsetOf(node) }];
  if (isSeq(node)) {
    const out: { text: string; offset?: number }[] = [];
    for (const it of node.items) {
      if (isScalar(it)) out.push({ text: String(it.value ?? ""), offset: offsetOf(it) });
      else report("error", "sigma.condition", "a condition list holds only strings", offsetOf(it));
    }
    return out;
  }
  report("error", "sigma.condition", "'condition' must be a string or a list of strings", offsetOf(node));
  return [];
}

// ---------------------------------------------------------------- identifiers

function compileIdentifier(name: string, node: Node | null, ctx: IdCtx): Expr {
  if (isMap(node)) return fieldMap(name, node.items as Pair<unknown, unknown>[], ctx);
  if (isSeq(node)) {
    const keywords: Scalar[] = [];
    const branches: Expr[] = [];
    for (const it of node.items) {
      if (isScalar(it)) keywords.push(scalarValue(it));
      else if (isMap(it)) branches.push(fieldMap(name, it.items as Pair<unknown, unknown>[], ctx));
      else {
        ctx.report("error", "sigma.identifier", `'${name}': list items must be values or maps`, offsetOf(it));
        branches.push(opaque(name, "list item is neither a value nor a map"));
      }
    }
    if (keywords.length > 0) branches.unshift(fieldItem(name, null, [], keywords, "", offsetOf(node), ctx));
    if (branches.length === 0) {
      ctx.report("warning", "sigma.identifier", `'${name}' is an empty list`, offsetOf(node));
      return opaque(name, "empty search identifier");
    }
    return branches.length === 1 ? branches[0] : or(...branches);
  }
  if (isScalar(node) && node.value !== null) {
    return fieldItem(name, null, [], [scalarValue(node)], "", offsetOf(node), ctx);
  }
  ctx.report("error", "sigma.identifier", `'${name}' has no search definition`, offsetOf(node));
  return opaque(name, "empty search identifier");
}

function fieldMap(name: string, pairs: Pair<unknown, unknown>[], ctx: IdCtx): Expr {
  if (pairs.length === 0) {
    ctx.report("warning", "sigma.identifier", `'${name}' is an empty map`);
    return opaque(name, "empty search identifier");
  }
  const items = pairs.map((p) => {
    const key = isScalar(p.key) ? String(p.key.value ?? "") : String(p.key);
    const [field, ...mods] = key.split("|");
    const off = offsetOf(p.key);
    const v = p.value;
    let values: Scalar[];
    if (v === null || v === undefined) values = [null];
    else if (isScalar(v)) values = [scalarValue(v)];
    else if (isSeq(v) && v.items.every((x) => isScalar(x))) values = v.items.map((x) => scalarValue(x as never));
    else {
      ctx.report("error", "sigma.value", `'${key}' must hold a value or a list of values`, off);
      return opaque(key, "nested structure where a value was expected");
    }
    return fieldItem(name, field === "" ? null : field, mods, values, key, off, ctx);
  });
  return items.length === 1 ? items[0] : and(...items);
}

/** One `field|mod|mod: values` item (field null: keyword search). */
function fieldItem(
  origin: string,
  field: string | null,
  mods: string[],
  values: Scalar[],
  key: string,
  offset: number | undefined,
  ctx: IdCtx,
): Expr {
  // The item as written, for opaque nodes only: built on demand (value lists can be long).
  const text = (): string => `${key || "keywords"}: ${JSON.stringify(values.length === 1 ? values[0] : values)}`;
  if (field !== null) ctx.useField(field);
  if (values.length === 0) {
    ctx.report("warning", "sigma.value", `'${key}' has an empty value list`, offset);
    return opaque(text(), "empty value list", field ? [field] : undefined);
  }
  const st = startState(values, parseSigmaString);
  for (const m of mods) {
    const h = Object.hasOwn(HANDLERS, m) ? HANDLERS[m] : undefined;
    if (!h) {
      ctx.report("error", "sigma.unknown-modifier", `unknown value modifier '${m}' in '${key}'`, offset);
      return opaque(text(), `unknown modifier '${m}'`, field ? [field] : undefined);
    }
    const err = h(st);
    if (err) {
      ctx.report("error", "sigma.modifier", `${err} ('${key}')`, offset);
      return opaque(text(), err, field ? [field] : undefined);
    }
  }
  if (st.opaque) {
    ctx.report("warning", "sigma.untranslatable", `${st.opaque} ('${key}')`, offset);
    return opaque(text(), st.opaque, field ? [field] : undefined);
  }
  return buildItem(origin, field, st, text, offset, ctx);
}

type Alt = Predicate | Expr;

function buildItem(origin: string, field: string | null, st: ItemState, text: () => string, offset: number | undefined, ctx: IdCtx): Expr {
  const scope = field !== null && SCOPE_FIELDS.has(field);
  const alt = (v: Val): Alt => toPredicate(origin, field, v, st, scope, text, offset, ctx);
  let expr: Expr;
  if (!st.all || st.neq) {
    expr = anyOf(st.groups.flatMap((g) => g.map(alt)), false);
  } else if (st.groups.every((g) => g.length === 1)) {
    expr = anyOf(st.groups.map((g) => alt(g[0])), true);
  } else {
    const parts = st.groups.map((g) => anyOf(g.map(alt), false));
    expr = parts.length === 1 ? parts[0] : and(...parts);
  }
  return st.neq ? not(expr) : expr;
}

/** Merges same-shaped predicates into one multi-valued predicate; `all`: AND instead of OR. */
function anyOf(alts: Alt[], all: boolean): Expr {
  const merged: Expr[] = [];
  const byKey = new Map<string, Predicate>();
  for (const a of alts) {
    if (a.type !== "pred") {
      merged.push(a);
      continue;
    }
    const key = `${a.kind}\u0000${a.caseSensitive}\u0000${a.regexFlags ?? ""}\u0000${a.valuesFrom ?? ""}`;
    const prev = byKey.get(key);
    if (prev && a.valuesFrom === undefined) {
      if (a.kind !== "is_null" && a.kind !== "is_not_null") prev.values.push(...a.values);
      continue;
    }
    byKey.set(key, a);
    merged.push(a);
  }
  for (const m of merged) {
    if (m.type !== "pred") continue;
    if (m.kind === "eq" && m.values.length > 1) m.kind = "in";
    if (all && m.values.length > 1) m.all = true;
  }
  if (merged.length === 1) return merged[0];
  return all ? and(...merged) : or(...merged);
}

const PLACEHOLDER = /^%[^%]+%$/;
const INLINE_FLAGS = /^\(\?([imsx]+)\)/;

function toPredicate(
  origin: string,
  field: string | null,
  v: Val,
  st: ItemState,
  scope: boolean,
  text: () => string,
  offset: number | undefined,
  ctx: IdCtx,
): Alt {
  const extra: Partial<Predicate> = { origin };
  if (scope) extra.scope = true;
  const str = (kind: Predicate["kind"], values: Value[], more: Partial<Predicate> = {}): Predicate =>
    pred(field, kind, values, { caseSensitive: st.cased, ...more, ...extra });
  switch (v.t) {
    case "str": {
      // A keyword is a full-text search: it matches anywhere in the event.
      const parts = field === null ? wrapAny(v.parts, true, true) : v.parts;
      const c = classify(parts);
      if (st.expand && c.value.includes("%")) {
        if (c.kind !== "wildcard" && PLACEHOLDER.test(c.value)) return str(c.kind, [], { valuesFrom: c.value });
        ctx.report("warning", "sigma.placeholder", `placeholder inside a longer value cannot be expanded (${text()})`, offset);
        return opaque(text(), "placeholder (|expand) inside a longer value needs a user mapping", field ? [field] : undefined);
      }
      return str(c.kind, [c.value]);
    }
    case "num":
      if (field === null) return str("contains", [String(v.v)]);
      return pred(field, "eq", [v.v], extra);
    case "bool":
      return pred(field, "eq", [v.v], extra);
    case "null":
      return pred(field, "is_null", [], extra);
    case "exists":
      return pred(field, v.v ? "is_not_null" : "is_null", [], extra);
    case "re": {
      let source = v.source;
      let flags = st.reFlags;
      const inline = INLINE_FLAGS.exec(source);
      if (inline) {
        source = source.slice(inline[0].length);
        for (const f of inline[1]) if (!flags.includes(f)) flags += f;
      }
      const regexFlags = [...flags].filter((f) => f === "m" || f === "s").sort().join("");
      const more: Partial<Predicate> = { caseSensitive: !flags.includes("i"), ...extra };
      if (regexFlags) more.regexFlags = regexFlags;
      if (flags.includes("x")) {
        ctx.report("warning", "sigma.regex", "inline (?x) flag is not supported", offset);
        return opaque(text(), "regex with (?x) extended syntax", field ? [field] : undefined);
      }
      return pred(field, "regex", [source], more);
    }
    case "cidr":
      return pred(field, "cidr", [v.net], extra);
    case "cmp":
      return pred(field, v.op, [v.v], extra);
    case "fieldref":
      ctx.useField(v.field);
      return str("fieldref", [v.field]);
  }
}

// ---------------------------------------------------------------- condition

function translateCondition(
  text: string,
  offset: number | undefined,
  names: string[],
  ids: Map<string, Expr>,
  report: Reporter,
): Expr {
  let tree: CondNode;
  try {
    tree = parseCondition(text);
  } catch (e) {
    const pos = e instanceof ConditionError ? e.pos : 0;
    report("error", "sigma.condition-syntax", `${(e as Error).message} in condition '${text.trim()}'`, offset === undefined ? undefined : offset + pos);
    return opaque(text.trim(), `condition does not parse: ${(e as Error).message}`);
  }
  const used = new Map<string, number>();
  const get = (name: string): Expr => {
    const e = ids.get(name) as Expr;
    const n = (used.get(name) ?? 0) + 1;
    used.set(name, n);
    // Identifiers used twice get their own copy so no tree node is shared.
    return n === 1 ? e : structuredClone(e);
  };
  const walk = (n: CondNode): Expr => {
    switch (n.t) {
      case "id":
        if (!ids.has(n.name)) {
          report("error", "sigma.undefined-identifier", `condition names '${n.name}', which the detection does not define`, offset);
          return opaque(n.name, `undefined search identifier '${n.name}'`);
        }
        return get(n.name);
      case "of": {
        const hits = expandPattern(n.pattern, names);
        const src = `${n.quant === "any" ? 1 : n.quant} of ${n.pattern}`;
        if (hits.length === 0) {
          report("error", "sigma.undefined-identifier", `'${src}' matches no search identifier`, offset);
          return opaque(src, `'${src}' matches no search identifier`);
        }
        if (typeof n.quant === "number") {
          report("warning", "sigma.condition", `'${src}' (at least ${n.quant}) is not part of Sigma v2`, offset);
          return opaque(src, `at least ${n.quant} of ${hits.length} identifiers`);
        }
        const args = hits.map(get);
        if (args.length === 1) return args[0];
        return n.quant === "all" ? and(...args) : or(...args);
      }
      case "and":
        return and(...n.args.map(walk));
      case "or":
        return or(...n.args.map(walk));
      case "not":
        return not(walk(n.arg));
    }
  };
  return walk(tree);
}

const LEGACY_AGG = /^(count|min|max|avg|sum)\(\s*([^)]*?)\s*\)\s*(?:by\s+(.+?))?\s*(<=|>=|==|=|<|>)\s*(\S+)$/i;

/** Legacy (pre-correlation) `| count() by x > n` and `| near ...` clauses. */
function legacyAggregation(
  text: string,
  timeframe: string | undefined,
  names: string[],
  ids: Map<string, Expr>,
  offset: number | undefined,
  report: Reporter,
): Aggregation {
  const win = timeframe !== undefined ? { window: timeframe } : {};
  const m = LEGACY_AGG.exec(text);
  if (m) {
    const [, fn, arg, by, op, n] = m;
    const f = fn.toLowerCase();
    const agg: Aggregation = {
      kind: f === "count" ? "threshold" : "stats",
      threshold: `${f}(${arg}) ${op} ${n}`,
      ...win,
      note: `legacy Sigma aggregation: ${text}${f === "count" && arg ? ` (distinct values of ${arg})` : ""}`,
    };
    if (by) agg.by = by.split(",").map((s) => s.trim());
    return agg;
  }
  const near = /^near\s+(.+)$/i.exec(text);
  if (near) {
    const events = [{ name: "near", condition: translateCondition(near[1], offset, names, ids, report) }];
    return { kind: "correlation", ...win, events, note: `legacy Sigma 'near': the search and '${near[1]}' must both occur within the timeframe` };
  }
  report("warning", "sigma.aggregation", `aggregation '${text}' is not understood`, offset);
  return { kind: "stats", ...win, note: `untranslated aggregation: ${text}` };
}

