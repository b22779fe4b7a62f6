import assert from "node:assert/strict";
import { test } from "node:test";
import { tokenize } from "../../../src/languages/yaral/tokenizer.js";

const kinds = (text: string) => tokenize(text).tokens.map((t) => `${t.type}:${t.value}`);

test("`/` after `=` opens a regex literal; `\\/` is the escaped delimiter", () => {
  // community/aws/cloudtrail: $api.principal.user.userid = /\/i-.*$/
  const t = tokenize("$api.principal.user.userid = /\\/i-.*$/ //regex to be improved").tokens;
  const re = t.find((x) => x.type === "regex");
  assert.equal(re?.value, "/i-.*$");
  assert.equal(t.filter((x) => x.type !== "eof").length, 9); // the trailing // comment is trivia
});

test("`/` after an operand is division (timestamp arithmetic)", () => {
  const k = kinds("($e2.metadata.event_timestamp.seconds - $e1.metadata.event_timestamp.seconds) / 60 > 5");
  assert.ok(k.includes("punct:/"));
  assert.ok(!k.some((x) => x.startsWith("regex:")));
});

test("`/` after `(` and `,` is a regex: if($gcp.target.resource.name = /organizations/,30,0)", () => {
  const k = kinds("if($gcp.target.resource.name = /organizations/,30,0) re.regex($e.f, /a.b/)");
  assert.deepEqual(
    k.filter((x) => x.startsWith("regex:")),
    ["regex:organizations", "regex:a.b"],
  );
});

test("backtick strings are raw; double-quoted strings resolve escapes", () => {
  const t = tokenize('re.regex($e.f, `.*\\\\cutil\\.exe`) "C:\\\\Windows"').tokens;
  assert.equal(t.find((x) => x.type === "raw")?.value, ".*\\\\cutil\\.exe");
  assert.equal(t.find((x) => x.type === "string")?.value, "C:\\Windows");
});

test("durations, counts, lists and comments", () => {
  const k = kinds("/* block\ncomment */ $user over 5m #e > 5 in regex %hacktool_regex.col");
  assert.deepEqual(k.slice(0, -1), [
    "variable:user",
    "ident:over",
    "duration:5m",
    "count:e",
    "punct:>",
    "number:5",
    "ident:in",
    "ident:regex",
    "list:hacktool_regex.col",
  ]);
});

test("an unterminated regex is reported with its line", () => {
  const { errors } = tokenize('rule x {\n events:\n  $e.f = /abc\n  $e.g = "x"\n}');
  assert.deepEqual(
    errors.map((e) => [e.line, e.code]),
    [[3, "yaral.unterminated-regex"]],
  );
});
