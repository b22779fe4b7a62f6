import assert from "node:assert/strict";
import { test } from "node:test";
import { evaluate } from "../../src/model/evaluate.js";
import { and, not, opaque, or, pred } from "../../src/model/expr.js";
import { globMatch } from "../../src/model/match/glob.js";
import { regexTest } from "../../src/model/match/regex.js";
import { plainResolve } from "../../src/model/resolve.js";
import type { Semantics } from "../../src/model/semantics.js";

const loose: Semantics = { name: "t", caseSensitive: false, regexDialect: "pcre", looseNumbers: true, resolve: (e, f) => plainResolve(e, f) };
const strict: Semantics = {
  ...loose,
  caseSensitive: true,
  looseNumbers: false,
  // Python truthiness
  present: (v) => !(v === null || v === undefined || v === "" || v === 0 || v === false || (Array.isArray(v) && v.length === 0) || (typeof v === "object" && v !== null && Object.keys(v).length === 0)),
};

test("Kleene logic: opaque is unknown; false and unknown is false; true or unknown is true", () => {
  const u = opaque("x", "r");
  const t = pred("a", "eq", ["1"]);
  const e = { a: "1" };
  assert.equal(evaluate(u, e, loose), null);
  assert.equal(evaluate(and(pred("a", "eq", ["2"]), u), e, loose), false);
  assert.equal(evaluate(and(t, u), e, loose), null);
  assert.equal(evaluate(or(t, u), e, loose), true);
  assert.equal(evaluate(not(u), e, loose), null);
});

test("case semantics come from the language unless the predicate says", () => {
  const e = { Image: "C:\\Windows\\System32\\RUNDLL32.EXE" };
  assert.equal(evaluate(pred("Image", "endswith", ["\\rundll32.exe"]), e, loose), true);
  assert.equal(evaluate(pred("Image", "endswith", ["\\rundll32.exe"]), e, strict), false);
  assert.equal(evaluate(pred("Image", "endswith", ["\\rundll32.exe"], { caseSensitive: false }), e, strict), true);
});

test("numbers compare loosely only where the language does", () => {
  assert.equal(evaluate(pred("EventID", "eq", [4688]), { EventID: "4688" }, loose), true);
  assert.equal(evaluate(pred("EventID", "eq", [4688]), { EventID: "4688" }, strict), false);
  assert.equal(evaluate(pred("EventID", "eq", [4688]), { EventID: 4688 }, strict), true);
});

test("is_not_null follows the language's notion of presence (Python truthiness)", () => {
  const p = pred("errorCode", "is_not_null");
  assert.equal(evaluate(p, { errorCode: "" }, loose), true);
  assert.equal(evaluate(p, { errorCode: "" }, strict), false);
  assert.equal(evaluate(p, { errorCode: "Denied" }, strict), true);
  assert.equal(evaluate(p, {}, strict), false);
  assert.equal(evaluate(pred("errorCode", "is_null"), {}, strict), true);
});

test("a null value matches a missing field; '' does not", () => {
  assert.equal(evaluate(pred("CommandLine", "eq", [null]), {}, loose), true);
  assert.equal(evaluate(pred("CommandLine", "eq", [""]), {}, loose), false);
  assert.equal(evaluate(pred("CommandLine", "eq", [""]), { CommandLine: "" }, loose), true);
});

test("all: every value must match", () => {
  const p = pred("CommandLine", "contains", ["-nop", "-enc"], { all: true });
  assert.equal(evaluate(p, { CommandLine: "powershell -nop -enc AAA" }, loose), true);
  assert.equal(evaluate(p, { CommandLine: "powershell -nop" }, loose), false);
});

test("array fields match when any element matches", () => {
  assert.equal(evaluate(pred("tags", "eq", ["b"]), { tags: ["a", "b"] }, loose), true);
  assert.equal(evaluate(pred("users.name", "eq", ["bob"]), { users: [{ name: "al" }, { name: "bob" }] }, loose), true);
});

test("quantifiers over arrays", () => {
  const any = { type: "quant" as const, quantifier: "any" as const, over: "items", cond: pred("ok", "eq", [false]) };
  const all = { ...any, quantifier: "all" as const };
  assert.equal(evaluate(any, { items: [{ ok: true }, { ok: false }] }, strict), true);
  assert.equal(evaluate(all, { items: [{ ok: true }, { ok: false }] }, strict), false);
  assert.equal(evaluate(all, { items: [{ ok: false }] }, strict), true);
});

test("wildcards: * and ? with escapes", () => {
  assert.equal(globMatch("*\\\\Downloads\\\\*.exe", "C:\\Users\\x\\Downloads\\a.exe", true), true);
  assert.equal(globMatch("a?c", "abc", false), true);
  assert.equal(globMatch("a\\?c", "abc", false), false);
  assert.equal(globMatch("a\\?c", "a?c", false), true);
  assert.equal(globMatch("a\\*", "a*", false), true);
  assert.equal(globMatch("a\\*", "ab", false), false);
  assert.equal(globMatch("*a*a*a*a*a*b", "a".repeat(5000), false), false);
});

test("regex: RE2 patterns, inline (?i), lookaround fallback, bounded", () => {
  assert.equal(regexTest("(?i)^power", "PowerShell", false, "", "pcre"), true);
  assert.equal(regexTest("^power", "PowerShell", false, "", "pcre"), false);
  assert.equal(regexTest("foo(?!bar)", "foobaz", false, "", "pcre"), true);
  const t0 = performance.now();
  assert.equal(regexTest("(a+)+$", `${"a".repeat(40)}!`, false, "", "pcre"), false);
  assert.ok(performance.now() - t0 < 5_000, "catastrophic pattern must not hang (2^40 steps if it backtracked)");
});

test("cidr, numeric comparisons and fieldref", () => {
  assert.equal(evaluate(pred("ip", "cidr", ["10.0.0.0/8"]), { ip: "10.1.2.3" }, loose), true);
  assert.equal(evaluate(pred("ip", "cidr", ["10.0.0.0/8"]), { ip: "11.1.2.3" }, loose), false);
  assert.equal(evaluate(pred("ip", "cidr", ["fe80::/10"]), { ip: "fe80::1" }, loose), true);
  assert.equal(evaluate(pred("n", "gt", [5]), { n: "7" }, loose), true);
  assert.equal(evaluate(pred("n", "lte", [5]), { n: 7 }, loose), false);
  assert.equal(evaluate(pred("TargetFilename", "fieldref", ["Image"]), { TargetFilename: "a", Image: "A" }, loose), true);
});

test("a list-backed predicate with unknown contents is unknown", () => {
  assert.equal(evaluate(pred("user", "in", [], { valuesFrom: "%admins" }), { user: "x" }, loose), null);
});

test("the trace reports each predicate's verdict", () => {
  const seen: string[] = [];
  evaluate(and(pred("a", "eq", ["1"]), pred("b", "eq", ["2"])), { a: "1", b: "3" }, loose, {
    onPredicate: (p, v) => seen.push(`${p.field}=${v}`),
  });
  assert.deepEqual(seen, ["a=true", "b=false"]);
});
