import { F, T, pred, type Expr } from "../../model/expr.js";
import { regexTest } from "../../model/match/regex.js";
import type { PyNode } from "./ast.js";
import { withNull } from "./compare.js";
import { fieldName, mkAnd, mkNot, mkOr, mkQuant } from "./exprs.js";
import type { Frame, Interp } from "./interp.js";
import { botCond, stripBot, truthy } from "./interp.js";
import { reEscape, type FieldType } from "./predicates.js";
import { ipAddress, ipNetwork } from "./ipaddr.js";
import { lenOfGen, setOfValue } from "./sets.js";
import { BOT, FALSE_V, JSON_STEP, NONE, TRUE_V, bool, cond, fromJson, num, opq, str, type SymVal } from "./values.js";


const RE_FLAGS: Record<string, number> = { I: 2, IGNORECASE: 2, M: 8, MULTILINE: 8, S: 16, DOTALL: 16, X: 64, VERBOSE: 64, A: 256, ASCII: 256, U: 32, UNICODE: 32 };

/** Standard-library names the evaluator understands; undefined = unknown library. */
export function moduleMember(mod: string, name: string): SymVal | undefined {
  if (mod === "re") {
    if (name in RE_FLAGS) return num(RE_FLAGS[name]);
    if (["search", "match", "fullmatch", "findall", "compile"].includes(name)) return { k: "builtin", name: `re.${name}` };
    return undefined;
  }
  if (mod === "ipaddress" && (name === "ip_address" || name === "ip_network" || name === "IPv4Address" || name === "IPv4Network")) {
    return { k: "builtin", name: name.endsWith("ddress") ? "ipaddress.ip_address" : "ipaddress.ip_network" };
  }
  if (mod === "json" && name === "loads") return { k: "builtin", name: "json.loads" };
  // Rules test `isinstance(CONFIG, MagicMock)` to read a test's mocked config; see isinstanceOf.
  if (mod === "unittest.mock" && name === "MagicMock") return { k: "builtin", name: "MagicMock" };
  if (mod === "fnmatch" && (name === "fnmatch" || name === "fnmatchcase")) return { k: "builtin", name: "fnmatch" };
  // Panther wraps the event's lists in ImmutableList: a field holding a list is one, a literal list is not.
  if (mod === "panther_core.immutable" && name === "ImmutableList") return { k: "builtin", name };
  if (mod === "typing" || mod === "collections.abc" || mod === "collections") {
    return { k: "builtin", name };
  }
  return undefined;
}

export function builtinCall(it: Interp, name: string, args: SymVal[], kw: Map<string, SymVal>, n: PyNode, _frame: Frame): SymVal {
  if (name.startsWith("re.")) return regexCall(it, name, args, kw, n);
  const a0 = args[0];
  switch (name) {
    case "any":
    case "all":
      return a0 ? it.lift1(a0, (v) => quantCall(it, name, v, n)) : BOT;
    case "ipaddress.ip_address":
      return a0 ? it.lift1(a0, (v) => ipAddress(it, v, n)) : BOT;
    case "ipaddress.ip_network":
      // A field may hold a CIDR ("0.0.0.0/0"): network properties of a field are not cidr predicates.
      return a0 ? ipNetwork(a0, n) : BOT;
    case "json.loads":
      return a0 ? it.lift1(a0, (v) => jsonLoads(it, v, n)) : BOT;
    case "len": {
      if (!a0) return BOT;
      return it.lift1(a0, (v) => {
        if (v.k === "str") return num([...v.v].length);
        if (v.k === "seq") return num(v.items.length);
        if (v.k === "dict") return num(v.keys.length);
        if (v.k === "bot") return BOT;
        if (v.k === "field" && !v.json && v.path.length > 0) return { k: "len", of: v };
        if (v.k === "gen") return lenOfGen(it, v, n);
        if (v.k === "opq" && v.minLen !== undefined) return { k: "opq", text: n.text, reason: "len() of a list of unknown length", minLen: v.minLen };
        return opq(n.text, "len() of an event value");
      });
    }
    case "isinstance":
      if (!a0 || !args[1]) return BOT;
      return it.lift1(a0, (v) => isinstanceOf(it, v, args[1], n));
    case "bool":
      return a0 ? it.lift1(a0, (v) => (v.k === "bot" ? BOT : cond(truthy(v)))) : bool(false);
    case "str":
      if (!a0) return str("");
      return it.lift1(a0, (v) => strOf(it, v, n));
    case "int":
    case "float":
      if (!a0) return num(0);
      return it.lift1(a0, (v) => {
        if (v.k === "num") return num(name === "int" ? Math.trunc(v.v) : v.v);
        if (v.k === "bool") return num(Number(v.v));
        if (v.k === "str") return /^\s*[-+]?\d+(\.\d+)?\s*$/.test(v.v) && (name === "float" || /^\s*[-+]?\d+\s*$/.test(v.v)) ? num(Number(v.v)) : BOT;
        if (v.k === "bot" || v.k === "none") return BOT;
        // float() of a numeric field is the field (int() would truncate).
        if (name === "float" && v.k === "field" && v.tx.length === 0 && v.path.length > 0 && it.typeOf(v.base, v.path) === "num") {
          return { ...v, nullv: v.nullv.k === "num" ? v.nullv : BOT };
        }
        // int() of a field holding integer text or integers: compared through intText.ts.
        if (name === "int" && v.k === "field" && v.tx.length === 0 && !v.json && v.path.length > 0 && numOrStrSeen(it.typesSeen(v.base, v.path))) {
          const nv = v.nullv;
          const nullv = nv.k === "num" ? num(Math.trunc(nv.v)) : nv.k === "bool" ? num(Number(nv.v)) : nv.k === "none" || nv.k === "bot" ? BOT : opq(n.text, "int() of a default");
          return { ...v, tx: [{ op: "int" }], nullv };
        }
        return opq(n.text, `${name}() of an event value`);
      });
    case "set":
    case "list":
    case "tuple":
    case "frozenset": {
      if (!a0) return { k: "seq", kind: name === "frozenset" ? "set" : name, items: [] };
      const items = it.iterItems(a0);
      if (items && items.every((i) => i.g.type === "true")) return { k: "seq", kind: name === "frozenset" ? "set" : name, items: items.map((i) => i.v) };
      if (name === "set" || name === "frozenset") {
        const s = it.lift1(a0, (v) => setOfValue(it, v, n) ?? opq(n.text, `${name}() of an event value`));
        return s;
      }
      return opq(n.text, `${name}() of an event value`);
    }
    case "dict":
      if (!a0) return { k: "dict", keys: [...kw.keys()].map(str), vals: [...kw.values()] };
      if (a0.k === "dict") return a0;
      return opq(n.text, "dict() of an event value");
    case "range": {
      const nums = args.map((a) => (a.k === "num" ? a.v : Number.NaN));
      if (nums.some(Number.isNaN)) return opq(n.text, "range of computed bounds");
      const [s, e] = nums.length === 1 ? [0, nums[0]] : [nums[0], nums[1]];
      if (e - s > 500) return opq(n.text, "large range");
      return { k: "seq", kind: "list", items: Array.from({ length: Math.max(0, e - s) }, (_, i) => num(s + i)) };
    }
    case "fnmatch":
      return fnmatchCall(it, args, n);
    case "hasattr":
      return a0 && args[1] ? it.lift1(a0, (v) => hasAttr(v, args[1], n)) : BOT;
    default:
      return opq(n.text, `builtin ${name}()`);
  }
}

/** json.loads(field) is a path step; the parsed value is read through it. */
function jsonLoads(it: Interp, v: SymVal, n: PyNode): SymVal {
  // json.loads of None, a number or a container raises TypeError.
  if (v.k === "none" || v.k === "bot" || v.k === "num" || v.k === "bool" || v.k === "dict" || v.k === "seq") return BOT;
  if (v.k === "str") {
    try {
      return fromJson(JSON.parse(v.v));
    } catch {
      return BOT;
    }
  }
  if (v.k === "field" && v.tx.length === 0 && !v.json && v.path.length > 0) {
    const parsed: SymVal = { k: "field", base: v.base, path: [...v.path, JSON_STEP], tx: [], nullv: BOT };
    const nullCase = jsonLoads(it, v.nullv, n);
    return nullCase.k === "bot" ? parsed : it.ite(pred(fieldName(v.base, v.path), "eq", [null]), nullCase, parsed);
  }
  return opq(n.text, "json.loads of a computed value");
}

function quantCall(it: Interp, name: "any" | "all", a0: SymVal | undefined, n: PyNode): SymVal {
  if (!a0) return BOT;
  if (a0.k === "seq") {
    // A list literal is built before any()/all() runs: an element that raised makes the call raise.
    const raised = mkOr(...a0.items.map(botCond));
    const ts = a0.items.map((i) => truthy(stripBot(i)));
    const r = cond(name === "any" ? mkOr(...ts) : mkAnd(...ts));
    return raised.type === "false" ? r : it.ite(raised, BOT, r);
  }
  if (a0.k === "gen") {
    // A generator is consumed left to right: an element raises only if no earlier one decided.
    let r: SymVal = name === "any" ? FALSE_V : TRUE_V;
    for (let i = a0.items.length - 1; i >= 0; i--) {
      const { g, v } = a0.items[i];
      const t = truthy(stripBot(v));
      const decided: SymVal = name === "any" ? it.ite(t, TRUE_V, r) : it.ite(t, r, FALSE_V);
      const step = it.ite(botCond(v), BOT, decided);
      r = it.ite(g, step, r);
    }
    return r;
  }
  if (a0.k === "qgen") {
    const over = fieldName(a0.over.base, a0.over.path);
    const body = name === "any" ? mkAnd(a0.g, truthy(stripBot(a0.v))) : mkOr(mkNot(a0.g), truthy(stripBot(a0.v)));
    return cond(mkQuant(name, over, a0.base, body, pred(over, "is_not_null")));
  }
  if (a0.k === "field" && a0.tx.length === 0 && !a0.json) {
    const over = fieldName(a0.base, a0.path);
    const base = it.newBase(a0);
    const el = truthy({ k: "field", base, path: [], tx: [], nullv: NONE });
    return cond(mkQuant(name, over, base, el, pred(over, "is_not_null")));
  }
  if (a0.k === "bot") return BOT;
  return opq(n.text, `${name}() of a computed value`);
}

const TYPE_OF: Record<string, FieldType[]> = {
  str: ["str"],
  int: ["num"],
  float: ["num"],
  bool: ["bool"],
  list: ["list"],
  /** Only event lists (fields); a literal or default list is a plain list (see isinstanceOf's seq case). */
  ImmutableList: ["list"],
  tuple: [],
  set: [],
  frozenset: [],
  dict: ["dict"],
  Mapping: ["dict"],
  MutableMapping: ["dict"],
  Sequence: ["list", "str"],
  bytes: [],
};

function typeNames(t: SymVal): string[] | null {
  if (t.k === "builtin" && !t.self) return [t.name];
  if (t.k === "seq") {
    const out: string[] = [];
    for (const i of t.items) {
      const x = typeNames(i);
      if (!x) return null;
      out.push(...x);
    }
    return out;
  }
  return null;
}

function isinstanceOf(it: Interp, v: SymVal, t: SymVal, n: PyNode): SymVal {
  const names = typeNames(t);
  // Only the test harness makes MagicMocks: no event value or constant is one. A mocked
  // name is opaque in the tests that mock it (Interp.mocked) and stays so here.
  if (names?.length === 1 && names[0] === "MagicMock") return v.k === "opq" ? opq(n.text, v.reason) : v.k === "bot" ? BOT : FALSE_V;
  if (!names || names.some((x) => !(x in TYPE_OF))) return opq(n.text, "isinstance() with an unknown type");
  const accepts = (ft: FieldType): boolean => names.some((x) => TYPE_OF[x].includes(ft));
  switch (v.k) {
    case "none":
      return bool(false);
    case "str":
      return bool(accepts("str"));
    case "num":
      return bool(accepts("num") || (names.includes("float") && !Number.isInteger(v.v)));
    case "bool":
      return bool(accepts("bool") || names.includes("int"));
    case "seq":
      return bool(names.includes(v.kind) || (v.kind === "list" && names.includes("Sequence")));
    case "dict":
      return bool(accepts("dict"));
    case "cond":
      return bool(accepts("bool") || names.includes("int"));
    case "bot":
      return BOT;
    case "field": {
      if (v.tx.some((t) => t.op === "int")) return bool(accepts("num"));
      if (v.tx.length > 0) return bool(accepts("str"));
      if (v.json) return opq(n.text, "isinstance() of parsed JSON");
      const name = fieldName(v.base, v.path);
      const ft = it.typeOf(v.base, v.path);
      if (ft === undefined) {
        // A field seen both as a string and as an object: a regex matches only the string.
        const seen = it.typesSeen(v.base, v.path);
        if (seen && seen.length === 2 && seen.includes("str") && seen.includes("dict")) {
          const isStr = pred(name, "regex", ["^"]);
          const raw = accepts("str") && accepts("dict") ? T : accepts("str") ? isStr : accepts("dict") ? mkNot(isStr) : F;
          return withNull(it, v, raw, () => isinstanceOf(it, v.nullv, t, n));
        }
        return opq(n.text, "isinstance() of a field of unknown type");
      }
      const raw = accepts(ft) ? T : F;
      return withNull(it, v, raw, () => isinstanceOf(it, v.nullv, t, n));
    }
    default:
      return opq(n.text, "isinstance() of a computed value");
  }
}

/** Attributes every ipaddress address object has. */
const IP_ATTRS = new Set(["is_global", "is_private", "is_loopback", "is_link_local", "is_multicast", "is_reserved", "is_unspecified", "version", "exploded", "compressed", "max_prefixlen", "packed", "reverse_pointer"]);

/** `hasattr(x, "name")`: known only for ipaddress objects. */
function hasAttr(v: SymVal, a: SymVal, n: PyNode): SymVal {
  if (v.k === "bot") return BOT;
  if (a.k !== "str") return opq(n.text, "hasattr() with a computed name");
  if (v.k === "builtin" && v.name === "ipaddress.IP" && IP_ATTRS.has(a.v)) return bool(true);
  return opq(n.text, "builtin hasattr()");
}

/** The samples show strings or numbers, and nothing else. */
function numOrStrSeen(seen: FieldType[] | undefined): boolean {
  return !!seen && seen.length > 0 && seen.every((t) => t === "num" || t === "str");
}

/** The samples show numbers, and nothing but numbers and strings. */
function numOrStr(seen: FieldType[] | undefined): boolean {
  return !!seen && seen.includes("num") && seen.every((t) => t === "num" || t === "str");
}

function strOf(it: Interp, v: SymVal, n: PyNode): SymVal {
  switch (v.k) {
    case "str":
      return v;
    case "num":
      return str(String(v.v));
    case "bool":
      return str(v.v ? "True" : "False");
    case "none":
      return str("None");
    case "bot":
      return BOT;
    case "field": {
      if (v.tx.some((t) => t.op === "int")) return opq(n.text, "str() of int() of an event value");
      if (v.tx.length > 0) return v;
      const ft = it.typeOf(v.base, v.path);
      if (ft === "str") return { ...v, nullv: strOf(it, v.nullv, n) };
      if (!v.json && v.path.length > 0 && numOrStr(it.typesSeen(v.base, v.path))) return { ...v, tx: [{ op: "str" }], nullv: strOf(it, v.nullv, n) };
      return opq(n.text, "str() of a non-string field");
    }
    default:
      return opq(n.text, "str() of a computed value");
  }
}

/** re.search / match / fullmatch / compile, and compiled-pattern methods. */
export function regexCall(it: Interp, name: string, args: SymVal[], kw: Map<string, SymVal>, n: PyNode): SymVal {
  const [p, s] = args;
  const flagsV = args[name === "re.compile" ? 1 : 2] ?? kw.get("flags");
  let pattern: string;
  let flags = flagsV?.k === "num" ? flagsV.v : 0;
  if (p?.k === "regex") {
    pattern = p.pattern;
    flags |= p.flags;
  } else if (p?.k === "str") pattern = p.v;
  else return opq(n.text, "regex with a computed pattern");
  if (flagsV && flagsV.k !== "num") return opq(n.text, "regex with computed flags");
  if (name === "re.compile") return { k: "regex", pattern, flags };
  if (flags & 64) return opq(n.text, "verbose regex");
  if (!s) return BOT;
  const anchored = name === "re.match" ? `^(?:${pattern})` : name === "re.fullmatch" ? `^(?:${pattern})$` : pattern;
  const ci = (flags & 2) !== 0;
  const extra = `${flags & 8 ? "m" : ""}${flags & 16 ? "s" : ""}`;
  if (name === "re.findall") {
    // The list of matches is non-empty exactly when a search matches; its elements are not modelled.
    const matches: SymVal = { k: "opq", text: n.text, reason: "re.findall() matches", truth: true, minLen: 1 };
    return it.lift1(s, (sv) => it.lift1(regexOn(it, sv, pattern, ci, extra, n), (m) => (m.k === "bool" ? (m.v ? matches : EMPTY_LIST) : m.k === "cond" ? it.ite(m.e, matches, EMPTY_LIST) : m)));
  }
  if (name !== "re.search" && name !== "re.match" && name !== "re.fullmatch") return opq(n.text, `regex ${name}`);
  return it.lift1(s, (sv) => asMatch(it, regexOn(it, sv, anchored, ci, extra, n)));
}

const EMPTY_LIST: SymVal = { k: "seq", kind: "list", items: [] };

/** A match object: truthy and not None when the pattern matched, else None. */
const MATCH: SymVal = { k: "builtin", name: "re.Match" };
function asMatch(it: Interp, v: SymVal): SymVal {
  return it.lift1(v, (x) => {
    if (x.k === "bool") return x.v ? MATCH : NONE;
    if (x.k === "cond") return it.ite(x.e, MATCH, NONE);
    return x;
  });
}

function regexOn(it: Interp, s: SymVal, pattern: string, ci: boolean, flags: string, n: PyNode): SymVal {
  if (s.k === "str") {
    const r = regexTest(pattern, s.v, ci, flags, "python");
    return r === null ? opq(n.text, "regex the engine cannot run") : bool(r);
  }
  if (s.k === "none" || s.k === "num" || s.k === "bool" || s.k === "bot") return BOT;
  if (s.k === "field" && s.tx.length === 0 && !s.json) {
    const e: Expr = pred(fieldName(s.base, s.path), "regex", [pattern], { ...(ci ? { caseSensitive: false } : {}), ...(flags ? { regexFlags: flags } : {}) });
    return withNull(it, s, e, () => regexOn(it, s.nullv, pattern, ci, flags, n));
  }
  if (s.k === "field" && s.tx.every((t) => t.op === "lower" || t.op === "upper") && !s.json) {
    return opq(n.text, "regex on a case-transformed field");
  }
  return opq(n.text, "regex on a computed value");
}

/** Python fnmatch on POSIX: case-sensitive glob with `*`, `?` and `[...]`. */
function fnmatchCall(it: Interp, args: SymVal[], n: PyNode): SymVal {
  const [s, p] = args;
  if (p?.k !== "str") return opq(n.text, "fnmatch with a computed pattern");
  const glob = p.v;
  const hasClass = glob.includes("[");
  const toRegex = (): string => {
    let out = "";
    for (let i = 0; i < glob.length; i++) {
      const c = glob[i];
      if (c === "*") out += "[\\s\\S]*";
      else if (c === "?") out += "[\\s\\S]";
      else if (c === "[") {
        const j = glob.indexOf("]", i + 2);
        if (j < 0) out += "\\[";
        else {
          let cls = glob.slice(i + 1, j);
          if (cls.startsWith("!")) cls = `^${cls.slice(1)}`;
          out += `[${cls.replace(/\\/g, "\\\\")}]`;
          i = j;
        }
      } else out += reEscape(c);
    }
    return `^${out}$`;
  };
  return it.lift1(s ?? BOT, (sv) => {
    if (sv.k === "str") {
      const r = regexTest(toRegex(), sv.v, false, "", "python");
      return r === null ? opq(n.text, "fnmatch") : bool(r);
    }
    if (sv.k === "field" && sv.tx.length === 0 && !sv.json) {
      const name = fieldName(sv.base, sv.path);
      const e: Expr = hasClass
        ? pred(name, "regex", [toRegex()])
        : pred(name, "wildcard", [glob.replace(/\\/g, "\\\\")]);
      const nullCase = (): SymVal => (sv.nullv.k === "str" ? bool(regexTest(toRegex(), sv.nullv.v, false, "", "python") === true) : BOT);
      return withNull(it, sv, e, nullCase);
    }
    if (sv.k === "bot" || sv.k === "none") return BOT;
    return opq(n.text, "fnmatch on a computed value");
  });
}

