import { pred } from "../../model/expr.js";
import type { PyNode } from "./ast.js";
import { withNull } from "./compare.js";
import { fieldName } from "./exprs.js";
import type { Interp } from "./interp.js";
import { sameVal, stripBot, truthy } from "./interp.js";
import { regexCall } from "./builtins.js";
import { intersectConst } from "./sets.js";
import { splitInRange, strPred, type StrOp } from "./predicates.js";
import { mkAnd, mkNot } from "./exprs.js";
import { BOT, NONE, bool, constEq, isConst, num, opq, str, type SymVal, type Transform } from "./values.js";

type FieldVal = SymVal & { k: "field" };

/** `obj.name(args)`, and `obj[key]` as name "__getitem__". */
export function methodCall(it: Interp, self: SymVal, name: string, args: SymVal[], kw: Map<string, SymVal>, n: PyNode): SymVal {
  if (self.k === "bot" || args.some((a) => a.k === "bot")) return BOT;
  if (self.k === "ite") return it.lift1(self, (s) => methodCall(it, s, name, args, kw, n));
  const ai = args.findIndex((a) => a.k === "ite");
  if (ai >= 0) return it.lift1(args[ai], (a) => methodCall(it, self, name, args.map((x, i) => (i === ai ? a : x)), kw, n));
  if (self.k === "opq") return opq(n.text, self.reason);
  if (self.k === "field") return fieldMethod(it, self, name, args, kw, n);
  if (self.k === "str") return strMethod(self.v, name, args, n, kw);
  if (self.k === "dict") return dictMethod(it, self, name, args, n);
  if (self.k === "seq") return seqMethod(it, self, name, args, n);
  if (self.k === "regex") return regexCall(it, `re.${name}`, [self, ...args], kw, n);
  if (self.k === "none" || self.k === "num" || self.k === "bool" || self.k === "cond") return BOT;
  return opq(n.text, `method ${name} on a computed value`);
}

function key(v: SymVal): string | undefined {
  return v.k === "str" ? v.v : undefined;
}

function child(it: Interp, f: FieldVal, keys: string[], inner: SymVal, n: PyNode, outerNull: () => SymVal): SymVal {
  if (f.tx.length > 0) return BOT; // a string has no .get
  if (f.json) return opq(n.text, "key lookup in parsed JSON");
  const raw: SymVal = { k: "field", base: f.base, path: [...f.path, ...keys], tx: [], nullv: inner };
  if (f.path.length === 0) return raw;
  const nc = outerNull();
  if (sameVal(nc, inner)) return raw;
  return it.ite(pred(fieldName(f.base, f.path), "eq", [null]), nc, raw);
}

const STR_METHODS = new Set(["lower", "upper", "casefold", "strip", "rstrip", "startswith", "endswith", "split", "rsplit"]);

function fieldMethod(it: Interp, f: FieldVal, name: string, args: SymVal[], kw: Map<string, SymVal>, n: PyNode): SymVal {
  const root = f.base === 0 && f.path.length === 0;
  if (f.tx.some((t) => t.op === "int")) return opq(n.text, `method ${name}() on int() of an event value`);
  if (!root && f.tx.length === 0 && STR_METHODS.has(name)) it.noteUse(f.base, f.path, "str");
  const nullM = (): SymVal => methodCall(it, f.nullv, name, args, kw, n);
  switch (name) {
    case "get": {
      const k = args[0] && key(args[0]);
      if (k === undefined) return opq(n.text, "get() with a computed key");
      return child(it, f, [k], args[1] ?? kw.get("default") ?? NONE, n, nullM);
    }
    case "__getitem__": {
      const k = args[0];
      // The model cannot tell a missing key (KeyError) from an explicit null (None): null is the common case in logs.
      if (k?.k === "str") return child(it, f, [k.v], NONE, n, nullM);
      if (k?.k === "num") {
        const last = f.tx[f.tx.length - 1];
        if (last?.op === "split" && Number.isNaN(last.index)) {
          const tx: Transform[] = [...f.tx.slice(0, -1), { ...last, index: k.v }];
          const v: SymVal = { ...f, tx, nullv: nullM() };
          // Too few parts raises IndexError here, where an enclosing try can catch it.
          const name = fieldName(f.base, f.path);
          const short = mkAnd(mkNot(pred(name, "eq", [null])), mkNot(splitInRange(name, tx)));
          return it.ite(short, BOT, v);
        }
        if (last?.op === "rsplit" && Number.isNaN(last.index)) {
          // rsplit(sep, 1)[-1] is split(sep)[-1]; [0] is everything before the last separator.
          const step: Transform = k.v === -1 || k.v === 1 ? { op: "split", sep: last.sep, index: -1 } : { op: "rsplit", sep: last.sep, index: k.v };
          if (k.v !== -1 && k.v !== 0 && k.v !== 1) return opq(n.text, "rsplit() index");
          if (k.v === 1) return opq(n.text, "rsplit()[1] may not exist");
          return { ...f, tx: [...f.tx.slice(0, -1), step], nullv: nullM() };
        }
        if (Number.isInteger(k.v) && k.v >= 0 && f.tx.length === 0 && !f.json && f.path.length > 0 && it.typeOf(f.base, f.path) === "list") {
          // An element of a list the samples show as a list: a path step. Past the end Python raises
          // (IndexError); a null element reads as missing too, as `event["k"]` does for keys.
          return child(it, f, [String(k.v)], BOT, n, nullM);
        }
        return opq(n.text, "index into an event array");
      }
      return opq(n.text, "subscript with a computed key");
    }
    case "deep_get": {
      if (!root) return opq(n.text, "deep_get on a value");
      const keys = args.map(key);
      if (keys.some((k) => k === undefined)) return opq(n.text, "deep_get with computed keys");
      return { k: "field", base: 0, path: keys as string[], tx: [], nullv: kw.get("default") ?? NONE };
    }
    case "udm":
      if (!root) return opq(n.text, "udm on a value");
      return udm(it, args, kw, n);
    case "deep_walk":
      if (!root) return opq(n.text, "deep_walk on a value");
      return deepWalk(it, f, args, kw, n);
    case "lower":
    case "casefold":
    case "upper":
    case "strip": {
      if (args.length > 0) return opq(n.text, `${name}() with arguments`);
      if (pendingSplit(f)) return opq(n.text, "split() result used as a list");
      if (root) return BOT;
      const op = name === "casefold" ? "lower" : name;
      return { ...f, tx: [...f.tx, { op } as Transform], nullv: nullM() };
    }
    case "replace": {
      // Only single-character replaces, and only a split on the new character reads them (see split).
      const [a, b] = args;
      if (args.length !== 2 || a?.k !== "str" || b?.k !== "str" || a.v.length !== 1 || b.v.length !== 1 || a.v === b.v) {
        return opq(n.text, "method replace() on an event value");
      }
      if (pendingSplit(f)) return opq(n.text, "split() result used as a list");
      if (root) return BOT;
      return { ...f, tx: [...f.tx, { op: "replace", from: a.v, to: b.v }], nullv: nullM() };
    }
    case "rstrip": {
      // rstrip() / rstrip(None): whitespace; rstrip("chars"): any of those characters.
      const a = args[0];
      if (args.length > 1 || (a && a.k !== "str" && a.k !== "none") || (a?.k === "str" && a.v === "")) return opq(n.text, "rstrip() with these arguments");
      if (pendingSplit(f)) return opq(n.text, "split() result used as a list");
      if (root) return BOT;
      return { ...f, tx: [...f.tx, { op: "rstrip", chars: a?.k === "str" ? a.v : null }], nullv: nullM() };
    }
    case "rsplit": {
      const sep = args[0] ?? kw.get("sep");
      const max = args[1] ?? kw.get("maxsplit");
      if (sep?.k !== "str" || max?.k !== "num" || max.v !== 1 || pendingSplit(f)) return opq(n.text, "rsplit() form");
      return { ...f, tx: [...f.tx, { op: "rsplit", sep: sep.v, index: Number.NaN }], nullv: nullM() };
    }
    case "split": {
      const sep = args[0] ?? kw.get("sep");
      if (sep?.k !== "str" || args.length > 1 || pendingSplit(f)) return opq(n.text, "split() without a literal separator");
      const prev = f.tx[f.tx.length - 1];
      if (prev?.op === "replace") {
        // replace(a, b).split(b): either character separates.
        if (prev.to !== sep.v) return opq(n.text, "split() after replace() on another separator");
        return { ...f, tx: [...f.tx.slice(0, -1), { op: "split", sep: sep.v, index: Number.NaN, alt: prev.from }], nullv: nullM() };
      }
      return { ...f, tx: [...f.tx, { op: "split", sep: sep.v, index: Number.NaN }], nullv: nullM() };
    }
    case "startswith":
    case "endswith": {
      if (pendingSplit(f)) return BOT;
      const a = args[0];
      const lits = a?.k === "str" ? [a.v] : a?.k === "seq" && a.items.every((i) => i.k === "str") ? a.items.map((i) => (i as { v: string }).v) : null;
      if (!lits || args.length > 1) return opq(n.text, `${name}() with a computed argument`);
      return withNull(it, f, strPred(fieldName(f.base, f.path), f.tx, name as StrOp, lits), nullM);
    }
    default:
      return opq(n.text, `method ${name}() on an event value`);
  }
}

function pendingSplit(f: FieldVal): boolean {
  const last = f.tx[f.tx.length - 1];
  return (last?.op === "split" || last?.op === "rsplit") && Number.isNaN(last.index);
}

/**
 * deep_walk(obj, *keys) flattens through lists. Where the log's samples show
 * every step before the leaf is an object (no list on the way), it is deep_get.
 */
export function deepWalk(it: Interp, f: FieldVal, args: SymVal[], kw: Map<string, SymVal>, n: PyNode): SymVal {
  const keys = args.map(key);
  if (keys.some((k) => k === undefined) || keys.length === 0) return opq(n.text, "deep_walk with computed keys");
  const rv = kw.get("return_val");
  if (rv && !(rv.k === "str" && ["all", "first", "last"].includes(rv.v))) return opq(n.text, "deep_walk return_val");
  if (f.base !== 0 || f.tx.length > 0 || f.json) return opq(n.text, "deep_walk on a computed value");
  const path = [...f.path, ...(keys as string[])];
  for (let i = 1; i <= path.length; i++) {
    const t = it.typeOf(0, path.slice(0, i));
    if (i < path.length && t === "list") return walkThroughList(it, path.slice(0, i), path.slice(i), rv, kw.get("default") ?? NONE, n);
    if (i < path.length && t !== "dict") return opq(n.text, "deep_walk through values of unknown or list type");
  }
  return { k: "field", base: 0, path, tx: [], nullv: kw.get("default") ?? NONE };
}

/**
 * deep_walk through one array of objects (per the samples) down to a string
 * leaf: an opaque value that `==`/`!=` with a string can still read (compare.ts).
 */
function walkThroughList(it: Interp, prefix: string[], leaf: string[], rv: SymVal | undefined, dflt: SymVal, n: PyNode): SymVal {
  const unknown = { k: "opq", text: n.text.slice(0, 300), reason: "deep_walk through values of unknown or list type" } as const;
  if (rv && !(rv.k === "str" && rv.v === "all")) return unknown;
  if (dflt.k !== "str" && dflt.k !== "none") return unknown;
  const elem = [...prefix, "[]"];
  if (it.typeOf(0, elem) !== "dict") return unknown;
  for (let j = 1; j <= leaf.length; j++) {
    const t = it.typeOf(0, [...elem, ...leaf.slice(0, j)]);
    if (t !== (j < leaf.length ? "dict" : "str")) return unknown;
  }
  const over: FieldVal = { k: "field", base: 0, path: prefix, tx: [], nullv: NONE };
  return { ...unknown, walk: { over, base: it.newBase(over), leaf, dflt } };
}

function udm(it: Interp, args: SymVal[], kw: Map<string, SymVal>, n: PyNode): SymVal {
  const nm = args[0] && key(args[0]);
  if (nm === undefined) return opq(n.text, "udm() with a computed name");
  const dm = it.dataModel();
  const dflt = args[1] ?? kw.get("default") ?? NONE;
  if (!dm) return opq(n.text, "no data model for this LogType");
  const p = dm.paths.get(nm);
  if (p) return { k: "field", base: 0, path: p, tx: [], nullv: dflt };
  const m = dm.methods.get(nm);
  if (m && dm.module) {
    const fn = it.globalsOf(dm.module).get(m);
    if (fn?.k === "func") {
      const r = it.callFunc(dm.module, fn.def, [{ k: "field", base: 0, path: [], tx: [], nullv: BOT }], new Map());
      // udm() returns the default when the method returns None.
      return dflt.k === "none" ? r : it.lift1(r, (v) => (v.k === "none" ? dflt : v));
    }
    return opq(n.text, `data model method ${m} not found`);
  }
  return opq(n.text, `udm field ${nm} not mapped for this LogType`);
}

function strMethod(s: string, name: string, args: SymVal[], n: PyNode, kw: Map<string, SymVal> = new Map()): SymVal {
  const a0 = args[0];
  switch (name) {
    case "lower":
    case "casefold":
      return str(s.toLowerCase());
    case "upper":
      return str(s.toUpperCase());
    case "strip":
    case "lstrip":
    case "rstrip": {
      if (a0 && a0.k !== "str") return a0.k === "none" ? str(trimWs(s, name)) : opq(n.text, "strip with a computed argument");
      return str(a0?.k === "str" ? trimChars(s, a0.v, name) : trimWs(s, name));
    }
    case "startswith":
    case "endswith": {
      const lits = a0?.k === "str" ? [a0.v] : a0?.k === "seq" ? a0.items.map((i) => (i.k === "str" ? i.v : null)) : null;
      if (!lits || lits.some((l) => l === null)) {
        if (a0?.k === "field") return opq(n.text, `${name}() with a field argument`);
        return opq(n.text, `${name}() with a computed argument`);
      }
      return bool((lits as string[]).some((l) => (name === "startswith" ? s.startsWith(l) : s.endsWith(l))));
    }
    case "rsplit": {
      const sepV = a0 ?? kw.get("sep");
      const maxV = args[1] ?? kw.get("maxsplit");
      if (sepV?.k !== "str" || sepV.v === "" || maxV?.k !== "num") return opq(n.text, "rsplit form");
      const max = maxV.v;
      const sep = sepV.v;
      const parts = s.split(sep);
      if (max < 0 || parts.length <= max + 1) return { k: "seq", kind: "list", items: parts.map(str) };
      const keep = parts.length - max;
      return { k: "seq", kind: "list", items: [parts.slice(0, keep).join(sep), ...parts.slice(keep)].map(str) };
    }
    case "split": {
      if (!a0 || a0.k === "none") return { k: "seq", kind: "list", items: s.split(/\s+/).filter((x) => x !== "").map(str) };
      if (a0.k !== "str" || a0.v === "") return opq(n.text, "split with a computed separator");
      const max = args[1]?.k === "num" ? args[1].v : -1;
      let parts = s.split(a0.v);
      if (max >= 0 && parts.length > max + 1) parts = [...parts.slice(0, max), parts.slice(max).join(a0.v)];
      return { k: "seq", kind: "list", items: parts.map(str) };
    }
    case "replace":
      if (a0?.k === "str" && args[1]?.k === "str") return str(s.split(a0.v).join((args[1] as { v: string }).v));
      return opq(n.text, "replace with computed values");
    case "join":
      if (a0?.k === "seq" && a0.items.every((i) => i.k === "str")) return str(a0.items.map((i) => (i as { v: string }).v).join(s));
      return opq(n.text, "join of computed values");
    case "__getitem__":
      if (a0?.k === "num") {
        const i = a0.v < 0 ? s.length + a0.v : a0.v;
        return i >= 0 && i < s.length ? str(s[i]) : BOT;
      }
      return BOT;
    case "isdigit":
      return bool(/^\d+$/.test(s));
    case "count":
      return a0?.k === "str" && a0.v !== "" ? num(s.split(a0.v).length - 1) : opq(n.text, "count");
    case "find":
      return a0?.k === "str" ? num(s.indexOf(a0.v)) : opq(n.text, "find");
    case "format":
      return opq(n.text, "string formatting");
    default:
      return opq(n.text, `str.${name}()`);
  }
}

function trimWs(s: string, name: string): string {
  return name === "lstrip" ? s.trimStart() : name === "rstrip" ? s.trimEnd() : s.trim();
}

function trimChars(s: string, chars: string, name: string): string {
  let a = 0;
  let b = s.length;
  if (name !== "rstrip") while (a < b && chars.includes(s[a])) a++;
  if (name !== "lstrip") while (b > a && chars.includes(s[b - 1])) b--;
  return s.slice(a, b);
}

function dictMethod(it: Interp, d: SymVal & { k: "dict" }, name: string, args: SymVal[], n: PyNode): SymVal {
  const k = args[0];
  switch (name) {
    case "get":
    case "__getitem__": {
      const dflt = name === "get" ? (args[1] ?? NONE) : BOT;
      if (!k) return opq(n.text, "get() without a key");
      if (isConst(k)) {
        const i = d.keys.findIndex((x) => constEq(x, k) === true);
        return i >= 0 ? d.vals[i] : dflt;
      }
      if (k.k === "field") {
        if (d.keys.length > 200) return opq(n.text, "lookup in a large dict");
        let r: SymVal = dflt;
        for (let i = d.keys.length - 1; i >= 0; i--) {
          const c = it.compare("==", k, d.keys[i], n);
          r = it.ite(truthy(stripBot(c)), d.vals[i], r);
        }
        return r;
      }
      return opq(n.text, "dict lookup with a computed key");
    }
    case "keys":
      return { k: "seq", kind: "list", items: d.keys };
    case "values":
      return { k: "seq", kind: "list", items: d.vals };
    case "items":
      return { k: "seq", kind: "list", items: d.keys.map((x, i) => ({ k: "seq", kind: "tuple", items: [x, d.vals[i]] }) as SymVal) };
    case "copy":
      return d;
    default:
      return opq(n.text, `dict.${name}()`);
  }
}

function seqMethod(it: Interp, s: SymVal & { k: "seq" }, name: string, args: SymVal[], n: PyNode): SymVal {
  const k = args[0];
  if (name === "__getitem__") {
    if (k?.k === "num") {
      const i = k.v < 0 ? s.items.length + k.v : k.v;
      return i >= 0 && i < s.items.length ? s.items[i] : BOT;
    }
    return opq(n.text, "list index with a computed value");
  }
  if (name === "count" && k && isConst(k) && s.items.every(isConst)) return num(s.items.filter((i) => constEq(i, k) === true).length);
  if (name === "copy") return s;
  if (name === "intersection" && s.kind === "set" && args.length === 1 && k) {
    const r = intersectConst(it, s, k, n);
    if (r) return r;
  }
  return opq(n.text, `${s.kind}.${name}()`);
}
