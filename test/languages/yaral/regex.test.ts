import assert from "node:assert/strict";
import { test } from "node:test";
import { readRegex } from "../../../src/languages/yaral/regex.js";

const lit = (p: string) => readRegex(p).literal;

test("RE2 partial match: an unanchored literal is contains, even with .* around it", () => {
  // soc_prime: re.regex($selection.target.process.file.full_path, `.*\\Program Files.*`)
  assert.deepEqual(lit(".*\\\\Program Files.*"), [{ kind: "contains", values: ["\\Program Files"] }]);
  // community: $guardduty.metadata.product_event_type = /BruteForce/
  assert.deepEqual(lit("BruteForce"), [{ kind: "contains", values: ["BruteForce"] }]);
  // doc trap 5: `.*\\cutil\.exe` is contains, not endswith
  assert.deepEqual(lit(".*\\\\cutil\\.exe"), [{ kind: "contains", values: ["\\cutil.exe"] }]);
});

test("anchors: ^x$ is eq, ^x startswith, x$ endswith", () => {
  assert.deepEqual(lit("^terraform-$"), [{ kind: "eq", values: ["terraform-"] }]);
  assert.deepEqual(lit("^terraform-"), [{ kind: "startswith", values: ["terraform-"] }]);
  assert.deepEqual(lit("\\\\powershell\\.exe$"), [{ kind: "endswith", values: ["\\powershell.exe"] }]);
});

test("literal alternations expand into several values", () => {
  assert.deepEqual(lit("allUsers|allAuthenticatedUsers"), [{ kind: "contains", values: ["allUsers", "allAuthenticatedUsers"] }]);
  assert.deepEqual(lit("\\\\(winword|excel)\\.exe$"), [{ kind: "endswith", values: ["\\winword.exe", "\\excel.exe"] }]);
  assert.deepEqual(lit("^a$|b"), [
    { kind: "eq", values: ["a"] },
    { kind: "contains", values: ["b"] },
  ]);
});

test("genuine regexes stay regexes", () => {
  for (const p of ["compute.firewalls.insert$", "roles\\/storage.*x", "\\d+", "^.*x", "x.*$", "a?b", "[ab]c", "(?s)x", "a|", "/i-.*$"]) {
    assert.equal(lit(p), null, p);
  }
});

test("a leading (?i) is a case-insensitive flag", () => {
  const r = readRegex("(?i)mimikatz");
  assert.equal(r.caseInsensitive, true);
  assert.equal(r.pattern, "mimikatz");
  assert.deepEqual(r.literal, [{ kind: "contains", values: ["mimikatz"] }]);
});
