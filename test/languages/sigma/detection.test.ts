import assert from "node:assert/strict";
import { test } from "node:test";
import { parseDocument } from "yaml";
import type { Expr } from "../../../src/model/expr.js";
import { evaluate } from "../../../src/model/evaluate.js";
import { compileDetection } from "../../../src/languages/sigma/detection.js";
import { sigmaSemantics } from "../../../src/languages/sigma/semantics.js";

/** Compiles the `detection:` block of a YAML snippet; returns the condition and the diagnostics. */
function det(yaml: string) {
  const doc = parseDocument(yaml);
  const diags: { level: string; code: string; message: string }[] = [];
  const r = compileDetection(doc.get("detection", true), (level, code, message) => diags.push({ level, code, message }));
  return { ...r, diags };
}
const fires = (e: Expr, event: unknown) => evaluate(e, sigmaSemantics.prepareEvent!(event), sigmaSemantics);

test("YAML int trap: unquoted 00000429 stays the string '00000429'", () => {
  // registry_set_susp_keyboard_layout_load.yml
  const { condition } = det(`
detection:
    selection_registry:
        Details|contains:
            - 00000429
            - 00050429
    condition: selection_registry
`);
  assert.deepEqual(condition, {
    type: "pred", field: "Details", kind: "contains", values: ["00000429", "00050429"], caseSensitive: false, origin: "selection_registry",
  });
});

test("plain integers stay numbers and match event strings and numbers", () => {
  const { condition } = det("detection:\n    selection:\n        EventID: 4688\n    condition: selection\n");
  assert.deepEqual(condition, { type: "pred", field: "EventID", kind: "eq", values: [4688], origin: "selection", scope: true });
  assert.equal(fires(condition, { EventID: "4688" }), true);
  assert.equal(fires(condition, { EventID: 4688 }), true);
});

test("null means missing-or-null; '' is an empty-string test", () => {
  const { identifiers } = det(`
detection:
    filter_main_null:
        CommandLine: null
    filter_main_empty:
        CommandLine: ''
    condition: filter_main_null or filter_main_empty
`);
  const isNull = identifiers.get("filter_main_null") as Expr;
  const empty = identifiers.get("filter_main_empty") as Expr;
  assert.equal(isNull.type === "pred" && isNull.kind, "is_null");
  assert.deepEqual(empty, { type: "pred", field: "CommandLine", kind: "eq", values: [""], caseSensitive: false, origin: "filter_main_empty" });
  assert.equal(fires(isNull, { Image: "x" }), true);
  assert.equal(fires(isNull, { CommandLine: "" }), false);
  assert.equal(fires(empty, { CommandLine: "" }), true);
  assert.equal(fires(empty, { Image: "x" }), false);
});

test("null inside a list is its own alternative", () => {
  const { condition } = det("detection:\n    filter:\n        OriginalFileName:\n            - ''\n            - null\n    condition: filter\n");
  assert.equal(fires(condition, {}), true);
  assert.equal(fires(condition, { OriginalFileName: "" }), true);
  assert.equal(fires(condition, { OriginalFileName: "a.exe" }), false);
});

test("contains / startswith / endswith, case-insensitive by default", () => {
  const { condition } = det(`
detection:
    selection:
        Image|endswith: '\\rundll32.exe'
        CommandLine|contains: ' -enc '
        ParentImage|startswith: 'C:\\Windows\\'
    condition: selection
`);
  assert.equal(fires(condition, { Image: "C:\\X\\RUNDLL32.EXE", CommandLine: "a -ENC b", ParentImage: "c:\\windows\\x.exe" }), true);
  assert.equal(fires(condition, { Image: "C:\\X\\RUNDLL32.EXE", CommandLine: "a-enc b", ParentImage: "c:\\windows\\x.exe" }), false);
});

test("|all turns a value list into AND", () => {
  const { condition } = det("detection:\n    selection:\n        CommandLine|contains|all:\n            - 'icacls '\n            - 'findstr '\n    condition: selection\n");
  assert.deepEqual(condition, {
    type: "pred", field: "CommandLine", kind: "contains", values: ["icacls ", "findstr "], all: true, caseSensitive: false, origin: "selection",
  });
});

test("|re is case-sensitive, not glob-unescaped, and (?i) becomes the case flag", () => {
  const { identifiers } = det(`
detection:
    a:
        TargetFilename|re: '^C:\\\\Users\\\\[^\\\\]+\\\\NTUSER\\.DAT$'
    b:
        CommandLine|re: '(?i)invoke-\\w+'
    c:
        CommandLine|re|i|m|s: 'x.y'
    condition: a or b or c
`);
  assert.deepEqual(identifiers.get("a"), {
    type: "pred", field: "TargetFilename", kind: "regex", values: ["^C:\\\\Users\\\\[^\\\\]+\\\\NTUSER\\.DAT$"], caseSensitive: true, origin: "a",
  });
  assert.deepEqual(identifiers.get("b"), { type: "pred", field: "CommandLine", kind: "regex", values: ["invoke-\\w+"], caseSensitive: false, origin: "b" });
  assert.deepEqual(identifiers.get("c"), {
    type: "pred", field: "CommandLine", kind: "regex", values: ["x.y"], caseSensitive: false, regexFlags: "ms", origin: "c",
  });
});

test("|windash expands each dash at a word start into 5 variants", () => {
  // proc_creation_win_lolbin_unregmp2.yml
  const { condition } = det("detection:\n    selection_cmd:\n        CommandLine|windash|contains: ' /HideWMP'\n    condition: selection_cmd\n");
  assert.deepEqual(condition, {
    type: "pred", field: "CommandLine", kind: "contains",
    values: [" -HideWMP", " /HideWMP", " \u2013HideWMP", " \u2014HideWMP", " \u2015HideWMP"], caseSensitive: false, origin: "selection_cmd",
  });
});

test("|windash with |all: every value must match in one of its variants", () => {
  const { condition } = det("detection:\n    s:\n        CommandLine|windash|contains|all:\n            - ' -a'\n            - ' -b'\n    condition: s\n");
  assert.equal(condition.type, "and");
  assert.equal(fires(condition, { CommandLine: "x /a \u2013b" }), true);
  assert.equal(fires(condition, { CommandLine: "x /a" }), false);
});

test("|base64offset yields the three shifted encodings", () => {
  const { condition } = det("detection:\n    s:\n        CommandLine|base64offset|contains: '/bin/bash'\n    condition: s\n");
  assert.deepEqual(condition.type === "pred" && condition.values, ["L2Jpbi9iYXNo", "9iaW4vYmFza", "vYmluL2Jhc2"]);
});

test("|base64 encodes the whole value; |wide|base64offset encodes UTF-16LE first", () => {
  const a = det("detection:\n    s:\n        CommandLine|base64: 'cmd'\n    condition: s\n").condition;
  assert.deepEqual(a.type === "pred" && [a.kind, a.values], ["eq", ["Y21k"]]);
  const b = det("detection:\n    s:\n        CommandLine|wide|base64offset|contains: 'Add-MpPreference '\n    condition: s\n").condition;
  assert.deepEqual(b.type === "pred" && b.values[0], "QQBkAGQALQBNAHAAUAByAGUAZgBlAHIAZQBuAGMAZQAgA");
});

test("|utf16le / |utf16be / |utf16 encode before base64", () => {
  const v = (m: string) => {
    const c = det(`detection:\n    s:\n        F|${m}|base64: 'ab'\n    condition: s\n`).condition;
    return c.type === "pred" ? c.values[0] : null;
  };
  assert.equal(v("utf16le"), Buffer.from("ab", "utf16le").toString("base64"));
  assert.equal(v("utf16be"), Buffer.from([0, 0x61, 0, 0x62]).toString("base64"));
  assert.equal(v("utf16"), Buffer.from([0xff, 0xfe, 0x61, 0, 0x62, 0]).toString("base64"));
});

test("|cidr, |fieldref, |exists, |gt/gte/lt/lte, |neq, |cased", () => {
  const { identifiers: ids } = det(`
detection:
    cidr:
        DestinationIp|cidr:
            - '10.0.0.0/8'
            - 'fe80::/10'
    ref:
        TargetFilename|fieldref: Image
    ex:
        User|exists: false
    cmp:
        Count|gte: 5
        Size|lt: 10
    ne:
        LogonType|neq: 3
    cased:
        CommandLine|cased|contains: 'FromBase64String'
    condition: 1 of them
`);
  assert.deepEqual(ids.get("cidr"), { type: "pred", field: "DestinationIp", kind: "cidr", values: ["10.0.0.0/8", "fe80::/10"], origin: "cidr" });
  assert.deepEqual(ids.get("ref"), { type: "pred", field: "TargetFilename", kind: "fieldref", values: ["Image"], caseSensitive: false, origin: "ref" });
  assert.deepEqual(ids.get("ex"), { type: "pred", field: "User", kind: "is_null", values: [], origin: "ex" });
  assert.equal(fires(ids.get("cidr") as Expr, { DestinationIp: "10.1.2.3" }), true);
  assert.equal(fires(ids.get("ref") as Expr, { TargetFilename: "C:\\a.exe", Image: "c:\\A.exe" }), true);
  assert.equal(fires(ids.get("cmp") as Expr, { Count: 5, Size: "9" }), true);
  assert.equal(fires(ids.get("cmp") as Expr, { Count: 4, Size: "9" }), false);
  assert.equal(fires(ids.get("ne") as Expr, { LogonType: 3 }), false);
  assert.equal(fires(ids.get("ne") as Expr, { LogonType: 2 }), true);
  assert.equal(fires(ids.get("cased") as Expr, { CommandLine: "frombase64string" }), false);
  assert.equal(fires(ids.get("cased") as Expr, { CommandLine: "x FromBase64String(" }), true);
});

test("|expand of a whole placeholder reads its values from a named list", () => {
  // proc_creation_win_userdomain_variable_enumeration.yml
  const { condition } = det("detection:\n    selection:\n        CommandLine|contains|expand: '%userdomain%'\n    condition: selection\n");
  assert.deepEqual(condition, {
    type: "pred", field: "CommandLine", kind: "contains", values: [], valuesFrom: "%userdomain%", caseSensitive: false, origin: "selection",
  });
  assert.equal(fires(condition, { CommandLine: "x" }), null);
});

test("an unknown modifier is an error and an opaque item; the rest still compiles", () => {
  const { condition, diags } = det("detection:\n    selection:\n        Image|endswith: '\\x.exe'\n        CommandLine|bogus: 'a'\n    condition: selection\n");
  assert.equal(diags[0].code, "sigma.unknown-modifier");
  assert.equal(diags[0].level, "error");
  assert.equal(condition.type, "and");
  assert.equal(condition.type === "and" && condition.args[1].type, "opaque");
});

test("keyword lists search the whole event; globs included", () => {
  // lnx_shell_clear_cmd_history.yml style keywords
  const { condition } = det("detection:\n    keywords:\n        - 'cat /dev/null >*sh_history'\n        - 'history -c'\n    condition: keywords\n");
  assert.deepEqual(condition, {
    type: "or",
    args: [
      { type: "pred", field: null, kind: "wildcard", values: ["*cat /dev/null >*sh_history*"], caseSensitive: false, origin: "keywords" },
      { type: "pred", field: null, kind: "contains", values: ["history -c"], caseSensitive: false, origin: "keywords" },
    ],
  });
  assert.equal(fires(condition, { message: "user ran cat /dev/null > ~/.bash_history" }), true);
});

test("field-less '|all' map: every keyword must occur", () => {
  // cisco_bgp_md5_auth_failed.yml
  const { condition } = det("detection:\n    keywords_bgp_cisco:\n        '|all':\n            - ':179'\n            - 'IP-TCP-3-BADAUTH'\n    condition: keywords_bgp_cisco\n");
  assert.deepEqual(condition, {
    type: "pred", field: null, kind: "contains", values: [":179", "IP-TCP-3-BADAUTH"], all: true, caseSensitive: false, origin: "keywords_bgp_cisco",
  });
});

test("a list of maps is an OR of ANDs", () => {
  const { condition } = det(`
detection:
    selection_img:
        - Image|endswith: '\\find.exe'
        - OriginalFileName: 'FIND.EXE'
    condition: selection_img
`);
  assert.equal(condition.type, "or");
  assert.equal(fires(condition, { OriginalFileName: "find.exe" }), true);
});

test("an undefined identifier is an error and an opaque node", () => {
  const { condition, diags } = det("detection:\n    selection:\n        Image: 'a'\n    condition: selection and not filter\n");
  assert.equal(diags[0].code, "sigma.undefined-identifier");
  assert.deepEqual(condition.type === "and" && condition.args[1], { type: "not", arg: { type: "opaque", text: "filter", reason: "undefined search identifier 'filter'" } });
});

test("several conditions are OR-ed", () => {
  const { condition } = det("detection:\n    a:\n        X: 1\n    b:\n        Y: 2\n    condition:\n        - a\n        - b\n");
  assert.equal(condition.type, "or");
});

test("legacy count() by … > n becomes a threshold aggregation; the search part is translated", () => {
  const r = det("detection:\n    selection:\n        EventID: 4625\n    timeframe: 5m\n    condition: selection | count(TargetUserName) by IpAddress > 10\n");
  assert.equal(r.condition.type, "pred");
  assert.deepEqual(
    { kind: r.aggregation?.kind, by: r.aggregation?.by, window: r.aggregation?.window, threshold: r.aggregation?.threshold },
    { kind: "threshold", by: ["IpAddress"], window: "5m", threshold: "count(TargetUserName) > 10" },
  );
});

test("scope fields restate the log source", () => {
  const { condition } = det("detection:\n    selection:\n        Channel: 'Security'\n        Provider_Name: 'Microsoft-Windows-Security-Auditing'\n    condition: selection\n");
  assert.ok(condition.type === "and" && condition.args.every((a) => a.type === "pred" && a.scope === true));
});

test("legacy near becomes a correlation aggregation with the near part translated", () => {
  const r = det("detection:\n    a:\n        X: 1\n    b:\n        Y: 2\n    timeframe: 30s\n    condition: a | near b\n");
  assert.equal(r.aggregation?.kind, "correlation");
  assert.equal(r.aggregation?.window, "30s");
  assert.deepEqual(r.aggregation?.events?.[0].condition, { type: "pred", field: "Y", kind: "eq", values: [2], origin: "b" });
});

test("diagnostics carry the offset of the offending key", () => {
  const doc = parseDocument("detection:\n    selection:\n        Image|bogus: 'a'\n    condition: selection\n");
  const offsets: (number | undefined)[] = [];
  compileDetection(doc.get("detection", true), (_l, _c, _m, off) => offsets.push(off));
  assert.equal(offsets[0], "detection:\n    selection:\n        ".length);
});

test("|gt and |lte compare numerically; |exists: true is is_not_null", () => {
  const { identifiers: ids } = det("detection:\n    a:\n        Port|gt: 1024\n    b:\n        Port|lte: '1024'\n    c:\n        User|exists: true\n    condition: 1 of them\n");
  assert.deepEqual(ids.get("a"), { type: "pred", field: "Port", kind: "gt", values: [1024], origin: "a" });
  assert.deepEqual(ids.get("b"), { type: "pred", field: "Port", kind: "lte", values: [1024], origin: "b" });
  assert.deepEqual(ids.get("c"), { type: "pred", field: "User", kind: "is_not_null", values: [], origin: "c" });
  assert.equal(fires(ids.get("a") as Expr, { Port: "8080" }), true);
  assert.equal(fires(ids.get("b") as Expr, { Port: 8080 }), false);
});

test("time-part modifiers stay opaque with a reason", () => {
  const { condition, diags } = det("detection:\n    s:\n        Timestamp|hour: 3\n    condition: s\n");
  assert.equal(condition.type, "opaque");
  assert.equal(diags[0].code, "sigma.untranslatable");
});

test("a modifier that cannot apply is an error, not a guess", () => {
  const { condition, diags } = det("detection:\n    s:\n        CommandLine|base64: 'a*b'\n    condition: s\n");
  assert.equal(condition.type, "opaque");
  assert.equal(diags[0].code, "sigma.modifier");
});
