import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Hono } from "hono";
import { type Db, openCatalog } from "../../src/catalog/open.js";
import type { MatrixData, TechniqueData } from "../../src/web/data/attack.js";
import type { HomeData } from "../../src/web/data/home.js";
import type { IndicatorData } from "../../src/web/data/indicator.js";
import type { MatchPageData } from "../../src/web/data/match.js";
import type { RulePageData } from "../../src/web/data/rule.js";
import type { SearchPageData } from "../../src/web/data/search.js";
import { MAX_MATCH_BODY, createApp } from "../../src/web/app.js";
import { CONFIG_TESTS } from "../fixtures/web/records.js";
import { type FixtureCatalog, HAS_ATTACK, buildFixtureCatalog } from "./catalog.js";

const RULE = "/rules/panther/AWS.ConfigService.Created";

let cat: FixtureCatalog;
let db: Db;
let app: Hono;

before(async () => {
  cat = await buildFixtureCatalog();
  db = openCatalog(cat.path, { readonly: true });
  app = createApp(db);
});
after(() => {
  db.close();
  cat.dispose();
});

async function json<T>(path: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const res = await app.request(path, init);
  return { status: res.status, body: (await res.json()) as T };
}

async function html(path: string, init?: RequestInit): Promise<{ status: number; text: string; res: Response }> {
  const res = await app.request(path, init);
  return { status: res.status, text: await res.text(), res };
}

/** Text as hono/jsx escapes it in HTML. */
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

describe("rule page and /api/rules/<vendor>/<id>", () => {
  test("the JSON twin carries every section of the reference page", async () => {
    const { status, body } = await json<RulePageData>(`/api${RULE}`);
    assert.equal(status, 200);
    const r = body.rule;
    assert.equal(r.title, "AWS Config Service Created");
    assert.equal(r.description, "An AWS Config Recorder or Delivery Channel was created");
    assert.deepEqual(r.logic.conditionText, [
      "not (errorCode is_not_null or errorMessage is_not_null)",
      'eventName in ["PutDeliveryChannel", "PutConfigurationRecorder", "StartConfigurationRecorder"]',
    ]);
    assert.deepEqual(
      r.logic.exclusions.map((x) => [x.field, x.kind, x.values]),
      [
        ["errorCode", "is_not_null", []],
        ["errorMessage", "is_not_null", []],
      ],
    );
    const ind = r.logic.indicators.find((x) => x.field === "eventName");
    assert.deepEqual(ind?.values, ["PutDeliveryChannel", "PutConfigurationRecorder", "StartConfigurationRecorder"]);
    assert.equal(ind?.corpus.length, 3, "one corpus entry per value");
    // The Sigma fixture looks for PutDeliveryChannel too.
    assert.ok((ind?.corpus[0].canonical ?? 0) >= 1);
    assert.deepEqual(r.logic.outputFields, ["eventName", "eventSource", "awsRegion", "recipientAccountId", "sourceIPAddress", "userAgent", "userIdentity"]);
    assert.deepEqual(
      body.tests.map((t) => [t.name, t.expected, t.replay.verdict]),
      [
        ["Config Recorder Delivery Channel Created", true, "agree"],
        ["Config Recorder Deleted", false, "agree"],
        ["Error Creating Config Recorder Delivery Channel", false, "agree"],
      ],
    );
    assert.deepEqual(body.attackByTactic.map((g) => [g.tacticName ?? g.tactic, g.techniques.map((t) => t.technique)]), [
      [HAS_ATTACK ? "Discovery" : "TA0007", ["T1526"]],
    ]);
    assert.equal(r.bodies.length, 2);
    assert.deepEqual(r.bodies.map((b) => b.language), ["yaml", "python"]);
    if (body.source.repo.includes("panther-labs/panther-analysis") && body.source.commit) {
      assert.match(body.source.href ?? "", /^https:\/\/github\.com\/panther-labs\/panther-analysis\/blob\/[0-9a-f]{40}\/rules\//);
    }
    // The Sigma fixture keys on PutDeliveryChannel too: a related rule, with that value as evidence.
    const rel = body.related.related.find((x) => x.id === "sigma:4a2b9c1e-0000-4000-8000-000000000001");
    assert.ok(rel, "related across vendors");
    assert.match(rel.evidence.join(" "), /PutDeliveryChannel/);
  });

  test("the page shows what the JSON twin returns", async () => {
    const { body } = await json<RulePageData>(`/api${RULE}`);
    const { status, text } = await html(RULE);
    assert.equal(status, 200);
    assert.match(text, /Detection rules<\/a> › <a href="\/rules\?vendor=panther">Panther<\/a>/);
    for (const line of body.rule.logic.conditionText) assert.ok(text.includes(esc(line)), `condition line ${line}`);
    for (const f of body.rule.logic.outputFields) assert.ok(text.includes(`<code>${f}</code>`), `output field ${f}`);
    for (const ind of body.rule.logic.indicators) {
      ind.values.forEach((v, i) => {
        assert.ok(text.includes(`<code>${esc(String(v))}</code>`), `value ${v}`);
        assert.ok(text.includes(`>${ind.corpus[i].canonical}</a>`), `corpus count of ${v}`);
      });
    }
    for (const t of body.tests) assert.ok(text.includes(esc(t.name)), `test ${t.name}`);
    assert.equal((text.match(/class="verdict agree">agrees</g) ?? []).length, 3);
    for (const b of body.rule.bodies) assert.ok(text.includes(esc(b.text)), `body ${b.path}`);
    for (const g of body.attackByTactic) for (const t of g.techniques) assert.ok(text.includes(`href="/attack/${t.technique}"`));
    for (const x of body.related.related) assert.ok(text.includes(`href="/rules/${x.id.replace(":", "/")}"`), `related ${x.id}`);
  });

  test("unknown rule ids answer 404 in HTML and JSON", async () => {
    assert.equal((await html("/rules/panther/No.Such.Rule")).status, 404);
    const j = await json<{ error: string }>("/api/rules/panther/No.Such.Rule");
    assert.equal(j.status, 404);
    assert.match(j.body.error, /no rule panther:No\.Such\.Rule/);
    assert.equal((await html("/no/such/page")).status, 404);
    assert.equal((await html("/attack/T0000")).status, 404);
    assert.equal((await json("/api/attack/not-a-technique")).status, 404);
  });

  test("a rule id as the CLI prints it redirects to the rule's page", async () => {
    const res = await app.request("/rules/panther:AWS.ConfigService.Created");
    assert.equal(res.status, 301);
    assert.equal(res.headers.get("location"), RULE);
    assert.equal((await app.request("/rules/nothing")).status, 404);
  });

  test("a rule whose text holds <script> renders inert", async () => {
    const { status, text } = await html(`/rules/sigma/${encodeURIComponent("xss-<script>")}`);
    assert.equal(status, 200);
    assert.ok(!/<script/i.test(text), "no script element anywhere");
    assert.ok(!/<img/i.test(text), "no injected element");
    assert.ok(text.includes("&lt;script&gt;alert(1)&lt;/script&gt; title"));
    assert.ok(text.includes("&lt;img src=x onerror=&quot;alert(2)&quot;&gt;"));
    assert.ok(text.includes("&lt;script&gt;alert(3)&lt;/script&gt;"), "output field escaped");
  });

  test("security headers are on every response", async () => {
    for (const path of [RULE, "/rules?q=x", "/api/stats", "/nothing"]) {
      const { res } = await html(path);
      const csp = res.headers.get("content-security-policy") ?? "";
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.doesNotMatch(csp, /unsafe-inline/);
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      assert.equal(res.headers.get("referrer-policy"), "no-referrer");
    }
  });
});

describe("search and /api/rules", () => {
  test("PutDeliveryChannel finds the rule, with facet counts", async () => {
    const { status, body } = await json<SearchPageData>("/api/rules?q=PutDeliveryChannel");
    assert.equal(status, 200);
    const ids = body.result?.hits.map((h) => h.id) ?? [];
    assert.ok(ids.includes("panther:AWS.ConfigService.Created"));
    assert.ok(body.result?.facets?.vendor.some((f) => f.value === "panther" && f.count === 1));
    const page = await html("/rules?q=PutDeliveryChannel");
    for (const h of body.result?.hits ?? []) assert.ok(page.text.includes(esc(h.title)), h.title);
    assert.ok(page.text.includes(`of ${body.result?.total} rules`));
  });

  test("facets narrow the result and combine", async () => {
    const { body } = await json<SearchPageData>("/api/rules?q=PutDeliveryChannel&vendor=panther&technique=T1526");
    assert.deepEqual(body.result?.hits.map((h) => h.id), ["panther:AWS.ConfigService.Created"]);
    // A facet's own filter does not narrow its counts: the other vendors stay visible.
    assert.ok(body.result?.facets?.vendor.some((f) => f.value === "sigma" && f.count >= 1));
    assert.deepEqual(body.result?.facets?.severity, [{ value: "informational", count: 1 }]);
    const t = await json<SearchPageData>("/api/rules?tactic=Discovery");
    assert.ok(t.body.result?.hits.some((h) => h.id === "panther:AWS.ConfigService.Created"));
    const roll = await json<SearchPageData>("/api/rules?technique=T1553.*");
    assert.deepEqual(roll.body.result?.hits.map((h) => h.id), ["sigma:partial-0001"]);
  });

  test("an unknown facet value is an error with a suggestion, not an empty result", async () => {
    const { status, body } = await json<SearchPageData>("/api/rules?severity=hgih");
    assert.equal(status, 400);
    assert.equal(body.result, undefined);
    assert.equal(body.error?.parameter, "severity");
    assert.deepEqual(body.error?.suggestions, ["high"]);
    const page = await html("/rules?severity=hgih");
    assert.equal(page.status, 400);
    assert.ok(page.text.includes("unknown severity &#39;hgih&#39;") || page.text.includes("unknown severity 'hgih'"));
    assert.equal((await json("/api/rules?technique=T10*")).status, 400);
    assert.equal((await json("/api/rules?sort=random")).status, 400);
    assert.equal((await json("/api/rules?page=0")).status, 400);
  });

  test("a search page is ASCII: other characters as numeric references, a lone surrogate as U+FFFD", async () => {
    // q is cut at 200 code units: the cut splits the emoji's surrogate pair.
    const q = `${"x".repeat(199)}\u{1F600}`;
    const page = await html(`/rules?q=${encodeURIComponent("été ✓")}&vendor=${encodeURIComponent("sïgma")}`);
    const bytes = Buffer.from(await (await app.request(`/rules?q=${encodeURIComponent("été ✓")}`)).arrayBuffer());
    assert.ok(bytes.every((b) => b < 0x80));
    assert.match(page.text, /<h1>Rules matching &#8220;&#233;t&#233; &#10003;&#8221;<\/h1>/);
    assert.match(page.text, /<input id="q" type="search" name="q" value="&#233;t&#233; &#10003;"\/>/);
    assert.match(page.text, /unknown vendor &#39;s&#239;gma&#39;/);
    const cut = await html(`/rules?q=${encodeURIComponent(q)}`);
    assert.ok(cut.text.includes(`value="${"x".repeat(199)}&#65533;"`));
    assert.ok(!/[^\x00-\x7f]/.test(cut.text));
  });

  test("a hit only inside an exclusion is marked", async () => {
    const { body } = await json<SearchPageData>("/api/rules?q=citrix");
    const hit = body.result?.hits.find((h) => h.id === "sigma:partial-0001");
    assert.equal(hit?.onlyInExclusion, true);
    assert.match((await html("/rules?q=citrix")).text, /matched only inside an exclusion/);
  });
});

describe("ATT&CK, indicators, stats", () => {
  test("the matrix shows Discovery → T1526 with a count", { skip: !HAS_ATTACK && "shared ATT&CK bundle absent" }, async () => {
    const { body } = await json<MatrixData>("/api/attack");
    const discovery = body.tactics.find((t) => t.name === "Discovery");
    const cell = discovery?.cells.find((c) => c.id === "T1526");
    assert.ok(cell && cell.count >= 2, "the Panther and Sigma fixtures");
    assert.equal(cell.bin, 2);
    const page = await html("/attack");
    assert.match(page.text, /href="\/attack\/T1526"[^>]*>Cloud Service Discovery<\/a><span class="n">2</);
    const panther = await json<MatrixData>("/api/attack?vendor=panther");
    assert.equal(panther.body.tactics.find((t) => t.name === "Discovery")?.cells.find((c) => c.id === "T1526")?.count, 1);
    assert.equal((await json("/api/attack?vendor=nope")).status, 400);
    const layer = await json<{ versions: { layer: string }; techniques: { techniqueID: string }[] }>("/api/attack/layer.json");
    assert.equal(layer.body.versions.layer, "4.5");
    assert.ok(layer.body.techniques.some((t) => t.techniqueID === "T1526"));
  });

  test("a technique page groups its rules by vendor", async () => {
    const { status, body } = await json<TechniqueData>("/api/attack/T1526");
    assert.equal(status, 200);
    assert.ok(body.vendors.find((v) => v.vendor === "panther")?.rules.some((r) => r.id === "panther:AWS.ConfigService.Created"));
    const page = await html("/attack/T1526");
    assert.ok(page.text.includes("AWS Config Service Created"));
  });

  test("an indicator page lists the rules that look for a value and those that exclude it", async () => {
    const look = await json<IndicatorData>("/api/indicators?field=eventName&kind=in&value=PutDeliveryChannel");
    assert.equal(look.status, 200);
    const ids = look.body.looksFor.flatMap((g) => g.rules.map((r) => r.id));
    assert.ok(ids.includes("panther:AWS.ConfigService.Created"));
    const excl = await json<IndicatorData>(`/api/indicators?field=Company&kind=in&value=${encodeURIComponent("Citrix Systems, Inc.")}`);
    assert.ok(excl.body.excludes.some((g) => g.rules.some((r) => r.id === "sigma:partial-0001")));
    const page = await html(`/indicators?field=Company&kind=in&value=${encodeURIComponent("Citrix Systems, Inc.")}`);
    assert.match(page.text, /Rules that exclude it \(1\)/);
    assert.equal((await json("/api/indicators?field=x&kind=nope&value=1")).status, 400);
  });

  test("/api/stats is the home page's data", async () => {
    const { body } = await json<HomeData>("/api/stats");
    const panther = body.vendors.find((v) => v.vendor === "panther");
    assert.ok((panther?.replay.agree ?? 0) >= 3, "the reference rule's three tests agree");
    const page = await html("/");
    assert.ok(page.text.includes(`${body.total} rules`));
    for (const v of body.vendors) {
      assert.ok(page.text.includes(`<td class="num">${v.rules}</td>`), `${v.vendor} rule count`);
      assert.ok(page.text.includes(`${v.replay.agree} <span class="muted">/ ${v.replay.tests}</span>`), `${v.vendor} replay`);
    }
  });
});

describe("event playground and POST /api/match", () => {
  const post = (body: unknown) =>
    json<MatchPageData>("/api/match", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  test("the first test event fires the rule, the second does not", async () => {
    const fire = await post({ event: CONFIG_TESTS[0].event });
    assert.equal(fire.status, 200);
    const hit = fire.body.result?.fired.find((f) => f.id === "panther:AWS.ConfigService.Created");
    assert.ok(hit, "fires");
    assert.ok(hit.matched.some((m) => m.startsWith("eventName in")));
    const quiet = await post({ event: CONFIG_TESTS[1].event });
    assert.ok(!quiet.body.result?.fired.some((f) => f.id === "panther:AWS.ConfigService.Created"));
    assert.ok((quiet.body.result?.notFired ?? 0) >= 1);
  });

  test("the form post renders the same result", async () => {
    const form = new URLSearchParams({ event: JSON.stringify(CONFIG_TESTS[0].event), family: "guess" });
    const { status, text } = await html("/match", { method: "POST", body: form, headers: { "content-type": "application/x-www-form-urlencoded" } });
    assert.equal(status, 200);
    assert.match(text, /Rules that fire \(\d+\)/);
    assert.ok(text.includes(`href="${RULE}"`));
  });

  test("opaque logic is reported as unknown with its reason", async () => {
    const ev = { Image: "C:\\Windows\\signtool.exe", Company: "Evil Corp" };
    const { body } = await post({ event: ev, family: "all" });
    const u = body.result?.unknown.find((x) => x.id === "sigma:partial-0001");
    assert.ok(u, "unknown, not fired");
    assert.match(u.reasons.join(" "), /near/);
  });

  test("bad input gets a message; the body size is bounded", async () => {
    assert.equal((await post({ event: "not json{" })).status, 400);
    assert.equal((await post({ event: [1, 2] })).status, 400);
    let deep: unknown = 1;
    for (let i = 0; i < 200; i++) deep = { a: deep };
    const d = await post({ event: deep });
    assert.equal(d.status, 400);
    assert.match(d.body.error ?? "", /nested/);
    const big = await app.request("/api/match", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ event: { x: "a".repeat(MAX_MATCH_BODY) } }),
    });
    assert.equal(big.status, 413);
    assert.equal((await post({ event: {}, family: "no-such-family" })).status, 400);
  });
});
