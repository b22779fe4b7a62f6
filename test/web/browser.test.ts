// Real Chromium against the real server (spawned in-process on a free loopback port).
// Screenshots land in test-results/web/ (gitignored) for a human to look at.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import type { BrowserContext, Page } from "playwright-core";
import { startServer } from "../../src/web/server.js";
import { CONFIG_TESTS } from "../fixtures/web/records.js";
import { type FixtureCatalog, HAS_ATTACK, buildFixtureCatalog } from "./catalog.js";

const CHROMIUM = "/usr/bin/chromium";
const SKIP = !existsSync(CHROMIUM) && `${CHROMIUM} is absent: install Debian's chromium to run the browser tests`;
const SHOTS = fileURLToPath(new URL("../../test-results/web/", import.meta.url));
const RULE = "/rules/panther/AWS.ConfigService.Created";
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

describe("website in Chromium", { skip: SKIP }, () => {
  let cat: FixtureCatalog;
  let server: { url: string; close(): Promise<void> };
  let ctx: BrowserContext;
  let profile: string;
  let page: Page;
  const base = () => server.url.replace(/\/$/, "");

  before(async () => {
    const { chromium } = await import("playwright-core");
    cat = await buildFixtureCatalog();
    server = await startServer({ db: cat.path, port: 0, host: "127.0.0.1" });
    profile = mkdtempSync(join(tmpdir(), "ruleatlas-chromium-"));
    mkdirSync(SHOTS, { recursive: true });
    ctx = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1280, height: 900 },
    });
    page = ctx.pages()[0] ?? (await ctx.newPage());
    // Offline by construction: any request off loopback fails the test.
    await ctx.route(/^(?!http:\/\/127\.0\.0\.1)/, (route) => {
      throw new Error(`external request ${route.request().url()}`);
    });
  });

  after(async () => {
    await ctx?.close();
    await server?.close();
    cat?.dispose();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  test("the reference rule page shows every section with the right content", async () => {
    const res = await page.goto(base() + RULE);
    assert.equal(res?.status(), 200);
    await page.screenshot({ path: join(SHOTS, "rule.png"), fullPage: true });
    assert.equal((await page.locator(".crumbs").innerText()).trim(), "Detection rules › Panther");
    assert.equal(await page.locator("h1").innerText(), "AWS Config Service Created");
    assert.equal(await page.locator("p.lede").innerText(), "An AWS Config Recorder or Delivery Channel was created");
    const sections = await page.locator("h2").allInnerTexts();
    for (const s of ["MITRE ATT&CK coverage", "Rule body", "Tests", "Detection logic", "Exclusions", "Indicators", "Output fields", "Related rules across vendors"]) {
      assert.ok(sections.includes(s), `section ${s}`);
    }
    const attack = await page.locator("#attack tbody tr").first().innerText();
    assert.match(attack, HAS_ATTACK ? /Discovery\s+T1526 Cloud Service Discovery/ : /T1526/);
    assert.equal(await page.locator("#body pre").count(), 2, "YAML and Python bodies");
    assert.match(await page.locator("#body").innerText(), /def rule\(event\):/);
    const cond = await page.locator("#logic pre.condition .line").allInnerTexts();
    assert.deepEqual(cond, [
      "not (errorCode is_not_null or errorMessage is_not_null)",
      'eventName in ["PutDeliveryChannel", "PutConfigurationRecorder", "StartConfigurationRecorder"]',
    ]);
    const excl = await page.locator("#exclusions tbody tr").allInnerTexts();
    assert.equal(excl.length, 2);
    assert.match(excl[0], /errorCode\s+is_not_null/);
    assert.match(excl[1], /errorMessage\s+is_not_null/);
    const values = await page.locator("#indicators ul.values li").allInnerTexts();
    assert.equal(values.length, 3);
    assert.match(values[0], /^PutDeliveryChannel\s+[1-9]\d*$/, "value with a corpus count");
    assert.match(values[1], /^PutConfigurationRecorder\s+\d+$/);
    assert.match(values[2], /^StartConfigurationRecorder\s+\d+$/);
    const corpusLink = await page.locator("#indicators ul.values li a").first().getAttribute("href");
    assert.equal(corpusLink, "/indicators?field=eventName&kind=in&value=PutDeliveryChannel");
    assert.equal(await page.locator("#outputs tbody tr").count(), 7);
    const verdicts = await page.locator("#tests .verdict").allInnerTexts();
    assert.deepEqual(verdicts, ["agrees", "agrees", "agrees"]);
    // The event of a test opens without JavaScript (<details>).
    await page.locator("#tests details summary").first().click();
    assert.match(await page.locator("#tests details pre").first().innerText(), /"eventName": "PutDeliveryChannel"/);
    await page.screenshot({ path: join(SHOTS, "rule-test-open.png"), fullPage: false });
  });

  test("search for PutDeliveryChannel finds it, from the header box", async () => {
    await page.goto(`${base()}/`);
    await page.fill("header input[name=q]", "PutDeliveryChannel");
    await page.press("header input[name=q]", "Enter");
    await page.waitForURL(/\/rules\?q=PutDeliveryChannel/);
    await page.screenshot({ path: join(SHOTS, "search.png"), fullPage: true });
    const link = page.locator(`table a[href="${RULE}"]`);
    assert.equal(await link.count(), 1);
    await link.click();
    await page.waitForURL(new RegExp(`${RULE.replace(/\./g, "\\.")}$`));
  });

  test("the matrix shows Discovery → T1526 with a count", { skip: !HAS_ATTACK && "shared ATT&CK bundle absent" }, async () => {
    await page.goto(`${base()}/attack`);
    await page.screenshot({ path: join(SHOTS, "attack.png"), fullPage: true });
    const col = page.locator(".matrix .col").filter({ has: page.locator("h3", { hasText: "Discovery" }) });
    const cell = col.locator(".cell").filter({ has: page.locator('a[href="/attack/T1526"]') });
    assert.equal(await cell.locator(".n").innerText(), "2");
    assert.match((await cell.getAttribute("class")) ?? "", /\bb2\b/, "binned 2–5");
    await cell.locator('a[href="/attack/T1526"]').click();
    await page.waitForURL(/\/attack\/T1526$/);
    assert.match(await page.locator("main").innerText(), /Panther \(1\)[\s\S]*AWS Config Service Created/);
  });

  async function playground(event: unknown): Promise<string[]> {
    await page.goto(`${base()}/match`);
    await page.fill("#event", JSON.stringify(event, null, 2));
    await page.click("form[action='/match'] button[type=submit]");
    await page.waitForSelector("h2:has-text('Result')");
    const fired = page.locator("h3", { hasText: "Rules that fire" }).locator("xpath=following-sibling::*[1]");
    return (await fired.locator("a").evaluateAll((as) => as.map((a) => a.getAttribute("href") ?? ""))) as string[];
  }

  test("pasting the first test event fires the rule; the second does not", async () => {
    const fired = await playground(CONFIG_TESTS[0].event);
    await page.screenshot({ path: join(SHOTS, "match-fires.png"), fullPage: true });
    assert.ok(fired.includes(RULE), `fired: ${fired.join(", ")}`);
    const quiet = await playground(CONFIG_TESTS[1].event);
    await page.screenshot({ path: join(SHOTS, "match-quiet.png"), fullPage: true });
    assert.ok(!quiet.includes(RULE));
  });

  test("hostile rule text stays inert", async () => {
    let dialogs = 0;
    page.on("dialog", (d) => {
      dialogs++;
      void d.dismiss();
    });
    await page.goto(`${base()}/rules/sigma/${encodeURIComponent("xss-<script>")}`);
    await page.screenshot({ path: join(SHOTS, "xss.png"), fullPage: true });
    assert.equal(await page.evaluate(() => document.scripts.length), 0);
    assert.equal(await page.evaluate(() => document.querySelectorAll("img").length), 0);
    assert.equal(await page.locator("h1").innerText(), "<script>alert(1)</script> title");
    await page.goto(`${base()}/rules?q=alert`);
    assert.equal(dialogs, 0);
  });

  test("readable on a phone, and in the dark", async () => {
    const phone = await ctx.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.emulateMedia({ colorScheme: "dark" });
    for (const [path, name] of [
      [RULE, "phone-rule"],
      ["/rules?q=PutDeliveryChannel", "phone-search"],
      ["/", "phone-home"],
      ["/attack", "phone-attack"],
      ["/match", "phone-match"],
      ["/indicators?field=eventName&kind=in&value=PutDeliveryChannel", "phone-indicator"],
    ] as const) {
      await phone.goto(base() + path);
      await phone.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
      const width = await phone.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `${path} scrolls sideways (${width}px)`);
    }
    const bg = await phone.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bg, "rgb(15, 19, 23)", "dark background");
    const box = await phone.locator("input[name=q]:visible").first().boundingBox();
    assert.ok(box && box.width >= 200, "search box usable at 390px");
    await phone.close();
  });
});
