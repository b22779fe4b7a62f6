import assert from "node:assert/strict";
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import type { Readable } from "node:stream";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { type Db, openCatalog } from "../../src/catalog/open.js";
import { createApp } from "../../src/web/app.js";
import { ruleHref } from "../../src/web/data/links.js";
import { startServer } from "../../src/web/server.js";
import { type FixtureCatalog, buildFixtureCatalog } from "./catalog.js";

const CLI = fileURLToPath(new URL("../../bin/ruleatlas.js", import.meta.url));
const RULE = "/rules/panther/AWS.ConfigService.Created";

let cat: FixtureCatalog;
before(async () => {
  cat = await buildFixtureCatalog({ attack: false });
});
after(() => cat.dispose());

/** Resolves with the server's address and what it printed, once it says where it serves. */
function serving(child: ChildProcessByStdio<null, Readable, Readable>): Promise<{ base: string; out: string }> {
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (b: Buffer) => {
      out += b.toString();
      const m = /at (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) resolve({ base: m[1], out });
    });
    child.once("exit", (code) => reject(new Error(`exited ${code}`)));
  });
}

test("`ruleatlas serve` serves the catalog on the asked port and stops on SIGTERM", async () => {
  const child = spawn(process.execPath, [CLI, "serve", "--db", cat.path, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  try {
    const { base } = await serving(child);
    const res = await fetch(`${base}/api/stats`);
    assert.equal(res.status, 200);
    assert.ok(((await res.json()) as { total: number }).total >= 4);
  } finally {
    child.kill("SIGTERM");
  }
  const code = await new Promise<number | null>((r) => child.once("exit", r));
  assert.equal(code, 0);
});

test("`ruleatlas serve` rejects a bad port and a missing catalog with a message", async () => {
  const run = (args: string[]) =>
    new Promise<{ code: number | null; err: string }>((resolve) => {
      const c = spawn(process.execPath, [CLI, "serve", ...args], { stdio: ["ignore", "ignore", "pipe"] });
      let err = "";
      c.stderr.on("data", (b: Buffer) => (err += b.toString()));
      c.once("exit", (code) => resolve({ code, err }));
    });
  const bad = await run(["--db", cat.path, "--port", "http"]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--port must be/);
  const missing = await run(["--db", join(cat.path, "..", "nope.db"), "--port", "0"]);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /cannot serve/);
});

const SEARCH = "/rules?q=PutDelivery";

/** A GET with node's http client: headers as sent, body as received (no automatic inflating). */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on("error", reject);
  });
}

const SAME_HEADERS = ["content-security-policy", "x-content-type-options", "referrer-policy", "x-frame-options", "content-type"];

test("a page asked for twice is kept: the same page, with the same headers", async () => {
  const s = await startServer({ db: cat.path, port: 0, host: "127.0.0.1" });
  try {
    const url = s.url.replace(/\/$/, "") + SEARCH;
    const first = await get(url);
    const second = await get(url);
    const third = await get(url);
    assert.equal(first.headers["x-cache"], undefined);
    assert.equal(second.headers["x-cache"], undefined, "kept from the second request on, served from the third");
    assert.equal(third.headers["x-cache"], "hit");
    assert.equal(third.body.toString(), first.body.toString());
    for (const h of SAME_HEADERS) assert.equal(third.headers[h], first.headers[h], h);
    const missing = await fetch(`${s.url}rules/panther/None`);
    assert.equal(missing.status, 404);
    await fetch(`${s.url}rules/panther/None`);
    assert.equal((await fetch(`${s.url}rules/panther/None`)).headers.get("x-cache"), null, "404s are not cached");
  } finally {
    await s.close();
  }
});

test("every rule page is rendered before the server listens, byte for byte the page a request renders", async () => {
  const s = await startServer({ db: cat.path, port: 0, host: "127.0.0.1" });
  const db = openCatalog(cat.path, { readonly: true });
  try {
    const ids = db.prepare("SELECT id FROM rules ORDER BY id").pluck().all() as string[];
    assert.equal(s.warmup.pages, ids.length);
    const app = createApp(db, { warm: false });
    for (const id of ids) {
      const fresh = await app.request(ruleHref(id));
      const freshBody = await fresh.text();
      const plain = await get(s.url.replace(/\/$/, "") + ruleHref(id));
      assert.equal(plain.headers["x-cache"], "hit", `${id} is served from the first request`);
      assert.equal(plain.headers["content-encoding"], undefined, "a client that asks for no encoding gets none");
      assert.equal(plain.body.toString(), freshBody, id);
      for (const h of SAME_HEADERS) assert.equal(plain.headers[h], fresh.headers.get(h) ?? undefined, `${id} ${h}`);
      const gz = await get(s.url.replace(/\/$/, "") + ruleHref(id), { "Accept-Encoding": "gzip, deflate, br" });
      assert.equal(gz.headers["content-encoding"], "gzip");
      assert.equal(gz.headers.vary, "Accept-Encoding");
      assert.equal(gunzipSync(gz.body).toString(), freshBody, id);
    }
    const refused = await get(s.url.replace(/\/$/, "") + RULE, { "Accept-Encoding": "gzip;q=0, identity" });
    assert.equal(refused.headers["content-encoding"], undefined);
  } finally {
    db.close();
    await s.close();
  }
});

/** A server on a copy of the fixture catalog, and a writer on that copy (what an ingest does while it serves). */
async function servingACopy(opts: { searchWorkers?: number }, run: (s: { url: string }, writer: Db) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "ruleatlas-serve-"));
  const path = join(dir, "catalog.db");
  copyFileSync(cat.path, path);
  const s = await startServer({ db: path, port: 0, host: "127.0.0.1", ...opts });
  const writer = openCatalog(path);
  try {
    await run(s, writer);
  } finally {
    writer.close();
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test("after the catalog changes, no page of the old catalog is served, and the rule pages are rendered again", async () => {
  await servingACopy({}, async (s, writer) => {
    const url = s.url.replace(/\/$/, "") + RULE;
    const before = await get(url);
    assert.equal(before.headers["x-cache"], "hit");
    assert.doesNotMatch(before.body.toString(), /Renamed while serving/);
    // What an ingest does to a rule, from another connection.
    writer
      .prepare("UPDATE rules SET record_json = json_set(record_json, '$.title', 'Renamed while serving') WHERE id = ?")
      .run("panther:AWS.ConfigService.Created");
    const after = await get(url);
    assert.match(after.body.toString(), /Renamed while serving/);
    assert.notEqual(after.headers["x-cache"], "hit", "rendered from the new catalog, not the old set");
    // The set is rebuilt in the background: the page is a hit again, of the new catalog.
    let again = after;
    for (let i = 0; i < 200 && again.headers["x-cache"] !== "hit"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      again = await get(url);
    }
    assert.equal(again.headers["x-cache"], "hit");
    assert.match(again.body.toString(), /Renamed while serving/);
  });
});

test("searches answered by the search workers are the app's answers: same status, headers and body", async () => {
  const s = await startServer({ db: cat.path, port: 0, host: "127.0.0.1", searchWorkers: 2 });
  const db = openCatalog(cat.path, { readonly: true });
  try {
    const app = createApp(db, { warm: false });
    const targets = ["/rules", "/rules?q=PutDelivery", "/rules?q=c&severity=high&sort=title", "/rules?vendor=splonk", "/rules?q=%3Cscript%3E&page=2", "/rules?q=%C3%A9t%C3%A9+%E2%9C%93+%F0%9F%98%80"];
    for (const t of [...targets, ...targets.map((x) => `/api${x}`)]) {
      const fresh = await app.request(t);
      const served = await get(s.url.replace(/\/$/, "") + t);
      assert.equal(served.status, fresh.status, t);
      assert.equal(served.body.toString(), await fresh.text(), t);
      for (const h of SAME_HEADERS) assert.equal(served.headers[h], fresh.headers.get(h) ?? undefined, `${t} ${h}`);
    }
  } finally {
    db.close();
    await s.close();
  }
});

test("a search answered by a worker, or kept from an earlier request, holds every commit made before it was asked", async () => {
  await servingACopy({ searchWorkers: 2 }, async (s, writer) => {
    const base = s.url.replace(/\/$/, "");
    for (const t of [SEARCH, `/api${SEARCH}`]) {
      // Asked three times: the third is answered from the page cache.
      const asked = [await get(base + t), await get(base + t), await get(base + t)];
      assert.equal(asked[2].headers["x-cache"], "hit", t);
      assert.doesNotMatch(asked[2].body.toString(), /Renamed while serving/);
    }
    writer.prepare("UPDATE rules SET title = 'Renamed while serving' WHERE id = ?").run("panther:AWS.ConfigService.Created");
    for (const t of [SEARCH, `/api${SEARCH}`, `${SEARCH}&sort=title`]) {
      const after = await get(base + t);
      assert.equal(after.status, 200, t);
      assert.match(after.body.toString(), /Renamed while serving/, t);
    }
  });
});

test("`ruleatlas serve` says how long it took to get ready", async () => {
  const child = spawn(process.execPath, [CLI, "serve", "--db", cat.path, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  try {
    const { out } = await serving(child);
    assert.match(out, /^ready in \d+\.\d s: search index built, \d+ rule pages rendered ahead/m);
  } finally {
    child.kill("SIGTERM");
  }
});
