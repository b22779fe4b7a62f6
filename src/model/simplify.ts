import type { Expr } from "./expr.js";
import { canonicalJson } from "./canonical.js";

/**
 * Normal form of a condition: nested and/or flattened, double negation
 * dropped, constants folded, duplicate operands removed (first kept, so the
 * source order survives), single-operand and/or unwrapped.
 */
export function simplify(e: Expr): Expr {
  return simplifyWith(e, new WeakMap());
}

/**
 * A node's dedupe key, equal to canonicalJson(e), built from its children's
 * memoized keys: keying every level by re-serializing whole subtrees would be
 * quadratic in depth.
 */
function keyOf(e: Expr, memo: WeakMap<Expr, string>): string {
  let k = memo.get(e);
  if (k !== undefined) return k;
  switch (e.type) {
    case "and":
    case "or":
      k = `{"args":[${e.args.map((a) => keyOf(a, memo)).join(",")}],"type":"${e.type}"}`;
      break;
    case "not":
      k = `{"arg":${keyOf(e.arg, memo)},"type":"not"}`;
      break;
    case "quant":
      k = `{"cond":${keyOf(e.cond, memo)},"over":${JSON.stringify(e.over)},"quantifier":"${e.quantifier}","type":"quant"}`;
      break;
    default:
      k = canonicalJson(e);
  }
  memo.set(e, k);
  return k;
}

function simplifyWith(e: Expr, memo: WeakMap<Expr, string>): Expr {
  switch (e.type) {
    case "not": {
      const a = simplifyWith(e.arg, memo);
      if (a.type === "not") return a.arg;
      if (a.type === "true") return { type: "false" };
      if (a.type === "false") return { type: "true" };
      return { type: "not", arg: a };
    }
    case "and":
    case "or": {
      const absorbing = e.type === "and" ? "false" : "true";
      const neutral = e.type === "and" ? "true" : "false";
      const out: Expr[] = [];
      const seen = new Set<string>();
      const push = (x: Expr): boolean => {
        if (x.type === absorbing) return true;
        if (x.type === neutral) return false;
        if (x.type === e.type) {
          for (const y of x.args) if (push(y)) return true;
          return false;
        }
        const key = keyOf(x, memo);
        if (!seen.has(key)) {
          seen.add(key);
          out.push(x);
        }
        return false;
      };
      for (const a of e.args) if (push(simplifyWith(a, memo))) return { type: absorbing };
      if (out.length === 0) return { type: neutral };
      if (out.length === 1) return out[0];
      return { type: e.type, args: out };
    }
    case "quant":
      return { ...e, cond: simplifyWith(e.cond, memo) };
    default:
      return e;
  }
}

/** True when the tree holds an opaque node anywhere. */
export function hasOpaque(e: Expr): boolean {
  switch (e.type) {
    case "opaque":
      return true;
    case "and":
    case "or":
      return e.args.some(hasOpaque);
    case "not":
      return hasOpaque(e.arg);
    case "quant":
      return hasOpaque(e.cond);
    default:
      return false;
  }
}

/** Fidelity of a translated condition: "none" when it is nothing but opaque. */
export function fidelityOf(e: Expr): "full" | "partial" | "none" {
  if (e.type === "opaque") return "none";
  return hasOpaque(e) ? "partial" : "full";
}
