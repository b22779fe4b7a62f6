import assert from "node:assert/strict";
import { test } from "node:test";
import { expandPattern, parseCondition, splitAggregation } from "../../../src/languages/sigma/condition.js";

const id = (name: string) => ({ t: "id", name });
/** Drops positions so trees compare by shape. */
function shape(n: unknown): unknown {
  if (Array.isArray(n)) return n.map(shape);
  if (n && typeof n === "object") {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(n)) if (k !== "pos") o[k] = shape(v);
    return o;
  }
  return n;
}

test("and binds tighter than or", () => {
  assert.deepEqual(shape(parseCondition("a or b and c")), { t: "or", args: [id("a"), { t: "and", args: [id("b"), id("c")] }] });
});

test("not binds tighter than and", () => {
  assert.deepEqual(shape(parseCondition("not a and b")), { t: "and", args: [{ t: "not", arg: id("a") }, id("b")] });
});

test("not applies to a whole 'x of' group", () => {
  assert.deepEqual(shape(parseCondition("selection and not 1 of filter_*")), {
    t: "and",
    args: [id("selection"), { t: "not", arg: { t: "of", quant: "any", pattern: "filter_*" } }],
  });
});

test("parentheses override precedence", () => {
  assert.deepEqual(shape(parseCondition("(a or b) and not (c or d)")), {
    t: "and",
    args: [{ t: "or", args: [id("a"), id("b")] }, { t: "not", arg: { t: "or", args: [id("c"), id("d")] } }],
  });
});

test("x of forms: 1 of, all of, them", () => {
  assert.deepEqual(shape(parseCondition("all of selection_*")), { t: "of", quant: "all", pattern: "selection_*" });
  assert.deepEqual(shape(parseCondition("1 of them")), { t: "of", quant: "any", pattern: "them" });
  assert.deepEqual(shape(parseCondition("all of them")), { t: "of", quant: "all", pattern: "them" });
});

test("them excludes identifiers starting with _; patterns glob on *", () => {
  const names = ["selection_img", "selection_cli", "_helper", "filter_main_generic", "filter_optional_x"];
  assert.deepEqual(expandPattern("them", names), ["selection_img", "selection_cli", "filter_main_generic", "filter_optional_x"]);
  assert.deepEqual(expandPattern("filter_main_*", names), ["filter_main_generic"]);
  assert.deepEqual(expandPattern("*_img", names), ["selection_img"]);
  assert.deepEqual(expandPattern("sel*cli", names), ["selection_cli"]);
});

test("syntax errors throw with a position", () => {
  assert.throws(() => parseCondition("selection and"), /ends where/);
  assert.throws(() => parseCondition("(a or b"), /missing '\)'/);
  assert.throws(() => parseCondition("a b"), /unexpected 'b'/);
});

test("a legacy aggregation is split off at the pipe", () => {
  assert.deepEqual(splitAggregation("selection | count() by SourceIp > 10"), {
    search: "selection ",
    aggregation: "count() by SourceIp > 10",
  });
});
