import assert from "node:assert/strict";
import { test } from "node:test";
import { initPython } from "../../../src/languages/python/parser.js";
import { loadModule } from "../../../src/formats/panther/context.js";
import { emptyProgram, type Program } from "../../../src/languages/python/program.js";
import { pythonSemantics } from "../../../src/languages/python/semantics.js";
import { translateCondition, translateOutputFields } from "../../../src/languages/python/translate.js";
import { evaluate } from "../../../src/model/evaluate.js";
import type { Expr } from "../../../src/model/expr.js";
import { printCondition } from "../../../src/model/print.js";
import { simplify } from "../../../src/model/simplify.js";
import { opaqueReasons } from "./compile-helpers.js";

await initPython();

function helpers(src: Record<string, string>): Program {
  const p = emptyProgram();
  for (const [name, text] of Object.entries(src)) p.helpers.set(name, loadModule(name, `${name}.py`, text, []));
  return p;
}

function compile(py: string, opts: { program?: Program; logTypes?: string[]; types?: Record<string, "str" | "list" | "dict" | "num"> } = {}): Expr {
  const mod = loadModule("rule:t.py", "t.py", py, []);
  const types = opts.types ?? {};
  return simplify(translateCondition(mod, "rule", opts.program ?? emptyProgram(), opts.logTypes ?? [], (n) => types[n]).condition);
}

const run = (e: Expr, ev: unknown) => evaluate(e, pythonSemantics.prepareEvent!(ev, undefined), pythonSemantics);
const lines = (py: string, o?: Parameters<typeof compile>[1]) => printCondition(compile(py, o));

test("event.get equality", () => {
  assert.deepEqual(lines('def rule(event):\n    return event.get("action") == "login"\n'), ['action eq "login"']);
});

test("early-return if chain", () => {
  const e = compile('def rule(event):\n    if event.get("status") != "ok":\n        return False\n    if event.get("user") == "root":\n        return True\n    return False\n');
  assert.equal(run(e, { status: "ok", user: "root" }), true);
  assert.equal(run(e, { status: "bad", user: "root" }), false);
  assert.equal(run(e, { status: "ok", user: "bob" }), false);
});

test("module constant set with `in`, inlined global helper", () => {
  const program = helpers({ my_helpers: 'def ok(event):\n    if event.get("errorCode", "") or event.get("errorMessage", ""):\n        return False\n    return True\n' });
  const py = 'from my_helpers import ok\nNAMES = {"A", "B"}\n\ndef rule(event):\n    return ok(event) and event.get("eventName") in NAMES\n';
  assert.deepEqual(lines(py, { program }), ["not (errorCode is_not_null or errorMessage is_not_null)", 'eventName in ["A", "B"]']);
});

test("import module form: helpers.fn(event)", () => {
  const program = helpers({ my_helpers: 'def is_admin(event):\n    return event.get("role") == "admin"\n' });
  assert.deepEqual(lines("import my_helpers as h\n\ndef rule(event):\n    return h.is_admin(event)\n", { program }), ['role eq "admin"']);
});

test("truthiness is Python's: empty string and empty list are false", () => {
  const e = compile('def rule(event):\n    return bool(event.get("errorCode"))\n');
  assert.deepEqual(printCondition(e), ["errorCode is_not_null"]);
  assert.equal(run(e, { errorCode: "" }), false);
  assert.equal(run(e, { errorCode: [] }), false);
  assert.equal(run(e, { errorCode: 0 }), false);
  assert.equal(run(e, { errorCode: "Denied" }), true);
});

test("deep_get and chained .get give dotted paths; keys are case-insensitive", () => {
  const e = compile('def rule(event):\n    return event.deep_get("userIdentity", "type") == "Root" and event.get("a", {}).get("b") == 1\n');
  assert.deepEqual(printCondition(e), ['userIdentity.type eq "Root"', "a.b eq 1"]);
  assert.equal(run(e, { useridentity: { TYPE: "Root" }, a: { b: 1 } }), true);
  assert.equal(run(e, { userIdentity: { type: "Root" }, a: { b: "1" } }), false); // no loose numbers
});

test(".lower() == literal → case-insensitive eq; an uppercase literal can never match", () => {
  const e = compile('def rule(event):\n    return event.get("name", "").lower() == "admin"\n');
  assert.deepEqual(e, { type: "pred", field: "name", kind: "eq", values: ["admin"], caseSensitive: false });
  assert.deepEqual(compile('def rule(event):\n    return event.get("name", "").lower() == "Admin"\n'), { type: "false" });
});

test("startswith / endswith with tuple arguments", () => {
  assert.deepEqual(lines('def rule(event):\n    return event.get("p", "").startswith(("a", "b")) or event.get("q", "").endswith(".exe")\n'), ['p startswith ["a", "b"] or q endswith ".exe"']);
});

test("`lit in field`: substring for strings, membership for lists, by known type", () => {
  const py = 'def rule(event):\n    return "adm" in event.get("x", "")\n';
  assert.deepEqual(compile(py, { types: { x: "str" } }), { type: "pred", field: "x", kind: "contains", values: ["adm"] });
  const py2 = 'def rule(event):\n    return "adm" in event.get("x", [])\n';
  assert.deepEqual(compile(py2, { types: { x: "list" } }), { type: "pred", field: "x", kind: "eq", values: ["adm"] });
});

test("and/or return operands: `a or b` as a value", () => {
  const e = compile('def rule(event):\n    who = event.get("user") or event.get("email")\n    return who == "root"\n');
  assert.equal(run(e, { user: "", email: "root" }), true);
  assert.equal(run(e, { user: "bob", email: "root" }), false);
});

test("any() over a literal list and a constant loop", () => {
  const e = compile('BAD = ["x", "y"]\n\ndef rule(event):\n    for b in BAD:\n        if event.get("v") == b:\n            return True\n    return any([event.get("w") == 1, event.get("z") == 2])\n');
  assert.equal(run(e, { v: "y" }), true);
  assert.equal(run(e, { z: 2 }), true);
  assert.equal(run(e, { v: "q" }), false);
});

test("loop over an event array becomes a quantifier", () => {
  const e = compile('def rule(event):\n    for r in event.get("resources", []):\n        if r.get("type") == "bucket":\n            return True\n    return False\n');
  assert.deepEqual(e, { type: "quant", quantifier: "any", over: "resources", cond: { type: "pred", field: "type", kind: "eq", values: ["bucket"] } });
  assert.equal(run(e, { resources: [{ type: "key" }, { type: "bucket" }] }), true);
  assert.equal(run(e, { resources: [{ type: "key" }] }), false);
});

test("isinstance uses the known field type", () => {
  const e = compile('def rule(event):\n    return isinstance(event.get("d"), dict)\n', { types: { d: "dict" } });
  assert.deepEqual(printCondition(e), ["not (d eq null)"]);
});

test("re.search / re.match → regex predicates with flags", () => {
  const e = compile('import re\nPAT = re.compile(r"^adm", re.I)\n\ndef rule(event):\n    return PAT.search(event.get("u", "")) is not None\n');
  assert.deepEqual(e, { type: "pred", field: "u", kind: "regex", values: ["^adm"], caseSensitive: false });
  assert.equal(run(e, { u: "ADMIN" }), true);
});

test("fnmatch → wildcard", () => {
  const e = compile('from fnmatch import fnmatch\n\ndef rule(event):\n    return fnmatch(event.get("path", ""), "/etc/*")\n');
  assert.deepEqual(e, { type: "pred", field: "path", kind: "wildcard", values: ["/etc/*"] });
});

test("split(sep)[i] compiles to an anchored regex", () => {
  const e = compile('def rule(event):\n    return event.get("arn", "").split("/")[-1] == "root"\n');
  assert.equal(run(e, { arn: "arn:aws:iam::1:user/root" }), true);
  assert.equal(run(e, { arn: "arn:aws:iam::1:user/rooter" }), false);
});

test("None checks: `is None` is eq null, not falsiness", () => {
  const e = compile('def rule(event):\n    return event.get("x") is None\n');
  assert.equal(run(e, {}), true);
  assert.equal(run(e, { x: "" }), false);
});

test("ordering comparison and ternary", () => {
  const e = compile('def rule(event):\n    limit = 10 if event.get("big") else 5\n    return event.get("n", 0) > limit\n');
  assert.equal(run(e, { n: 7 }), true);
  assert.equal(run(e, { n: 7, big: true }), false);
});

test("udm() resolves through the data model per LogType", () => {
  const program = emptyProgram();
  program.dataModels.set("A.Log", { logTypes: ["A.Log"], paths: new Map([["user", ["actor", "name"]]]), methods: new Map() });
  program.dataModels.set("B.Log", { logTypes: ["B.Log"], paths: new Map([["user", ["who"]]]), methods: new Map() });
  const e = compile('def rule(event):\n    return event.udm("user") == "root"\n', { program, logTypes: ["A.Log", "B.Log"] });
  assert.equal(run(e, { p_log_type: "A.Log", actor: { name: "root" } }), true);
  assert.equal(run(e, { p_log_type: "B.Log", who: "root" }), true);
  assert.equal(run(e, { p_log_type: "B.Log", actor: { name: "root" } }), false);
});

test("alert_context: field paths read into the dict, computed values dropped", () => {
  const mod = loadModule("rule:t.py", "t.py", 'def alert_context(event):\n    ctx = {"a": event.get("a")}\n    ctx["b"] = event.deep_get("b", "c")\n    ctx["link"] = "https://x/" + "y"\n    ctx["who"] = event.get("u") or event.get("e")\n    return ctx\n', []);
  assert.deepEqual(translateOutputFields(mod, "alert_context", emptyProgram(), undefined, () => undefined), ["a", "b.c", "u", "e"]);
});

test("exceptions mean no alert: .lower() on a missing field", () => {
  const e = compile('def rule(event):\n    return event.get("x").lower() != "a"\n');
  assert.equal(run(e, {}), false);
  assert.equal(run(e, { x: "B" }), true);
});

// ---- one test per opaque reason ----
const OPAQUE: [string, string, RegExp][] = [
  ["unknown library", 'import somelib\n\ndef rule(event):\n    return somelib.check(event)\n', /library call somelib.check/],
  ["unknown type for in", 'def rule(event):\n    return "a" in event.get("x")\n', /unknown type/],
  ["while statement", "def rule(event):\n    while True:\n        return True\n", /unsupported statement: while_statement/],
  ["lambda", "def rule(event):\n    f = lambda e: True\n    return f(event)\n", /lambda/],
  ["len of a field", 'def rule(event):\n    return len(event.get("x", [])) > 2\n', /len\(\) of an event value/],
  ["deep_walk", 'def rule(event):\n    return event.deep_walk("a", "b") == 1\n', /deep_walk/],
  ["break in array loop", 'def rule(event):\n    for x in event.get("a", []):\n        if x == 1:\n            break\n    return True\n', /break in a loop/],
  ["recursion", "def f(event):\n    return f(event)\n\ndef rule(event):\n    return f(event)\n", /recursive function/],
  ["f-string with a field", 'def rule(event):\n    return f"{event.get(\'a\')}-x" == "1-x"\n', /f-string/],
  ["class definition", "class C:\n    pass\n\ndef rule(event):\n    return C(event)\n", /class definition/],
  ["mixed loop condition", 'def rule(event):\n    return any(x.get("a") == event.get("b") for x in event.get("l", []))\n', /comparison of computed values|mixes/],
];
for (const [name, py, re] of OPAQUE) {
  test(`opaque: ${name}`, () => {
    const reasons = opaqueReasons(compile(py));
    assert.ok(reasons.some((r) => re.test(r)), `${reasons.join("; ")}`);
  });
}

test("json.loads(field) is a path step", () => {
  const e = compile('import json\n\ndef rule(event):\n    try:\n        d = json.loads(event.get("props"))\n    except ValueError:\n        return False\n    return d.get("kind") == "admin"\n');
  assert.equal(run(e, { props: '{"kind": "admin"}' }), true);
  assert.equal(run(e, { props: '{"kind": "user"}' }), false);
  assert.equal(run(e, { props: "not json" }), false);
});

test("len(field) compared with 0 is emptiness; len(x.split(sep)) counts parts", () => {
  const e = compile('def rule(event):\n    return len(event.get("tags", [])) > 0 and len(event.get("arn", "").split(":")) >= 3\n');
  assert.equal(run(e, { tags: ["a"], arn: "a:b:c" }), true);
  assert.equal(run(e, { tags: [], arn: "a:b:c" }), false);
  assert.equal(run(e, { tags: ["a"], arn: "a:b" }), false);
});

test("ipaddress: ip_address validity, is_private, network membership", () => {
  const e = compile('from ipaddress import ip_address, ip_network\n\ndef rule(event):\n    try:\n        ip = ip_address(event.get("src"))\n    except ValueError:\n        return False\n    return not ip.is_private and ip not in ip_network("203.0.113.0/24")\n');
  assert.equal(run(e, { src: "8.8.8.8" }), true);
  assert.equal(run(e, { src: "10.1.2.3" }), false);
  assert.equal(run(e, { src: "sqs.amazonaws.com" }), false);
});

test("deep_walk is deep_get where the samples show no list on the way", () => {
  const mod = loadModule("rule:t.py", "t.py", 'def rule(event):\n    return event.deep_walk("a", "b") == "x"\n', []);
  const t = translateCondition(mod, "rule", emptyProgram(), [], (n) => (n === "a" ? "dict" : undefined));
  assert.deepEqual(t.condition, { type: "pred", field: "a.b", kind: "eq", values: ["x"] });
});

test("data model Method mappings are inlined", () => {
  const program = emptyProgram();
  const dmMod = loadModule("datamodel:dm.py", "dm.py", 'def get_user(event):\n    return event.get("actor", {}).get("email")\n', []);
  program.dataModels.set("A.Log", { logTypes: ["A.Log"], paths: new Map(), methods: new Map([["user", "get_user"]]), module: dmMod });
  assert.deepEqual(lines('def rule(event):\n    return event.udm("user") == "a@b"\n', { program, logTypes: ["A.Log"] }), ['actor.email eq "a@b"']);
});

test("a field used as a string later types an earlier isinstance()", () => {
  const e = compile('def rule(event):\n    u = event.get("user")\n    if not isinstance(u, str):\n        return False\n    return u.startswith("adm")\n');
  assert.equal(run(e, { user: "admin" }), true);
  assert.equal(run(e, { user: "bob" }), false);
});

test("opaque: module state changed at run time", () => {
  const reasons = opaqueReasons(compile('SEEN = {}\n\ndef rule(event):\n    SEEN[event.get("id")] = 1\n    return SEEN.get("x") == 1\n'));
  assert.ok(reasons.some((r) => /module state/.test(r)), reasons.join("; "));
});

test("mocked names are unknown in the tests that mock them", () => {
  const mod = loadModule("rule:t.py", "t.py", 'def lookup(x):\n    return False\n\ndef rule(event):\n    return event.get("a") == 1 and lookup(event)\n', []);
  const c = translateCondition(mod, "rule", emptyProgram(), [], () => undefined, new Set(["lookup"])).condition;
  const prep = (mocks?: Record<string, unknown>) => pythonSemantics.prepareEvent!({ a: 1 }, { name: "t", expected: true, event: { a: 1 }, mocks });
  assert.equal(evaluate(c, prep({ lookup: "true" }), pythonSemantics), null);
  assert.equal(evaluate(c, prep(), pythonSemantics), false);
});

test("an unknown call inside try may raise: the handler's outcome stays open", () => {
  const e = compile('import somelib\n\ndef rule(event):\n    try:\n        somelib.check(event.get("x"))\n    except ValueError:\n        return False\n    return event.get("y") == 1\n');
  assert.equal(run(e, { y: 1 }), null);
  assert.equal(run(e, { y: 2 }), false);
});

test("regex flags combined with | and comments inside expressions", () => {
  const e = compile('import re\n\ndef rule(event):\n    return bool(\n        # case-insensitive, multi-line\n        re.search(r"^drop", event.get("q", ""), re.I | re.M)\n    )\n');
  assert.deepEqual(e, { type: "pred", field: "q", kind: "regex", values: ["^drop"], caseSensitive: false, regexFlags: "m" });
});

test("float() of a numeric field is the field", () => {
  const e = compile('def rule(event):\n    return float(event.get("severity", 0)) >= 7.0\n', { types: { severity: "num" } });
  assert.equal(run(e, { severity: 8.2 }), true);
  assert.equal(run(e, { severity: 2 }), false);
});

test("nested loops over event arrays become nested quantifiers", () => {
  const e = compile('def rule(event):\n    for g in event.get("groups", []) or []:\n        for m in g.get("members", []) or []:\n            if m.get("role") == "owner":\n                return True\n    return False\n');
  assert.equal(run(e, { groups: [{ members: [{ role: "x" }] }, { members: [{ role: "owner" }] }] }), true);
  assert.equal(run(e, { groups: [{ members: [{ role: "x" }] }] }), false);
});

test("any() over a generator raises when an element raises before a match", () => {
  const e = compile('ROLES = ["admin", "ops"]\n\ndef rule(event):\n    return event.get("k") == 1 and not any(r in event.get("arn") for r in ROLES)\n', { types: { arn: "str" } });
  assert.equal(run(e, { k: 1, arn: "user/dev" }), true);
  assert.equal(run(e, { k: 1 }), false); // `r in None` raises: no alert
});

test("keys below json.loads are case-sensitive (plain dicts)", () => {
  const e = compile('import json\n\ndef rule(event):\n    return json.loads(event.get("d", "{}")).get("status") == "off"\n');
  assert.equal(run(e, { d: '{"status": "off"}' }), true);
  assert.equal(run(e, { d: '{"STATUS": "off"}' }), false);
});
