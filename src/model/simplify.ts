import type { Expr } from "./expr.js";
import { canonicalJson } from "./canonical.js";

/**
 * Normal form of a condition: nested and/or flattened, double negation
 * dropped, constants folded, duplicate operands removed (first kept, so the
 * source order survives), single-operand and/or unwrapped.
 */
export function simplify(e: Expr): Expr {
  return simplifyWith(e, new Keys());
}

/**
 * Dedupe keys: structurally equal nodes get the same number. A leaf is numbered
 * by its canonical JSON; a composite by its type and its children's numbers, so
 * keys stay short however deep the tree (keying every level by serializing
 * whole subtrees is quadratic in depth, and nesting key strings nearly so).
 */
class Keys {
  private readonly memo = new WeakMap<Expr, number>();
  private readonly numbers = new Map<string, number>();

  of(e: Expr): number {
    let k = this.memo.get(e);
    if (k !== undefined) return k;
    let shape: string;
    switch (e.type) {
      case "and":
      case "or":
        shape = `${e.type}(${e.args.map((a) => this.of(a)).join(",")})`;
        break;
      case "not":
        shape = `not(${this.of(e.arg)})`;
        break;
      case "quant":
        shape = `quant(${e.quantifier},${JSON.stringify(e.over)},${this.of(e.cond)})`;
        break;
      default:
        // Leaves are JSON objects, composites' shapes never start with "{": the two cannot collide.
        shape = canonicalJson(e);
    }
    k = this.numbers.get(shape);
    if (k === undefined) {
      k = this.numbers.size;
      this.numbers.set(shape, k);
    }
    this.memo.set(e, k);
    return k;
  }
}

function simplifyWith(e: Expr, keys: Keys): Expr {
  switch (e.type) {
    case "not": {
      const a = simplifyWith(e.arg, keys);
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
      const seen = new Set<number>();
      const push = (x: Expr): boolean => {
        if (x.type === absorbing) return true;
        if (x.type === neutral) return false;
        if (x.type === e.type) {
          for (const y of x.args) if (push(y)) return true;
          return false;
        }
        const key = keys.of(x);
        if (!seen.has(key)) {
          seen.add(key);
          out.push(x);
        }
        return false;
      };
      for (const a of e.args) if (push(simplifyWith(a, keys))) return { type: absorbing };
      if (out.length === 0) return { type: neutral };
      if (out.length === 1) return out[0];
      return { type: e.type, args: out };
    }
    case "quant":
      return { ...e, cond: simplifyWith(e.cond, keys) };
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
