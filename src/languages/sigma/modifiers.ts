// One small handler per Sigma value modifier (spec v2.1 appendix). A field
// item's values flow through its modifiers in written order, as in pySigma.
import { type Part, isLiteral, literal, literalText, wrapAny } from "./values.js";

/** A detection scalar typed from YAML source (see scalar.ts). */
export type Scalar = string | number | boolean | null;

/** A value on its way through the modifier chain. */
export type Val =
  /** `raw` is the text as written (before Sigma unescaping), for `re`, `cidr`, `fieldref`. */
  | { t: "str"; parts: Part[]; raw?: string; bytes?: boolean }
  | { t: "num"; v: number }
  | { t: "bool"; v: boolean }
  | { t: "null" }
  | { t: "re"; source: string }
  | { t: "cidr"; net: string }
  | { t: "cmp"; op: "gt" | "gte" | "lt" | "lte"; v: number }
  | { t: "fieldref"; field: string }
  | { t: "exists"; v: boolean };

/** The state of one field item: each written value is a group of OR-ed alternatives. */
export interface ItemState {
  groups: Val[][];
  all: boolean;
  cased: boolean;
  neq: boolean;
  expand: boolean;
  reFlags: string;
  /** Set when a modifier cannot be translated (time parts): the item becomes opaque. */
  opaque?: string;
}

/** A handler returns an error message, or null when it applied. */
type Handler = (s: ItemState) => string | null;

export function valueOf(v: Scalar): Val {
  if (v === null) return { t: "null" };
  if (typeof v === "number") return { t: "num", v };
  if (typeof v === "boolean") return { t: "bool", v };
  return { t: "str", parts: [], raw: v };
}

/** Every Val in the item, mapped; a mapper error aborts the modifier. */
function mapAll(s: ItemState, f: (v: Val) => Val[] | string): string | null {
  const out: Val[][] = [];
  for (const g of s.groups) {
    const ng: Val[] = [];
    for (const v of g) {
      const r = f(v);
      if (typeof r === "string") return r;
      ng.push(...r);
    }
    out.push(ng);
  }
  s.groups = out;
  return null;
}

/** String modifiers read numbers and booleans as their text. */
function asStr(v: Val, name: string): Extract<Val, { t: "str" }> | string {
  if (v.t === "str") return v;
  if (v.t === "num" || v.t === "bool") return { t: "str", parts: literal(String(v.v)) };
  return `modifier '${name}' does not apply to a ${v.t === "null" ? "null" : v.t} value`;
}

const wrap =
  (name: string, start: boolean, end: boolean): Handler =>
  (s) =>
    mapAll(s, (v) => {
      const x = asStr(v, name);
      return typeof x === "string" ? x : [{ t: "str", parts: wrapAny(x.parts, start, end), bytes: x.bytes }];
    });

/** `-` or `/` at a word start: `\B[-/]\b` (the pySigma rule). */
const DASH = /\B[-/]\b/g;
const DASHES = ["-", "/", "\u2013", "\u2014", "\u2015"];

function windash(parts: Part[]): Part[][] {
  // Sigma applies the rule to the plain string; wildcards are kept as they are.
  let variants: Part[][] = [[]];
  for (const p of parts) {
    if (!("lit" in p)) {
      variants = variants.map((v) => [...v, p]);
      continue;
    }
    const pieces = p.lit.split(DASH);
    if (pieces.length === 1) {
      variants = variants.map((v) => [...v, p]);
      continue;
    }
    let texts = [pieces[0]];
    for (let i = 1; i < pieces.length; i++) {
      const next: string[] = [];
      for (const t of texts) for (const d of DASHES) next.push(t + d + pieces[i]);
      texts = next;
      if (texts.length > 100_000) break; // bounded: 5^n variants
    }
    variants = variants.flatMap((v) => texts.map((t) => [...v, ...literal(t)]));
  }
  return variants;
}

function toBytes(v: Extract<Val, { t: "str" }>): Buffer {
  const text = literalText(v.parts);
  return v.bytes ? Buffer.from(text, "latin1") : Buffer.from(text, "utf8");
}

function base64offsets(bytes: Buffer): string[] {
  const starts = [0, 2, 3];
  const ends = [undefined, -3, -2];
  const out: string[] = [];
  for (let i = 0; i < 3; i++) {
    const b64 = Buffer.concat([Buffer.alloc(i, 0x20), bytes]).toString("base64");
    const end = ends[(bytes.length + i) % 3];
    out.push(b64.slice(starts[i], end));
  }
  return out;
}

const encodeUtf16 =
  (name: string, enc: "utf16le" | "utf16be", bom: string): Handler =>
  (s) =>
    mapAll(s, (v) => {
      const x = asStr(v, name);
      if (typeof x === "string") return x;
      const parts = x.parts.map((p): Part => {
        if (!("lit" in p)) return p;
        const buf = Buffer.from(p.lit, "utf16le");
        if (enc === "utf16be") buf.swap16();
        return { lit: buf.toString("latin1") };
      });
      if (bom) parts.unshift({ lit: bom });
      return [{ t: "str", parts, bytes: true }];
    });

const compare =
  (op: "gt" | "gte" | "lt" | "lte"): Handler =>
  (s) =>
    mapAll(s, (v) => {
      const n = v.t === "num" ? v.v : v.t === "str" && v.raw !== undefined && /^-?\d+(\.\d+)?$/.test(v.raw) ? Number(v.raw) : NaN;
      return Number.isNaN(n) ? `modifier '${op}' needs a number` : [{ t: "cmp", op, v: n }];
    });

const reFlag =
  (flag: "i" | "m" | "s"): Handler =>
  (s) => {
    if (!s.groups.every((g) => g.every((v) => v.t === "re"))) return `modifier '${flag}' only follows 're'`;
    if (!s.reFlags.includes(flag)) s.reFlags += flag;
    return null;
  };

const timePart =
  (name: string): Handler =>
  (s) => {
    s.opaque = `time-part modifier '${name}' compares a part of a timestamp; not representable`;
    return null;
  };

/** Sigma string values are parsed into parts once, before the first modifier runs. */
export const HANDLERS: Record<string, Handler> = {
  contains: wrap("contains", true, true),
  startswith: wrap("startswith", false, true),
  endswith: wrap("endswith", true, false),
  all: (s) => {
    s.all = true;
    return null;
  },
  cased: (s) => {
    s.cased = true;
    return null;
  },
  neq: (s) => {
    s.neq = true;
    return null;
  },
  expand: (s) => {
    s.expand = true;
    return null;
  },
  windash: (s) =>
    mapAll(s, (v) => {
      const x = asStr(v, "windash");
      return typeof x === "string" ? x : windash(x.parts).map((parts) => ({ t: "str", parts }));
    }),
  base64: (s) =>
    mapAll(s, (v) => {
      const x = asStr(v, "base64");
      if (typeof x === "string") return x;
      if (!isLiteral(x.parts)) return "modifier 'base64' does not apply to a value with wildcards";
      return [{ t: "str", parts: literal(toBytes(x).toString("base64")) }];
    }),
  base64offset: (s) =>
    mapAll(s, (v) => {
      const x = asStr(v, "base64offset");
      if (typeof x === "string") return x;
      if (!isLiteral(x.parts)) return "modifier 'base64offset' does not apply to a value with wildcards";
      return base64offsets(toBytes(x)).map((b) => ({ t: "str", parts: literal(b) }));
    }),
  wide: encodeUtf16("wide", "utf16le", ""),
  utf16le: encodeUtf16("utf16le", "utf16le", ""),
  utf16be: encodeUtf16("utf16be", "utf16be", ""),
  utf16: encodeUtf16("utf16", "utf16le", "\xff\xfe"),
  re: (s) =>
    mapAll(s, (v) => {
      if (v.t === "str" && v.raw !== undefined) return [{ t: "re", source: v.raw }];
      if (v.t === "num") return [{ t: "re", source: String(v.v) }];
      return "modifier 're' needs a string written in the rule";
    }),
  i: reFlag("i"),
  m: reFlag("m"),
  s: reFlag("s"),
  cidr: (s) =>
    mapAll(s, (v) => (v.t === "str" && v.raw !== undefined ? [{ t: "cidr", net: v.raw }] : "modifier 'cidr' needs a network string")),
  fieldref: (s) =>
    mapAll(s, (v) =>
      v.t === "str" && v.raw !== undefined ? [{ t: "fieldref", field: v.raw }] : "modifier 'fieldref' needs a field name",
    ),
  exists: (s) =>
    mapAll(s, (v) => (v.t === "bool" ? [{ t: "exists", v: v.v }] : "modifier 'exists' needs true or false")),
  gt: compare("gt"),
  gte: compare("gte"),
  lt: compare("lt"),
  lte: compare("lte"),
  minute: timePart("minute"),
  hour: timePart("hour"),
  day: timePart("day"),
  week: timePart("week"),
  month: timePart("month"),
  year: timePart("year"),
};

/** Strings are parsed into parts once; `raw` stays for modifiers that read the text as written. */
export function startState(values: Scalar[], parse: (raw: string) => Part[]): ItemState {
  const groups = values.map((x): Val[] => {
    const v = valueOf(x);
    return v.t === "str" ? [{ t: "str", parts: parse(v.raw ?? ""), raw: v.raw }] : [v];
  });
  return { groups, all: false, cased: false, neq: false, expand: false, reFlags: "" };
}

