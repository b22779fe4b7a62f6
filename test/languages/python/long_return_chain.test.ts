import assert from "node:assert/strict";
import { test } from "node:test";
import { compileRule as compile, opaqueReasons, run } from "./compile-helpers.js";

// A loop over a large constant with a return in its body unrolls to a long return chain;
// compiling it must stay fast (the chain used to be re-walked after every iteration).
const DOMAINS = Array.from({ length: 300 }, (_, i) => `"d${i}.example"`).join(", ");
const PY = `DOMAINS = {${DOMAINS}}

def rule(event):
    name = event.get("query")
    if not name:
        return False
    for d in DOMAINS:
        if name.rstrip(".").endswith(d):
            return True
    return False
`;

test("a 300-way unrolled return chain compiles quickly and exactly", () => {
  const t = performance.now();
  const e = compile(PY, [{ query: "a.d1.example." }]);
  assert.ok(performance.now() - t < 3000, `took ${performance.now() - t} ms`);
  assert.deepEqual(opaqueReasons(e), []);
  assert.equal(run(e, { query: "x.d299.example." }), true);
  assert.equal(run(e, { query: "x.d300.example" }), false);
  assert.equal(run(e, { query: "" }), false);
  assert.equal(run(e, {}), false);
});
