import { F, T, opaque, pred, type Expr } from "../../model/expr.js";
import { evaluate } from "../../model/evaluate.js";
import { pythonSemantics } from "./semantics.js";
import { body, field, fieldAll, type PyNode } from "./ast.js";
import { basesOf, fieldName, isNullPred, keyOf, mkAnd, mkIte, mkNot, mkOr, mkQuant } from "./exprs.js";
import { builtinCall, moduleMember } from "./builtins.js";
import { compareVals, containsVal, lenOfConst } from "./compare.js";
import { deepWalk, methodCall } from "./methods.js";
import { constIpProperty, ipProperty } from "./ipaddr.js";
import { intersectConst } from "./sets.js";
import type { DataModel, Program, PyModule } from "./program.js";
import type { FieldType, TypeOracle } from "./predicates.js";
import { truthPred, splitInRange } from "./predicates.js";
import {
  BOT,
  FALSE_V,
  NONE,
  TRUE_V,
  cond,
  constTruth,
  isConst,
  num,
  opq,
  str,
  type SymVal,
} from "./values.js";

export class BudgetExceeded extends Error {}

export interface InterpOptions {
  program: Program;
  /** LogType the rule is evaluated for (selects the data model for udm()). */
  logType?: string;
  types: TypeOracle;
  /** Evaluation steps allowed for one top-level call. */
  budget?: number;
  /** Names some test replaces with a Mock: their use is unknown in that test. */
  mocks?: Set<string>;
  /** Field types learnt from how a previous evaluation used the fields. */
  usage?: Map<string, FieldType>;
}

type Env = Map<string, SymVal>;

/** Control flow of a statement sequence: a decision tree over outcomes. */
type Flow =
  | { k: "ret"; v: SymVal }
  | { k: "fall"; env: Env }
  | { k: "brk"; env: Env }
  | { k: "cont"; env: Env }
  | { k: "raise" }
  | { k: "br"; c: Expr; a: Flow; b: Flow };

interface Frame {
  mod: PyModule;
  env: Env;
}

const MAX_DEPTH = 24;
/** Right-hand sides narrowed() evaluates a second time: names and literals, never calls. */
const LITERAL_OPERAND = new Set(["string", "identifier", "tuple", "list", "set", "attribute"]);
const INDEX_STEP = /^(?:0|[1-9]\d{0,8})$/;
/** Event key under which prepareEvent marks the names a test mocks. */
export const MOCK_FLAG = "__panther_mocked__";

/**
 * Symbolic evaluator for the Python subset of Panther rules. Evaluates a
 * function over an abstract event and returns its value as a SymVal.
 */
export class Interp {
  steps = 0;
  readonly budget: number;
  usedUdm = false;
  private nextBase = 1;
  /** > 0 while executing a try body: an unknown call there may raise into the handler. */
  private tryDepth = 0;
  private stack: PyNode[] = [];

  constructor(readonly opts: InterpOptions) {
    this.budget = opts.budget ?? 200_000;
  }

  tick(n = 1): void {
    this.steps += n;
    if (this.steps > this.budget) throw new BudgetExceeded("evaluation budget exceeded");
  }

  get types(): TypeOracle {
    return this.opts.types;
  }

  /** Array path each quantifier base iterates (relative to its own parent base). */
  private baseOver = new Map<number, { base: number; path: string[] }>();

  newBase(over?: { base: number; path: string[] }): number {
    const b = this.nextBase++;
    if (over) this.baseOver.set(b, { base: over.base, path: over.path });
    return b;
  }

  /** Absolute sample path of a field: loop elements are written `<array>.[]`. */
  samplePath(base: number, path: string[]): string | undefined {
    // List index steps (`x[0]` → "x.0") read the samples of every element ("x.[]").
    const parts: string[] = path.map((p) => (INDEX_STEP.test(p) ? "[]" : p));
    let b = base;
    for (let i = 0; b !== 0 && i < 20; i++) {
      const o = this.baseOver.get(b);
      if (!o) return undefined;
      parts.unshift(...o.path, "[]");
      b = o.base;
    }
    return b === 0 ? parts.join(".") : undefined;
  }

  /** All types the samples show for a field. */
  typesSeen(base: number, path: string[]): import("./predicates.js").FieldType[] | undefined {
    const p = this.samplePath(base, path);
    return p === undefined || p === "" ? undefined : this.opts.types.seen?.(p);
  }

  /**
   * Types the code uses fields as (`.startswith` → str, `>= 400` → num): Python would raise on any
   * other type, so the author's code states the field's type. Read by typeOf when samples say nothing.
   */
  readonly used = new Map<string, FieldType>();

  noteUse(base: number, path: string[], t: FieldType): void {
    const p = this.samplePath(base, path);
    if (p) this.used.set(p.toLowerCase(), t);
  }

  /** The type the log samples show for a field, else the type the code uses it as (undefined: not known). */
  typeOf(base: number, path: string[]): FieldType | undefined {
    const p = this.samplePath(base, path);
    if (p === undefined || p === "") return undefined;
    const sampled = this.opts.types(p);
    if (sampled || this.opts.types.seen?.(p)) return sampled;
    const key = p.toLowerCase();
    return this.used.get(key) ?? this.opts.usage?.get(key);
  }

  // ---------- modules ----------

  globalsOf(mod: PyModule): Map<string, SymVal> {
    if (mod.globals) return mod.globals;
    const g = new Map<string, SymVal>();
    mod.globals = g;
    const frame: Frame = { mod, env: g };
    const run = (stmts: PyNode[]): void => {
      for (const s of stmts) {
        this.tick();
        switch (s.type) {
          case "import_statement":
          case "import_from_statement":
            this.bindImport(s, g);
            break;
          case "function_definition": {
            const name = field(s, "name")?.text;
            if (name) g.set(name, { k: "func", mod, def: s });
            break;
          }
          case "decorated_definition": {
            const def = field(s, "definition");
            const name = def && field(def, "name")?.text;
            if (def && name) g.set(name, def.type === "function_definition" ? { k: "func", mod, def } : opq(name, "class definition"));
            break;
          }
          case "class_definition": {
            const name = field(s, "name")?.text;
            if (name) g.set(name, opq(name, "class definition"));
            break;
          }
          case "expression_statement": {
            const e = s.kids[0];
            if (e?.type === "assignment" && field(e, "right")) {
              const left = field(e, "left");
              try {
                const v = this.eval(field(e, "right") as PyNode, frame);
                if (left) this.assignTarget(left, v, g, frame);
              } catch (err) {
                if (err instanceof BudgetExceeded) throw err;
                if (left?.type === "identifier") g.set(left.text, opq(left.text, "module constant could not be evaluated"));
              }
            }
            break;
          }
          case "try_statement":
            run(body(field(s, "body") ?? s));
            break;
          case "if_statement":
            // `if TYPE_CHECKING:` and similar: bind what the body defines, unevaluated.
            break;
          default:
            break;
        }
      }
    };
    run(body(mod.root));
    mutableGlobals(mod.root, g);
    return g;
  }

  private bindImport(s: PyNode, g: Env): void {
    if (s.type === "import_statement") {
      for (const n of s.kids) {
        if (n.type === "dotted_name") g.set(n.text.split(".")[0], this.moduleValue(n.text));
        else if (n.type === "aliased_import") {
          const name = field(n, "name")?.text ?? "";
          const alias = field(n, "alias")?.text ?? name;
          g.set(alias, this.moduleValue(name));
        }
      }
      return;
    }
    const modName = field(s, "module_name")?.text ?? "";
    for (const n of fieldAll(s, "name")) {
      const name = n.type === "aliased_import" ? (field(n, "name")?.text ?? "") : n.text;
      const alias = n.type === "aliased_import" ? (field(n, "alias")?.text ?? name) : name;
      g.set(alias, this.importMember(modName, name));
    }
    if (s.kids.some((k) => k.type === "wildcard_import")) {
      const m = this.findHelper(modName);
      if (m) for (const [k, v] of this.globalsOf(m)) if (!g.has(k)) g.set(k, v);
    }
  }

  private findHelper(name: string): PyModule | undefined {
    const last = name.split(".").pop() ?? name;
    return this.opts.program.helpers.get(name) ?? this.opts.program.helpers.get(last);
  }

  private moduleValue(name: string): SymVal {
    const helper = this.findHelper(name);
    if (helper) return { k: "module", name: `helper:${helper.name}` };
    return { k: "module", name };
  }

  private importMember(modName: string, name: string): SymVal {
    const helper = this.findHelper(modName);
    if (helper) {
      const v = this.globalsOf(helper).get(name);
      return v ?? opq(`${modName}.${name}`, `helper ${name} not found in ${modName}`);
    }
    const sub = this.findHelper(`${modName}.${name}`);
    if (sub) return { k: "module", name: `helper:${sub.name}` };
    return moduleMember(modName, name) ?? opq(`${modName}.${name}`, `import from ${modName} not available`);
  }

  memberOf(moduleName: string, attr: string): SymVal {
    if (moduleName.startsWith("helper:")) {
      const m = this.opts.program.helpers.get(moduleName.slice(7));
      const v = m && this.globalsOf(m).get(attr);
      return v ?? opq(`${moduleName.slice(7)}.${attr}`, `helper ${attr} not found`);
    }
    return moduleMember(moduleName, attr) ?? opq(`${moduleName}.${attr}`, `library call ${moduleName}.${attr}`);
  }

  // ---------- calls ----------

  /** Calls a function value with evaluated arguments. */
  callValue(fn: SymVal, args: SymVal[], kw: Map<string, SymVal>, node: PyNode, frame: Frame): SymVal {
    this.tick();
    switch (fn.k) {
      case "func":
        return this.callFunc(fn.mod as PyModule, fn.def, args, kw);
      case "builtin":
        return fn.self
          ? methodCall(this, fn.self, fn.name, args, kw, node)
          : builtinCall(this, fn.name, args, kw, node, frame);
      case "opq":
        return opq(node.text, fn.reason);
      case "ite":
        return this.lift1(fn, (f) => this.callValue(f, args, kw, node, frame));
      case "bot":
        return BOT;
      default:
        return opq(node.text, "call of a non-function value");
    }
  }

  callFunc(mod: PyModule, def: PyNode, args: SymVal[], kw: Map<string, SymVal>): SymVal {
    const fname = field(def, "name")?.text ?? "";
    if (fname === "deep_get" && !mod.name.startsWith("rule:")) return deepGet(this, args, kw, def);
    if (fname === "deep_walk" && !mod.name.startsWith("rule:")) {
      const [obj, ...rest] = args;
      return obj ? this.lift1(obj, (o) => (o.k === "field" ? deepWalk(this, o, rest, kw, def) : opq("deep_walk(...)", "deep_walk on a computed value"))) : BOT;
    }
    const depth = this.stack.filter((d) => d === def).length;
    if (depth >= 2 || this.stack.length >= MAX_DEPTH) {
      return opq(`${field(def, "name")?.text ?? "?"}(...)`, depth >= 2 ? "recursive function" : "inlining too deep");
    }
    const env: Env = new Map();
    const g = this.globalsOf(mod);
    const params = field(def, "parameters")?.kids ?? [];
    let i = 0;
    const frame: Frame = { mod, env: g };
    for (const p of params) {
      if (p.type === "identifier") {
        env.set(p.text, i < args.length ? args[i] : (kw.get(p.text) ?? opq(p.text, "missing argument")));
        i++;
      } else if (p.type === "typed_parameter") {
        const inner = p.kids.find((k) => k.type === "identifier" || k.type === "list_splat_pattern" || k.type === "dictionary_splat_pattern");
        if (inner?.type === "identifier") {
          env.set(inner.text, i < args.length ? args[i] : (kw.get(inner.text) ?? opq(inner.text, "missing argument")));
          i++;
        } else if (inner?.type === "list_splat_pattern") {
          env.set(inner.kids[0]?.text ?? "", { k: "seq", kind: "tuple", items: args.slice(i) });
          i = args.length;
        } else if (inner?.type === "dictionary_splat_pattern") {
          env.set(inner.kids[0]?.text ?? "", { k: "dict", keys: [...kw.keys()].map(str), vals: [...kw.values()] });
        }
      } else if (p.type === "default_parameter" || p.type === "typed_default_parameter") {
        const name = field(p, "name")?.text ?? "";
        if (i < args.length) env.set(name, args[i]);
        else if (kw.has(name)) env.set(name, kw.get(name) as SymVal);
        else env.set(name, this.eval(field(p, "value") as PyNode, frame));
        i++;
      } else if (p.type === "list_splat_pattern") {
        env.set(p.kids[0]?.text ?? "", { k: "seq", kind: "tuple", items: args.slice(i) });
        i = args.length;
      } else if (p.type === "dictionary_splat_pattern") {
        env.set(p.kids[0]?.text ?? "", { k: "dict", keys: [...kw.keys()].map(str), vals: [...kw.values()] });
      }
    }
    this.stack.push(def);
    try {
      const flow = this.execBlock(body(field(def, "body") as PyNode), { k: "fall", env }, mod);
      return this.flowValue(flow);
    } finally {
      this.stack.pop();
    }
  }

  private flowValue(f: Flow): SymVal {
    switch (f.k) {
      case "ret":
        return f.v;
      case "fall":
      case "brk":
      case "cont":
        return NONE;
      case "raise":
        return BOT;
      case "br":
        return this.ite(f.c, this.flowValue(f.a), this.flowValue(f.b));
    }
  }

  ite(c: Expr, a: SymVal, b: SymVal): SymVal {
    if (c.type === "true") return a;
    if (c.type === "false") return b;
    if (sameVal(a, b)) return a;
    if (a.k === "bool" && b.k === "bool") return cond(a.v ? c : mkNot(c));
    return { k: "ite", c, a, b };
  }

  // ---------- statements ----------

  private execBlock(stmts: PyNode[], flow: Flow, mod: PyModule): Flow {
    let f = flow;
    for (const s of stmts) {
      this.tick();
      f = this.mergeFalls(this.mapFalls(f, (env) => this.execStmt(s, env, mod)));
    }
    return f;
  }

  private mapFalls(f: Flow, fn: (env: Env) => Flow): Flow {
    switch (f.k) {
      case "fall":
        return fn(f.env);
      case "br": {
        const a = this.mapFalls(f.a, fn);
        const b = this.mapFalls(f.b, fn);
        return { k: "br", c: f.c, a, b };
      }
      default:
        return f;
    }
  }

  private mapLeaves(f: Flow, fn: (leaf: Flow) => Flow): Flow {
    if (f.k === "br") return { k: "br", c: f.c, a: this.mapLeaves(f.a, fn), b: this.mapLeaves(f.b, fn) };
    return fn(f);
  }

  /** Joins fall-through leaves into one, with ite-merged variables, so code after an if is not duplicated. */
  private mergeFalls(f: Flow, kind: "fall" | "brk" | "cont" = "fall"): Flow {
    // Path conditions are only needed when there is something to merge; long return chains
    // (a loop unrolled over a constant) have one leaf and would otherwise cost quadratic work per call.
    if (countLeaves(f, kind, 2) <= 1) return f;
    const leaves: { pc: Expr; env: Env }[] = [];
    const collect = (x: Flow, pc: Expr): void => {
      if (x.k === kind) leaves.push({ pc, env: x.env });
      else if (x.k === "br") {
        collect(x.a, mkAnd(pc, x.c));
        collect(x.b, mkAnd(pc, mkNot(x.c)));
      }
    };
    collect(f, T);
    if (leaves.length <= 1) return f;
    // Leaves that agree on every variable need no merge: code after them runs once per leaf, and the
    // tree keeps the source's shape instead of a disjunction of path conditions.
    if (leaves.length <= 4 && leaves.every((l) => sameEnv(l.env, leaves[0].env))) return f;
    this.tick(leaves.length);
    const merged: Env = new Map();
    const names = new Set<string>();
    for (const l of leaves) for (const n of l.env.keys()) names.add(n);
    for (const n of names) {
      let v: SymVal = leaves[leaves.length - 1].env.get(n) ?? opq(n, "variable unbound on some path");
      for (let i = leaves.length - 2; i >= 0; i--) {
        const lv = leaves[i].env.get(n) ?? opq(n, "variable unbound on some path");
        v = this.ite(leaves[i].pc, lv, v);
      }
      merged.set(n, v);
    }
    const anyPc = mkOr(...leaves.map((l) => l.pc));
    const dead = (x: Flow): Flow | null => {
      if (x.k === kind) return null;
      if (x.k !== "br") return x;
      const a = dead(x.a);
      const b = dead(x.b);
      if (a === null) return b;
      if (b === null) return a;
      return { k: "br", c: x.c, a, b };
    };
    const rest = dead(f);
    const leaf: Flow = kind === "fall" ? { k: "fall", env: merged } : kind === "brk" ? { k: "brk", env: merged } : { k: "cont", env: merged };
    return rest === null ? leaf : { k: "br", c: anyPc, a: leaf, b: rest };
  }

  private branch(c: Expr, a: () => Flow, b: () => Flow): Flow {
    if (c.type === "true") return a();
    if (c.type === "false") return b();
    return { k: "br", c, a: a(), b: b() };
  }

  /** Splits off the paths where evaluating `v` raised. */
  private guardBot(v: SymVal, then: (v: SymVal) => Flow): Flow {
    if (this.tryDepth > 0 && v.k === "opq") {
      // Whether an unknown call raises decides which branch of the try runs.
      return { k: "br", c: opaque(v.text, `may raise: ${v.reason}`), a: { k: "raise" }, b: then(v) };
    }
    const bc = botCond(v);
    if (bc.type === "false") return then(v);
    const clean = stripBot(v);
    return this.branch(bc, () => ({ k: "raise" }), () => then(clean));
  }

  private execStmt(s: PyNode, env: Env, mod: PyModule): Flow {
    const frame: Frame = { mod, env };
    const fall: Flow = { k: "fall", env };
    switch (s.type) {
      case "expression_statement":
        return this.execExprStmt(s, env, frame);
      case "return_statement": {
        const e = s.kids[0];
        if (!e) return { k: "ret", v: NONE };
        // Raising paths become flow so that an enclosing try can catch them.
        return this.guardBot(this.eval(e, frame), (v) => ({ k: "ret", v }));
      }
      case "if_statement":
        return this.execIf(s, env, mod);
      case "pass_statement":
      case "global_statement":
      case "nonlocal_statement":
      case "comment":
        return fall;
      case "break_statement":
        return { k: "brk", env };
      case "continue_statement":
        return { k: "cont", env };
      case "raise_statement":
        return { k: "raise" };
      case "assert_statement": {
        const v = this.eval(s.kids[0], frame);
        return this.guardBot(v, (cv) => this.branch(truthy(cv), () => fall, () => ({ k: "raise" })));
      }
      case "for_statement":
        return this.execFor(s, env, mod);
      case "try_statement":
        return this.execTry(s, env, mod);
      case "import_statement":
      case "import_from_statement": {
        const e2 = new Map(env);
        this.bindImport(s, e2);
        return { k: "fall", env: e2 };
      }
      default:
        return { k: "ret", v: opq(s.text, `unsupported statement: ${s.type}`) };
    }
  }

  private execExprStmt(s: PyNode, env: Env, frame: Frame): Flow {
    const e = s.kids[0];
    if (!e) return { k: "fall", env };
    if (e.type === "assignment") {
      const right = field(e, "right");
      const left = field(e, "left");
      if (!right || !left) return { k: "fall", env };
      const v = this.eval(right, frame);
      return this.guardBot(v, (cv) => {
        const e2 = new Map(env);
        this.assignTarget(left, cv, e2, frame);
        return { k: "fall", env: e2 };
      });
    }
    if (e.type === "augmented_assignment") {
      const left = field(e, "left");
      const op = field(e, "operator")?.text ?? "";
      const right = field(e, "right");
      if (left?.type !== "identifier" || !right) return { k: "ret", v: opq(s.text, "augmented assignment to a non-variable") };
      const cur = this.eval(left, frame);
      const v = this.binop(op.slice(0, -1), cur, this.eval(right, frame), e);
      const e2 = new Map(env);
      e2.set(left.text, v);
      return { k: "fall", env: e2 };
    }
    if (e.type === "string" || e.type === "concatenated_string") return { k: "fall", env };
    // Calls whose effect is a mutation of a local container.
    if (e.type === "call") {
      const fn = field(e, "function");
      if (fn?.type === "attribute") {
        const obj = field(fn, "object");
        const attr = field(fn, "attribute")?.text ?? "";
        if (obj?.type === "identifier" && env.has(obj.text) && ["append", "update", "add", "extend"].includes(attr)) {
          const cur = env.get(obj.text) as SymVal;
          const args = (field(e, "arguments")?.kids ?? []).filter((a) => a.type !== "comment");
          const vals = args.map((a) => this.eval(a, frame));
          const next = mutate(cur, attr, vals);
          const e2 = new Map(env);
          e2.set(obj.text, next ?? opq(obj.text, `mutation by ${attr}()`));
          return { k: "fall", env: e2 };
        }
      }
      const v = this.eval(e, frame);
      return this.guardBot(v, () => ({ k: "fall", env }));
    }
    const v = this.eval(e, frame);
    return this.guardBot(v, () => ({ k: "fall", env }));
  }

  assignTarget(left: PyNode, v: SymVal, env: Env, frame: Frame): void {
    if (left.type === "identifier") {
      env.set(left.text, v);
      return;
    }
    if (left.type === "pattern_list" || left.type === "tuple_pattern" || left.type === "list_pattern") {
      const targets = left.kids.filter((k) => k.type !== "comment");
      const items = v.k === "seq" ? v.items : null;
      targets.forEach((t, i) => {
        const item = items && items.length === targets.length ? items[i] : opq(left.text, "unpacking a non-constant value");
        this.assignTarget(t, item, env, frame);
      });
      return;
    }
    if (left.type === "subscript") {
      const obj = field(left, "value");
      const idx = field(left, "subscript");
      if (obj?.type === "identifier" && idx && env.has(obj.text)) {
        const cur = env.get(obj.text) as SymVal;
        const key = this.eval(idx, frame);
        if (cur.k === "dict" && isConst(key)) {
          const j = cur.keys.findIndex((k) => sameVal(k, key));
          const keys = [...cur.keys];
          const vals = [...cur.vals];
          if (j >= 0) vals[j] = v;
          else {
            keys.push(key);
            vals.push(v);
          }
          env.set(obj.text, { k: "dict", keys, vals });
          return;
        }
        env.set(obj.text, opq(obj.text, "item assignment on a non-dict"));
      }
      return;
    }
    // Attribute assignment and other targets have no effect the rule can read back here.
  }

  private execIf(s: PyNode, env: Env, mod: PyModule): Flow {
    const frame: Frame = { mod, env };
    const test = this.eval(field(s, "condition") as PyNode, frame);
    const cons = body(field(s, "consequence") as PyNode);
    const alts = fieldAll(s, "alternative");
    const elseFlow = (i: number): Flow => {
      const alt = alts[i];
      if (!alt) return { k: "fall", env };
      if (alt.type === "else_clause") return this.execBlock(body(field(alt, "body") as PyNode), { k: "fall", env }, mod);
      const t2 = this.eval(field(alt, "condition") as PyNode, frame);
      return this.guardBot(t2, (c2) =>
        this.branch(
          truthy(c2),
          () => this.narrowed(field(alt, "condition") as PyNode, frame, (e) => this.execBlock(body(field(alt, "consequence") as PyNode), { k: "fall", env: e }, mod)),
          () => elseFlow(i + 1),
        ),
      );
    };
    return this.guardBot(test, (c) =>
      this.branch(truthy(c), () => this.narrowed(field(s, "condition") as PyNode, frame, (e) => this.execBlock(cons, { k: "fall", env: e }, mod)), () => elseFlow(0)),
    );
  }

  /**
   * Runs `then` with the variable a test compared with string literals (`t == "Root"`,
   * `t in ("Role", "User")`) bound to the literal it equals: where the test held, the
   * raw field it holds is one of them. The binding is undone after the block.
   */
  private narrowed(test: PyNode, frame: Frame, then: (env: Env) => Flow): Flow {
    const env = frame.env;
    const ops = fieldAll(test, "operators").map((o) => o.text.replace(/\s+/g, " "));
    const operands = test.kids.filter((k) => k.type !== "comment");
    if (test.type !== "comparison_operator" || ops.length !== 1 || (ops[0] !== "==" && ops[0] !== "in") || operands[0]?.type !== "identifier" || !LITERAL_OPERAND.has(operands[1]?.type ?? "")) return then(env);
    const name = operands[0].text;
    const v = env.get(name);
    if (!v || v.k !== "field" || v.tx.length > 0 || v.json || v.path.length === 0) return then(env);
    const rhs = this.eval(operands[1], frame);
    const lits = ops[0] === "==" ? (rhs.k === "str" ? [rhs.v] : null) : rhs.k === "seq" && rhs.items.every((i) => i.k === "str") ? rhs.items.map((i) => (i as { v: string }).v) : null;
    if (!lits || lits.length === 0 || lits.length > 20) return then(env);
    let value: SymVal = str(lits[lits.length - 1]);
    for (let i = lits.length - 2; i >= 0; i--) value = this.ite(truthy(compareVals(this, "==", v, str(lits[i]), test)), str(lits[i]), value);
    const inner = new Map(env);
    inner.set(name, value);
    const restore = (f: Flow): Flow => {
      if (f.k === "fall" && f.env.get(name) === value) {
        const e = new Map(f.env);
        e.set(name, v);
        return { k: "fall", env: e };
      }
      return f.k === "br" ? { k: "br", c: f.c, a: restore(f.a), b: restore(f.b) } : f;
    };
    return restore(then(inner));
  }

  private execTry(s: PyNode, env: Env, mod: PyModule): Flow {
    const handlers = s.kids.filter((k) => k.type === "except_clause");
    const fin = s.kids.find((k) => k.type === "finally_clause");
    const elseC = s.kids.find((k) => k.type === "else_clause");
    if (fin) return { k: "ret", v: opq(s.text, "try/finally") };
    this.tryDepth++;
    let f: Flow;
    try {
      f = this.execBlock(body(field(s, "body") as PyNode), { k: "fall", env }, mod);
    } finally {
      this.tryDepth--;
    }
    if (elseC) f = this.mergeFalls(this.mapFalls(f, (e) => this.execBlock(body(field(elseC, "body") ?? elseC), { k: "fall", env: e }, mod)));
    if (handlers.length === 0) return f;
    // Any raise in the body runs the first handler (exception types are not distinguished).
    const h = handlers[0];
    const hBody = body(h).filter((k) => k.type === "block");
    const handled = hBody.length > 0 ? this.execBlock(body(hBody[hBody.length - 1]), { k: "fall", env }, mod) : ({ k: "fall", env } as Flow);
    return this.mergeFalls(this.mapLeaves(f, (leaf) => (leaf.k === "raise" ? handled : leaf)));
  }

  private execFor(s: PyNode, env: Env, mod: PyModule): Flow {
    const frame: Frame = { mod, env };
    const left = field(s, "left") as PyNode;
    const iter0 = this.eval(field(s, "right") as PyNode, frame);
    const loopBody = body(field(s, "body") as PyNode);
    if (s.kids.some((k) => k.type === "else_clause")) return { k: "ret", v: opq(s.text, "for/else") };
    return this.guardBot(iter0, (iv) => this.loopOver(s, left, iv, loopBody, env, mod, frame));
  }

  /** A loop over a value; an iterable chosen by a condition (`x or []`) becomes one loop per choice. */
  private loopOver(s: PyNode, left: PyNode, iter: SymVal, loopBody: PyNode[], env: Env, mod: PyModule, frame: Frame): Flow {
    if (iter.k === "ite") {
      return this.mergeFalls(this.branch(iter.c, () => this.loopOver(s, left, iter.a, loopBody, env, mod, frame), () => this.loopOver(s, left, iter.b, loopBody, env, mod, frame)));
    }
    if (iter.k === "none" || iter.k === "num" || iter.k === "bool" || iter.k === "cond") return { k: "raise" };
    if (iter.k === "field" && iter.path.length > 0 && iter.nullv.k === "seq" && iter.nullv.items.length > 0 && iter.tx.length === 0) {
      const nullIter = iter.nullv;
      const name = fieldName(iter.base, iter.path);
      return this.mergeFalls(this.branch(isNullPred(name), () => this.loopOver(s, left, nullIter, loopBody, env, mod, frame), () => this.loopOver(s, left, { ...iter, nullv: { k: "seq", kind: "list", items: [] } }, loopBody, env, mod, frame)));
    }
    const items = this.iterItems(iter);
    if (items) {
      if (items.length > 300) return { k: "ret", v: opq(s.text, "loop over a large constant") };
      let f: Flow = { k: "fall", env };
      for (const it of items) {
        f = this.mapFalls(f, (e) => {
          const e2 = new Map(e);
          this.assignTarget(left, it.v, e2, frame);
          const run = (): Flow => this.execBlock(loopBody, { k: "fall", env: e2 }, mod);
          return it.g.type === "true" ? run() : this.branch(it.g, run, () => ({ k: "fall", env: e }));
        });
        f = this.mapLeaves(f, (l) => (l.k === "cont" ? { k: "fall", env: l.env } : l));
        f = this.mergeFalls(f);
      }
      f = this.mapLeaves(f, (l) => (l.k === "brk" ? { k: "fall", env: l.env } : l));
      return this.mergeFalls(f);
    }
    const over = arrayField(iter);
    if (!over) return this.guardBot(iter, () => ({ k: "ret", v: opq(s.text, `loop over a computed value (${iter.k === "field" ? `field, default ${iter.nullv.k}` : iter.k})`) }));
    return this.quantLoop(s, left, over, loopBody, env, mod);
  }

  /** A loop over an event array: returns become any-quantified conditions. */
  private quantLoop(s: PyNode, left: PyNode, over: FieldVal, loopBody: PyNode[], env: Env, mod: PyModule): Flow {
    const base = this.newBase(over);
    const elem: SymVal = { k: "field", base, path: [], tx: [], nullv: NONE };
    const e2 = new Map(env);
    if (left.type !== "identifier") return { k: "ret", v: opq(s.text, "unpacking loop over an event array") };
    e2.set(left.text, elem);
    const f = this.execBlock(loopBody, { k: "fall", env: e2 }, mod);
    const rets: { pc: Expr; v: SymVal }[] = [];
    const falls: { pc: Expr; env: Env }[] = [];
    let bad: string | null = null;
    const walk = (x: Flow, pc: Expr): void => {
      if (x.k === "br") {
        walk(x.a, mkAnd(pc, x.c));
        walk(x.b, mkAnd(pc, mkNot(x.c)));
      } else if (x.k === "ret") rets.push({ pc, v: x.v });
      else if (x.k === "fall" || x.k === "cont") falls.push({ pc, env: x.env });
      else if (x.k === "brk") bad = "break in a loop over an event array";
      // raise: the element contributes nothing (an error on an element is not an alert).
    };
    walk(f, T);
    if (bad) return { k: "ret", v: opq(s.text, bad) };
    const name = fieldName(over.base, over.path);
    const nonEmpty = pred(name, "is_not_null");
    // Variables changed in the body: constants set under a condition become "any element matched".
    const outEnv = new Map(env);
    const changed = new Set<string>();
    for (const fl of falls) for (const [k, v] of fl.env) if (k !== left.text && env.get(k) !== v) changed.add(k);
    const accumulators = new Set<string>();
    for (const k of changed) {
      const sets = falls.filter((fl) => fl.env.get(k) !== env.get(k));
      const v0 = sets[0].env.get(k) as SymVal;
      if (!env.has(k) || sets.some((fl) => mentionsBase(fl.env.get(k) as SymVal, base))) {
        // A temporary of the loop body: its value after the loop depends on the last element.
        outEnv.set(k, opq(k, "variable set inside a loop over an event array"));
        continue;
      }
      accumulators.add(k);
      if (isConst(v0) && sets.every((fl) => sameVal(fl.env.get(k) as SymVal, v0))) {
        const pc = mkOr(...sets.map((x) => x.pc));
        outEnv.set(k, this.ite(mkQuant("any", name, base, pc, nonEmpty), v0, env.get(k) ?? opq(k, "unbound")));
      } else outEnv.set(k, opq(k, "value accumulated over an event array"));
    }
    if (rets.length === 0) return this.nullLoop(over, { k: "fall", env: outEnv });
    const v0 = rets[0].v;
    const dependsOnElem = (v: SymVal): boolean => mentionsBase(v, base);
    if (accumulators.size === 0 && rets.every((r) => isElement(r.v, base))) {
      // `for e in arr: if P(e): return e` — the first matching element. Only its
      // truthiness is known, and only when no falsy element can satisfy P.
      const pick = mkOr(...rets.map((r) => r.pc));
      const anyPick = mkQuant("any", name, base, pick, nonEmpty);
      if (over.base === 0 && onlyElement(pick, base) && FALSY_ELEMENTS.every((x) => evaluate(anyPick, nest(over.path, [x]), pythonSemantics) === false)) {
        const picked: SymVal = { k: "opq", text: s.text.slice(0, 300), reason: "element returned by a loop over an event array", truth: true };
        return this.nullLoop(over, this.branch(anyPick, () => ({ k: "ret", v: picked }), () => ({ k: "fall", env: outEnv })));
      }
    }
    if (!rets.every((r) => sameVal(r.v, v0)) || dependsOnElem(v0)) {
      // Different returns: the first matching element decides. Only boolean returns can be split.
      const tr = rets.map((r) => ({ pc: r.pc, t: constTruth(r.v) }));
      if (tr.some((r) => r.t === undefined)) return { k: "ret", v: opq(s.text, "loop returns element-dependent values") };
      if (accumulators.size > 0) return { k: "ret", v: opq(s.text, "loop returns and accumulates") };
      return { k: "ret", v: opq(s.text, "loop returns both true and false depending on the first matching element") };
    }
    const anyRet = mkQuant("any", name, base, mkOr(...rets.map((r) => r.pc)), nonEmpty);
    if (accumulators.size > 0) return { k: "ret", v: opq(s.text, "loop returns and accumulates") };
    return this.nullLoop(over, this.branch(anyRet, () => ({ k: "ret", v: v0 }), () => ({ k: "fall", env: outEnv })));
  }

  /** Iterating None raises; iterating a missing field with an empty default does nothing. */
  private nullLoop(over: FieldVal, f: Flow): Flow {
    if (over.base === 0 && over.path.length === 0) return f;
    if (over.nullv.k === "none" || over.nullv.k === "bot") {
      return this.branch(isNullPred(fieldName(over.base, over.path)), () => ({ k: "raise" }), () => f);
    }
    return f;
  }

  /** Items of a constant iterable (with guards for comprehension-filtered ones), or null. */
  iterItems(v: SymVal): { g: Expr; v: SymVal }[] | null {
    switch (v.k) {
      case "seq":
        return v.items.map((x) => ({ g: T, v: x }));
      case "dict":
        return v.keys.map((x) => ({ g: T, v: x }));
      case "str":
        return v.v.length <= 200 ? [...v.v].map((c) => ({ g: T, v: str(c) })) : null;
      case "gen":
        return v.items;
      default:
        return null;
    }
  }

  // ---------- expressions ----------

  eval(n: PyNode, frame: Frame): SymVal {
    this.tick();
    switch (n.type) {
      case "identifier":
        return this.lookup(n.text, frame);
      case "string":
        return this.evalString(n, frame);
      case "concatenated_string": {
        const parts = n.kids.filter((k) => k.type === "string").map((k) => this.evalString(k, frame));
        if (parts.every((p) => p.k === "str")) return str(parts.map((p) => (p as { v: string }).v).join(""));
        return opq(n.text, "string built from values");
      }
      case "integer": {
        const t = n.text.replace(/_/g, "").toLowerCase();
        const v = t.startsWith("0x") ? parseInt(t, 16) : t.startsWith("0o") ? parseInt(t.slice(2), 8) : t.startsWith("0b") ? parseInt(t.slice(2), 2) : Number(t);
        return Number.isFinite(v) ? num(v) : opq(n.text, "number literal");
      }
      case "float":
        return num(Number(n.text.replace(/_/g, "")));
      case "true":
        return TRUE_V;
      case "false":
        return FALSE_V;
      case "none":
        return NONE;
      case "parenthesized_expression":
        return n.kids[0] ? this.eval(n.kids[0], frame) : NONE;
      case "list":
      case "tuple":
      case "set":
      case "expression_list": {
        const items: SymVal[] = [];
        for (const k of n.kids) {
          if (k.type === "comment") continue;
          if (k.type === "list_splat") {
            const inner = this.iterItems(this.eval(k.kids[0], frame));
            if (!inner || inner.some((x) => x.g.type !== "true")) return opq(n.text, "splat of a non-constant");
            items.push(...inner.map((x) => x.v));
          } else items.push(this.eval(k, frame));
        }
        return { k: "seq", kind: n.type === "list" ? "list" : n.type === "set" ? "set" : "tuple", items };
      }
      case "dictionary": {
        const keys: SymVal[] = [];
        const vals: SymVal[] = [];
        for (const p of n.kids) {
          if (p.type === "pair") {
            keys.push(this.eval(field(p, "key") as PyNode, frame));
            vals.push(this.eval(field(p, "value") as PyNode, frame));
          } else if (p.type === "dictionary_splat") {
            const d = this.eval(p.kids[0], frame);
            if (d.k !== "dict") return opq(n.text, "dict splat of a non-constant");
            keys.push(...d.keys);
            vals.push(...d.vals);
          }
        }
        return { k: "dict", keys, vals };
      }
      case "attribute":
        return this.evalAttribute(n, frame);
      case "subscript":
        return this.evalSubscript(n, frame);
      case "call":
        return this.evalCall(n, frame);
      case "not_operator": {
        const v = this.eval(field(n, "argument") as PyNode, frame);
        return this.lift1(v, (x) => (x.k === "bot" ? BOT : cond(mkNot(truthy(x)))));
      }
      case "boolean_operator":
        return this.evalBool(n, frame);
      case "comparison_operator":
        return this.evalCompare(n, frame);
      case "conditional_expression": {
        const [a, c, b] = n.kids.filter((k) => k.type !== "comment");
        const cv = this.eval(c, frame);
        const t = truthy(stripBot(cv));
        const bc = botCond(cv);
        const r = this.ite(t, this.eval(a, frame), this.eval(b, frame));
        return bc.type === "false" ? r : this.ite(bc, BOT, r);
      }
      case "binary_operator": {
        const op = field(n, "operator")?.text ?? "";
        return this.binop(op, this.eval(field(n, "left") as PyNode, frame), this.eval(field(n, "right") as PyNode, frame), n);
      }
      case "unary_operator": {
        const op = field(n, "operator")?.text ?? "";
        const v = this.eval(field(n, "argument") as PyNode, frame);
        if (v.k === "num") return num(op === "-" ? -v.v : op === "~" ? ~v.v : v.v);
        return opq(n.text, "unary operator on a non-constant");
      }
      case "list_comprehension":
      case "generator_expression":
      case "set_comprehension":
        return this.evalComprehension(n, frame);
      case "dictionary_comprehension":
        return opq(n.text, "dict comprehension");
      case "lambda":
        return opq(n.text, "lambda");
      case "named_expression": {
        const v = this.eval(field(n, "value") as PyNode, frame);
        const nm = field(n, "name");
        if (nm) frame.env.set(nm.text, v);
        return v;
      }
      case "ellipsis":
        return NONE;
      case "ERROR":
        return opq(n.text, "syntax error");
      default:
        return opq(n.text, `unsupported expression: ${n.type}`);
    }
  }

  lookup(name: string, frame: Frame): SymVal {
    const local = frame.env.get(name);
    if (local) return local;
    const g = this.globalsOf(frame.mod).get(name);
    if (g) return this.opts.mocks?.has(name) ? this.mocked(name, g) : g;
    return builtinValue(name) ?? opq(name, `unknown name ${name}`);
  }

  private evalString(n: PyNode, frame: Frame): SymVal {
    const parts = n.kids.filter((k) => k.type !== "string_start" && k.type !== "string_end");
    const prefix = (n.kids.find((k) => k.type === "string_start")?.text ?? "'").toLowerCase();
    const raw = prefix.includes("r");
    const pieces: (string | SymVal)[] = [];
    for (const p of parts) {
      if (p.type === "string_content") pieces.push(raw ? p.text : unescapePy(p.text));
      else if (p.type === "escape_sequence") pieces.push(raw ? p.text : unescapePy(p.text));
      else if (p.type === "interpolation") {
        // `!r` and format specs change the text: not modelled.
        if (p.kids.some((k) => k.type === "type_conversion" || k.type === "format_specifier")) return opq(n.text, "f-string with a conversion or format spec");
        const e = p.kids[0];
        pieces.push(e ? this.eval(e, frame) : NONE);
      } else if (p.type !== "comment") pieces.push(p.text);
    }
    // Values chosen by conditions (a variable an if-chain narrowed) give one string per case.
    const build = (i: number, acc: string): SymVal => {
      for (; i < pieces.length; i++) {
        const piece = pieces[i];
        if (typeof piece === "string") {
          acc += piece;
          continue;
        }
        if (piece.k === "str") acc += piece.v;
        else if (piece.k === "num") acc += String(piece.v);
        else if (piece.k === "ite") {
          this.tick();
          const at = acc;
          return this.lift1(piece, (x) => buildWith(i, at, x));
        } else if (piece.k === "bot") return BOT;
        else return opq(n.text, "f-string with a non-constant value");
      }
      return str(acc);
    };
    const buildWith = (i: number, acc: string, x: SymVal): SymVal => {
      if (x.k === "str") return build(i + 1, acc + x.v);
      if (x.k === "num") return build(i + 1, acc + String(x.v));
      if (x.k === "bot") return BOT;
      return opq(n.text, "f-string with a non-constant value");
    };
    return build(0, "");
  }

  private evalAttribute(n: PyNode, frame: Frame): SymVal {
    const obj = this.eval(field(n, "object") as PyNode, frame);
    const attr = field(n, "attribute")?.text ?? "";
    return this.lift1(obj, (o) => {
      if (o.k === "module") return this.memberOf(o.name, attr);
      if (o.k === "bot") return BOT;
      if (o.k === "opq") return opq(n.text, o.reason);
      if (o.k === "builtin" && o.name === "ipaddress.IP" && o.self?.k === "field") return ipProperty(o.self, attr, n);
      if (o.k === "builtin" && o.name === "ipaddress.IP" && o.self?.k === "str") return constIpProperty(o.self.v, attr, n);
      return { k: "builtin", name: attr, self: o };
    });
  }

  private evalSubscript(n: PyNode, frame: Frame): SymVal {
    const obj = this.eval(field(n, "value") as PyNode, frame);
    const subs = fieldAll(n, "subscript");
    if (subs.length !== 1) return opq(n.text, "multi-index subscript");
    const s = subs[0];
    if (s.type === "slice") {
      const parts = s.kids.map((k) => this.eval(k, frame));
      return this.lift1(obj, (o) => sliceVal(o, parts, s.text, n.text));
    }
    const key = this.eval(s, frame);
    return this.lift2(obj, key, (o, k) => methodCall(this, o, "__getitem__", [k], new Map(), n));
  }

  private evalCall(n: PyNode, frame: Frame): SymVal {
    const fnNode = field(n, "function") as PyNode;
    const argsNode = field(n, "arguments");
    const args: SymVal[] = [];
    const kw = new Map<string, SymVal>();
    if (argsNode?.type === "generator_expression") args.push(this.eval(argsNode, frame));
    else
      for (const a of argsNode?.kids ?? []) {
        if (a.type === "comment") continue;
        if (a.type === "keyword_argument") kw.set(field(a, "name")?.text ?? "", this.eval(field(a, "value") as PyNode, frame));
        else if (a.type === "list_splat") {
          const inner = this.iterItems(this.eval(a.kids[0], frame));
          if (!inner || inner.some((x) => x.g.type !== "true")) return opq(n.text, "*args of a non-constant");
          args.push(...inner.map((x) => x.v));
        } else if (a.type === "dictionary_splat") {
          const d = this.eval(a.kids[0], frame);
          if (d.k !== "dict") return opq(n.text, "**kwargs of a non-constant");
          d.keys.forEach((k, i) => kw.set(k.k === "str" ? k.v : "", d.vals[i]));
        } else args.push(this.eval(a, frame));
      }
    const fn = this.eval(fnNode, frame);
    return this.callValue(fn, args, kw, n, frame);
  }

  private evalBool(n: PyNode, frame: Frame): SymVal {
    const op = field(n, "operator")?.text;
    const a = this.eval(field(n, "left") as PyNode, frame);
    const b = this.eval(field(n, "right") as PyNode, frame);
    return this.boolOp(op === "and" ? "and" : "or", a, b);
  }

  /** Python `and`/`or` return an operand: value-level if-then-else. */
  boolOp(op: "and" | "or", a: SymVal, b: SymVal): SymVal {
    const ta = constTruth(a);
    if (ta !== undefined) return op === "and" ? (ta ? b : a) : ta ? a : b;
    const bc = botCond(a);
    const ca = stripBot(a);
    const t = truthy(ca);
    const falsy: SymVal = isBoolish(ca) ? FALSE_V : ca;
    const truthyV: SymVal = isBoolish(ca) ? TRUE_V : ca;
    const r = op === "and" ? this.ite(t, b, falsy) : this.ite(t, truthyV, b);
    return bc.type === "false" ? r : this.ite(bc, BOT, r);
  }

  private evalCompare(n: PyNode, frame: Frame): SymVal {
    const operands = n.kids.filter((k) => k.type !== "comment");
    const ops = fieldAll(n, "operators").map((o) => o.text.replace(/\s+/g, " "));
    const vals = operands.map((o) => this.eval(o, frame));
    let result: SymVal = TRUE_V;
    for (let i = 0; i < ops.length; i++) {
      const c = this.compare(ops[i], vals[i], vals[i + 1], n);
      result = i === 0 ? c : this.boolOp("and", result, c);
    }
    return result;
  }

  compare(op: string, a: SymVal, b: SymVal, n: PyNode): SymVal {
    return this.lift2(a, b, (x, y) => {
      if (x.k === "bot" || y.k === "bot") return BOT;
      if (op === "in" || op === "not in") {
        const r = containsVal(this, y, x, n);
        return op === "in" ? r : this.lift1(r, (v) => (v.k === "bot" ? BOT : cond(mkNot(truthy(v)))));
      }
      return compareVals(this, op, x, y, n);
    });
  }

  binop(op: string, a: SymVal, b: SymVal, n: PyNode): SymVal {
    return this.lift2(a, b, (x, y) => {
      if (x.k === "bot" || y.k === "bot") return BOT;
      if (x.k === "num" && y.k === "num") {
        switch (op) {
          case "+": return num(x.v + y.v);
          case "-": return num(x.v - y.v);
          case "*": return num(x.v * y.v);
          case "/": return y.v === 0 ? BOT : num(x.v / y.v);
          case "//": return y.v === 0 ? BOT : num(Math.floor(x.v / y.v));
          case "%": return y.v === 0 ? BOT : num(((x.v % y.v) + y.v) % y.v);
          case "|": return num(x.v | y.v);
          case "&": return num(x.v & y.v);
          case "^": return num(x.v ^ y.v);
          case "**": return num(x.v ** y.v);
          default: return opq(n.text, `operator ${op}`);
        }
      }
      if (op === "+" && x.k === "str" && y.k === "str") return str(x.v + y.v);
      if (op === "+" && x.k === "seq" && y.k === "seq") return { k: "seq", kind: x.kind, items: [...x.items, ...y.items] };
      if (op === "%" && x.k === "str" && isConst(y)) return opq(n.text, "string formatting");
      if (op === "|" && x.k === "dict" && y.k === "dict") return mergeDicts(x, y);
      if (op === "|" && x.k === "seq" && y.k === "seq" && x.kind === "set") return { k: "seq", kind: "set", items: [...x.items, ...y.items.filter((i) => !x.items.some((j) => sameVal(i, j)))] };
      if (op === "-" && x.k === "seq" && y.k === "seq" && x.kind === "set" && isConst(x) && isConst(y)) return { k: "seq", kind: "set", items: x.items.filter((i) => !y.items.some((j) => sameVal(i, j))) };
      if (op === "&" && x.k === "seq" && y.k === "seq" && x.kind === "set" && y.kind === "set" && isConst(x) && isConst(y)) return { k: "seq", kind: "set", items: x.items.filter((i) => y.items.some((j) => sameVal(i, j))) };
      if (op === "&" && x.k === "seq" && x.kind === "set" && y.k === "opq" && y.setOf) return intersectConst(this, x, y, n) ?? opq(n.text, `operator ${op} on event values`);
      if (op === "&" && y.k === "seq" && y.kind === "set" && x.k === "opq" && x.setOf) return intersectConst(this, y, x, n) ?? opq(n.text, `operator ${op} on event values`);
      return opq(n.text, `operator ${op} on event values`);
    });
  }

  private evalComprehension(n: PyNode, frame: Frame): SymVal {
    const bodyNode = field(n, "body") as PyNode;
    const clauses = n.kids.filter((k) => k.type === "for_in_clause" || k.type === "if_clause");
    const first = clauses[0];
    if (!first || first.type !== "for_in_clause") return opq(n.text, "comprehension");
    if (clauses.filter((c) => c.type === "for_in_clause").length > 1) return opq(n.text, "nested comprehension");
    const left = field(first, "left") as PyNode;
    const iterV = this.eval(field(first, "right") as PyNode, frame);
    const ifs = clauses.slice(1).map((c) => c.kids[0]);
    return this.lift1(iterV, (iter) => this.comprehensionOver(n, bodyNode, left, iter, ifs, frame));
  }

  private comprehensionOver(n: PyNode, bodyNode: PyNode, left: PyNode, iter: SymVal, ifs: PyNode[], frame: Frame): SymVal {
    if (iter.k === "bot") return BOT;
    const items = this.iterItems(iter);
    if (items) {
      if (items.length > 500) return opq(n.text, "comprehension over a large constant");
      const out: { g: Expr; v: SymVal }[] = [];
      for (const it of items) {
        const env = new Map(frame.env);
        this.assignTarget(left, it.v, env, frame);
        const f2: Frame = { mod: frame.mod, env };
        let g = it.g;
        for (const c of ifs) g = mkAnd(g, truthy(stripBot(this.eval(c, f2))));
        if (g.type === "false") continue;
        out.push({ g, v: this.eval(bodyNode, f2) });
      }
      if (n.type !== "generator_expression" && out.every((o) => o.g.type === "true")) {
        return { k: "seq", kind: n.type === "set_comprehension" ? "set" : "list", items: out.map((o) => o.v) };
      }
      return { k: "gen", items: out };
    }
    const over = arrayField(iter);
    if (!over || left.type !== "identifier") return opq(n.text, "comprehension over a computed value");
    const base = this.newBase(over);
    const env = new Map(frame.env);
    env.set(left.text, { k: "field", base, path: [], tx: [], nullv: NONE });
    const f2: Frame = { mod: frame.mod, env };
    let g: Expr = T;
    for (const c of ifs) g = mkAnd(g, truthy(stripBot(this.eval(c, f2))));
    return { k: "qgen", base, over, g, v: this.eval(bodyNode, f2) };
  }

  // ---------- lifting over value-level ite ----------

  lift1(v: SymVal, f: (x: SymVal) => SymVal): SymVal {
    this.tick();
    if (v.k === "ite") return this.ite(v.c, this.lift1(v.a, f), this.lift1(v.b, f));
    return f(v);
  }

  lift2(a: SymVal, b: SymVal, f: (x: SymVal, y: SymVal) => SymVal): SymVal {
    return this.lift1(a, (x) => this.lift1(b, (y) => f(x, y)));
  }

  /** A mocked name: unknown in the tests that mock it (MOCK_FLAG set by prepareEvent), itself elsewhere. */
  private mocked(name: string, v: SymVal): SymVal {
    const flag = pred(`${MOCK_FLAG}.${name}`, "eq", [true]);
    const unknown = opq(name, `replaced by a test mock`);
    if (v.k === "func") return { k: "ite", c: flag, a: unknown, b: v };
    return this.ite(flag, unknown, v);
  }

  dataModel(): DataModel | undefined {
    this.usedUdm = true;
    return this.opts.logType ? this.opts.program.dataModels.get(this.opts.logType) : undefined;
  }
}

export type FieldVal = SymVal & { k: "field" };

/** panther_base_helpers.deep_get(obj, *keys, default=None): the value at the path, default when missing or None. */
function deepGet(it: Interp, args: SymVal[], kw: Map<string, SymVal>, def: PyNode): SymVal {
  const [obj, ...keys] = args;
  const dflt = kw.get("default") ?? NONE;
  if (!obj || keys.some((k) => k.k !== "str")) return opq(def.text.slice(0, 80), "deep_get with computed keys");
  const path = keys.map((k) => (k as { v: string }).v);
  return it.lift1(obj, (o) => {
    if (o.k === "field" && o.tx.length === 0 && !o.json) {
      const raw: SymVal = { k: "field", base: o.base, path: [...o.path, ...path], tx: [], nullv: dflt };
      if (o.path.length === 0) return raw;
      // A missing/None object: deep_get returns the default too, unless the object's own default is a dict holding the keys.
      return o.nullv.k === "dict" && o.nullv.keys.length > 0 ? opq("deep_get(...)", "deep_get on a value with a non-empty default") : raw;
    }
    if (o.k === "dict" || o.k === "none") {
      let cur: SymVal = o;
      for (const k of path) {
        if (cur.k !== "dict") return dflt;
        const i = cur.keys.findIndex((x) => x.k === "str" && x.v === k);
        if (i < 0) return dflt;
        cur = cur.vals[i];
      }
      return cur.k === "none" ? dflt : cur;
    }
    if (o.k === "bot") return BOT;
    return opq("deep_get(...)", "deep_get on a computed value");
  });
}

function arrayField(v: SymVal): FieldVal | null {
  if (v.k === "field" && v.tx.length === 0 && !v.json) {
    if (v.nullv.k === "seq" && v.nullv.items.length === 0) return v;
    if (v.nullv.k === "none" || v.nullv.k === "bot") return v;
  }
  return null;
}

function isBoolish(v: SymVal): boolean {
  if (v.k === "bool" || v.k === "cond") return true;
  if (v.k === "ite") return isBoolish(v.a) && isBoolish(v.b);
  return false;
}

/** Leaves of `kind` in a flow tree, counting stops at `limit`. */
function countLeaves(f: Flow, kind: Flow["k"], limit: number): number {
  let n = 0;
  const stack: Flow[] = [f];
  while (stack.length > 0 && n < limit) {
    const x = stack.pop() as Flow;
    if (x.k === kind) n++;
    else if (x.k === "br") stack.push(x.b, x.a);
  }
  return n;
}

export function sameVal(a: SymVal, b: SymVal, depth = 0): boolean {
  if (a === b) return true;
  if (a.k !== b.k || depth > 50) return false;
  switch (a.k) {
    case "none":
    case "bot":
      return true;
    case "bool":
    case "num":
    case "str":
      return a.v === (b as typeof a).v;
    case "seq": {
      const y = b as typeof a;
      return a.kind === y.kind && a.items.length === y.items.length && a.items.every((x, i) => sameVal(x, y.items[i], depth + 1));
    }
    case "dict": {
      const y = b as typeof a;
      return a.keys.length === y.keys.length && a.keys.every((x, i) => sameVal(x, y.keys[i], depth + 1) && sameVal(a.vals[i], y.vals[i], depth + 1));
    }
    case "field": {
      const y = b as typeof a;
      return a.base === y.base && !!a.json === !!y.json && a.path.join("\u0000") === y.path.join("\u0000") && JSON.stringify(a.tx) === JSON.stringify(y.tx) && sameVal(a.nullv, y.nullv, depth + 1);
    }
    case "cond":
      return keyOf(a.e) === keyOf((b as typeof a).e);
    case "ite": {
      const y = b as typeof a;
      return keyOf(a.c) === keyOf(y.c) && sameVal(a.a, y.a, depth + 1) && sameVal(a.b, y.b, depth + 1);
    }
    case "opq":
      return a.text === (b as typeof a).text && a.reason === (b as typeof a).reason;
    case "func":
      return a.def === (b as typeof a).def;
    case "builtin":
      return a.name === (b as typeof a).name && (a.self === undefined ? (b as typeof a).self === undefined : (b as typeof a).self !== undefined && sameVal(a.self, (b as typeof a).self as SymVal, depth + 1));
    case "module":
      return a.name === (b as typeof a).name;
    case "regex":
      return a.pattern === (b as typeof a).pattern && a.flags === (b as typeof a).flags;
    default:
      return false;
  }
}

const MUTATORS = new Set(["append", "update", "add", "extend", "pop", "clear", "setdefault", "remove", "insert", "discard", "popitem"]);

/**
 * Module-level names that functions change at run time (`global X`, `X[k] = v`,
 * `X.append(...)`): module state, so their value is not the one written in the source.
 */
function mutableGlobals(root: PyNode, g: Env): void {
  const hit = new Set<string>();
  const rootName = (n: PyNode | undefined): string | undefined => {
    let x = n;
    for (let i = 0; x && i < 20; i++) {
      if (x.type === "identifier") return x.text;
      x = field(x, "value") ?? field(x, "object");
    }
    return undefined;
  };
  const stack: { n: PyNode; inFn: boolean }[] = [{ n: root, inFn: false }];
  let guard = 0;
  while (stack.length > 0 && guard++ < 200_000) {
    const { n, inFn } = stack.pop() as { n: PyNode; inFn: boolean };
    if (inFn) {
      if (n.type === "global_statement") for (const k of n.kids) if (k.type === "identifier") hit.add(k.text);
      if ((n.type === "assignment" || n.type === "augmented_assignment") && field(n, "left")?.type !== "identifier") {
        const r = rootName(field(n, "left"));
        if (r) hit.add(r);
      }
      if (n.type === "call") {
        const fn = field(n, "function");
        if (fn?.type === "attribute" && MUTATORS.has(field(fn, "attribute")?.text ?? "")) {
          const r = rootName(field(fn, "object"));
          if (r) hit.add(r);
        }
      }
    }
    for (const k of n.kids) stack.push({ n: k, inFn: inFn || n.type === "function_definition" });
  }
  for (const name of hit) {
    const v = g.get(name);
    if (v && v.k !== "func" && v.k !== "module") g.set(name, opq(name, "module state changed at run time"));
  }
}

function sameEnv(a: Env, b: Env): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w || !(v === w || sameVal(v, w))) return false;
  }
  return true;
}

function mentionsBase(v: SymVal, base: number, depth = 0): boolean {
  if (depth > 50) return true;
  switch (v.k) {
    case "field":
      return v.base === base || mentionsBase(v.nullv, base, depth + 1);
    case "cond":
      return basesOf(v.e).has(base);
    case "ite":
      return basesOf(v.c).has(base) || mentionsBase(v.a, base, depth + 1) || mentionsBase(v.b, base, depth + 1);
    case "seq":
      return v.items.some((x) => mentionsBase(x, base, depth + 1));
    case "dict":
      return v.vals.some((x) => mentionsBase(x, base, depth + 1)) || v.keys.some((x) => mentionsBase(x, base, depth + 1));
    default:
      return false;
  }
}

/** Where evaluating the value raised. */
// Values are immutable and shared between many paths: their conditions are worth memoising.
const BOT_CONDS = new WeakMap<SymVal, Expr>();
const TRUTHS = new WeakMap<SymVal, Expr>();

export function botCond(v: SymVal): Expr {
  if (v.k === "bot") return T;
  if (v.k === "ite") {
    let c = BOT_CONDS.get(v);
    if (c === undefined) BOT_CONDS.set(v, (c = mkIte(v.c, botCond(v.a), botCond(v.b))));
    return c;
  }
  // A field whose missing case raised (`event.get("a").lower()`): Python raised at that point.
  if (v.k === "field" && v.path.length > 0) {
    const nb = botCond(v.nullv);
    return nb.type === "false" ? F : mkAnd(isNullPred(fieldName(v.base, v.path)), nb);
  }
  return F;
}

/** The value on the paths where it did not raise. */
export function stripBot(v: SymVal): SymVal {
  if (v.k === "field" && v.path.length > 0 && v.nullv.k !== "none") {
    const nb = botCond(v.nullv);
    if (nb.type === "false") return v;
    return { ...v, nullv: nb.type === "true" ? NONE : stripBot(v.nullv) };
  }
  if (v.k !== "ite") return v;
  if (v.a.k === "bot") return stripBot(v.b);
  if (v.b.k === "bot") return stripBot(v.a);
  const a = stripBot(v.a);
  const b = stripBot(v.b);
  return a === v.a && b === v.b ? v : { k: "ite", c: v.c, a, b };
}

/** Python truthiness of a value as a condition; raising paths count as false. */
export function truthy(v: SymVal): Expr {
  const t = constTruth(v);
  if (t !== undefined) return t ? T : F;
  switch (v.k) {
    case "cond":
      return v.e;
    case "ite": {
      let c = TRUTHS.get(v);
      if (c === undefined) TRUTHS.set(v, (c = mkIte(v.c, truthy(v.a), truthy(v.b))));
      return c;
    }
    case "bot":
      return F;
    case "opq":
      return opaque(v.text, v.reason);
    case "field": {
      const name = fieldName(v.base, v.path);
      if (v.json) return opaque(`${name} (parsed JSON)`, "truthiness of parsed JSON");
      const raw = mkAnd(splitInRange(name, v.tx), truthPred(name, v.tx));
      if (v.base !== 0 && v.path.length === 0) return raw;
      const nt = truthy(v.nullv);
      // truthPred is false on a missing field already.
      return nt.type === "false" ? raw : mkIte(isNullPred(name), nt, raw);
    }
    case "gen":
      return mkOr(...v.items.map((i) => mkAnd(i.g, truthy(i.v))));
    case "len": {
      const name = fieldName(v.of.base, v.of.path);
      const nl = lenOfConst(v.of.nullv);
      const raw = pred(name, "is_not_null");
      return nl === undefined ? mkAnd(mkNot(isNullPred(name)), raw) : nl > 0 ? mkOr(isNullPred(name), raw) : raw;
    }
    case "qgen": {
      const name = fieldName(v.over.base, v.over.path);
      return mkQuant("any", name, v.base, v.g, pred(name, "is_not_null"));
    }
    default:
      return T;
  }
}

function mutate(cur: SymVal, attr: string, vals: SymVal[]): SymVal | null {
  if (attr === "append" && cur.k === "seq" && vals.length === 1) return { ...cur, items: [...cur.items, vals[0]] };
  if (attr === "add" && cur.k === "seq" && vals.length === 1) return { ...cur, items: [...cur.items, vals[0]] };
  if (attr === "extend" && cur.k === "seq" && vals.length === 1 && vals[0].k === "seq") return { ...cur, items: [...cur.items, ...vals[0].items] };
  if (attr === "update" && cur.k === "dict" && vals.length === 1 && vals[0].k === "dict") return mergeDicts(cur, vals[0]);
  return null;
}

function mergeDicts(x: SymVal & { k: "dict" }, y: SymVal & { k: "dict" }): SymVal {
  const keys = [...x.keys];
  const vals = [...x.vals];
  y.keys.forEach((k, i) => {
    const j = keys.findIndex((kk) => sameVal(kk, k));
    if (j >= 0) vals[j] = y.vals[i];
    else {
      keys.push(k);
      vals.push(y.vals[i]);
    }
  });
  return { k: "dict", keys, vals };
}

function sliceVal(o: SymVal, parts: SymVal[], sliceText: string, text: string): SymVal {
  // None and numbers cannot be sliced (TypeError).
  if (o.k === "bot" || o.k === "none" || o.k === "num" || o.k === "bool") return BOT;
  if (o.k === "str" || o.k === "seq") {
    const nums = sliceText.split(":").map((p, i) => (p.trim() === "" ? undefined : parts.shift()));
    const [a, b, step] = nums;
    if ([a, b, step].some((x) => x !== undefined && x.k !== "num")) return opq(text, "slice with non-constant bounds");
    if (step !== undefined) return opq(text, "slice with a step");
    const len = o.k === "str" ? o.v.length : o.items.length;
    const norm = (x: SymVal | undefined, d: number): number => {
      if (x === undefined || x.k !== "num") return d;
      return x.v < 0 ? Math.max(0, len + x.v) : Math.min(len, x.v);
    };
    const s = norm(a, 0);
    const e = norm(b, len);
    return o.k === "str" ? str(o.v.slice(s, e)) : { k: "seq", kind: o.kind, items: o.items.slice(s, e) };
  }
  if (o.k === "field" && !o.json) {
    // `segment[m:]` of a split segment: a transform string comparisons fold into a regex.
    const last = o.tx[o.tx.length - 1];
    const bounds = sliceText.split(":");
    const a = parts[0];
    if (last?.op === "split" && last.index >= 0 && bounds.length === 2 && bounds[1].trim() === "" && bounds[0].trim() !== "" && a?.k === "num" && Number.isInteger(a.v) && a.v >= 0) {
      return { ...o, tx: [...o.tx, { op: "slice", start: a.v }], nullv: sliceVal(o.nullv, [a], sliceText, text) };
    }
  }
  return opq(text, "slice of an event value");
}

function unescapePy(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}]*\}|[0-7]{1,3}|.|\n)/g, (m, e: string) => {
    switch (e[0]) {
      case "n": return "\n";
      case "t": return "\t";
      case "r": return "\r";
      case "\\": return "\\";
      case "'": return "'";
      case '"': return '"';
      case "\n": return "";
      case "a": return "\x07";
      case "b": return "\b";
      case "f": return "\f";
      case "v": return "\v";
      case "x":
      case "u":
      case "U":
        return String.fromCodePoint(parseInt(e.slice(1), 16));
      default:
        if (/^[0-7]+$/.test(e)) return String.fromCharCode(parseInt(e, 8));
        return m;
    }
  });
}

const BUILTIN_NAMES = new Set([
  "any", "all", "len", "isinstance", "str", "int", "float", "bool", "set", "list", "tuple", "dict",
  "sorted", "min", "max", "sum", "abs", "range", "enumerate", "zip", "frozenset", "print", "type", "hasattr", "getattr", "filter", "map", "reversed",
]);
const TYPE_NAMES = new Set(["str", "int", "float", "bool", "list", "dict", "tuple", "set", "frozenset", "bytes", "Mapping", "Sequence", "MutableMapping"]);

function builtinValue(name: string): SymVal | undefined {
  if (BUILTIN_NAMES.has(name) || TYPE_NAMES.has(name)) return { k: "builtin", name };
  return undefined;
}

export type { Frame, Env };

/** Python's falsy values as array elements (0.0 is 0 here). */
const FALSY_ELEMENTS: unknown[] = [null, false, 0, "", [], {}];

function isElement(v: SymVal, base: number): boolean {
  return v.k === "field" && v.base === base && v.path.length === 0 && v.tx.length === 0 && !v.json;
}

/** The condition reads nothing but the element (no outer field, no opaque leaf). */
function onlyElement(e: Expr, base: number): boolean {
  const bs = basesOf(e);
  return bs.size === 1 && bs.has(base);
}

/** An event holding `leaf` at `path`. */
function nest(path: string[], leaf: unknown): unknown {
  return path.reduceRight<unknown>((acc, k) => ({ [k]: acc }), leaf);
}
