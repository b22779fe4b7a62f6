// What the Python construct tests share: compile a fixture's rule() the way the
// Panther adapter does, evaluate it, and list its opaque reasons.
import { loadModule } from "../../../src/formats/panther/context.js";
import { typeOracle } from "../../../src/formats/panther/tests.js";
import { initPython } from "../../../src/languages/python/parser.js";
import { emptyProgram } from "../../../src/languages/python/program.js";
import { pythonSemantics } from "../../../src/languages/python/semantics.js";
import { translateCondition } from "../../../src/languages/python/translate.js";
import { type Truth, evaluate } from "../../../src/model/evaluate.js";
import type { Expr } from "../../../src/model/expr.js";
import { simplify } from "../../../src/model/simplify.js";

await initPython();

/** Compiles `rule()` with field types learnt from the sample logs, as the Panther adapter does. */
export function compileRule(py: string, samples: unknown[] = []): Expr {
  const mod = loadModule("rule:t.py", "t.py", py, []);
  const types = typeOracle(samples.map((event, i) => ({ name: `s${i}`, expected: false, event })));
  return simplify(translateCondition(mod, "rule", emptyProgram(), [], types).condition);
}

export const run = (e: Expr, ev: unknown): Truth => evaluate(e, ev, pythonSemantics);

export function opaqueReasons(e: Expr): string[] {
  const out: string[] = [];
  const w = (x: Expr): void => {
    if (x.type === "opaque") out.push(x.reason);
    else if (x.type === "and" || x.type === "or") x.args.forEach(w);
    else if (x.type === "not") w(x.arg);
    else if (x.type === "quant") w(x.cond);
  };
  w(e);
  return out;
}
