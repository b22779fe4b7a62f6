import assert from "node:assert/strict";
import { test } from "node:test";
import { and, not, opaque, or, pred } from "../../src/model/expr.js";
import { printCondition, printPredicate } from "../../src/model/print.js";

test("prints the reference rule one top-level conjunct per line", () => {
  const cond = and(
    not(or(pred("errorCode", "is_not_null"), pred("errorMessage", "is_not_null"))),
    pred("eventName", "in", ["PutDeliveryChannel", "PutConfigurationRecorder", "StartConfigurationRecorder"]),
  );
  assert.deepEqual(printCondition(cond), [
    "not (errorCode is_not_null or errorMessage is_not_null)",
    'eventName in ["PutDeliveryChannel", "PutConfigurationRecorder", "StartConfigurationRecorder"]',
  ]);
});

test("a single-value eq prints its value bare, several values as a list", () => {
  assert.equal(printPredicate(pred("Image", "endswith", ["\\rundll32.exe"])), 'Image endswith "\\\\rundll32.exe"');
  assert.equal(printPredicate(pred("Image", "endswith", ["\\a.exe", "\\b.exe"])), 'Image endswith ["\\\\a.exe", "\\\\b.exe"]');
  assert.equal(printPredicate(pred("eventName", "in", ["X"])), 'eventName in ["X"]');
});

test("prints all, cased, regex flags, keyword, value lists and numbers", () => {
  assert.equal(printPredicate(pred("CommandLine", "contains", ["a", "b"], { all: true })), 'CommandLine contains all ["a", "b"]');
  assert.equal(printPredicate(pred("x", "eq", ["A"], { caseSensitive: true })), 'x eq "A" (cased)');
  assert.equal(printPredicate(pred("x", "regex", ["^a"], { caseSensitive: false, regexFlags: "m" })), 'x regex "^a" (flags im)');
  assert.equal(printPredicate(pred(null, "contains", ["evil"])), 'keywords contains "evil"');
  assert.equal(printPredicate(pred("EventID", "eq", [4688])), "EventID eq 4688");
  assert.equal(printPredicate(pred("user", "in", [], { valuesFrom: "%admins" })), "user in %admins");
});

test("nested groups are parenthesised; opaque prints its text", () => {
  const cond = and(or(pred("a", "eq", ["1"]), and(pred("b", "eq", ["2"]), pred("c", "eq", ["3"]))), opaque("foo(event)", "unknown call"));
  assert.deepEqual(printCondition(cond), ['a eq "1" or (b eq "2" and c eq "3")', 'opaque("foo(event)")']);
});
