import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { startServer } from "../../src/web/server.js";
import { type FixtureCatalog, buildFixtureCatalog } from "./catalog.js";

const CLI = fileURLToPath(new URL("../../bin/ruleatlas.js", import.meta.url));
const RULE = "/rules/panther/AWS.ConfigService.Created";

let cat: FixtureCatalog;
before(async () => {
  cat = await buildFixtureCatalog({ attack: false });
});
after(() => cat.dispose());

test("`ruleatlas serve` serves the catalog on the asked port and stops on SIGTERM", async () => {
  const child = spawn(process.execPath, [CLI, "serve", "--db", cat.path, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  try {
    const base = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (b: Buffer) => {
        out += b.toString();
        const m = /at (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
        if (m) resolve(m[1]);
      });
      child.once("exit", (code) => reject(new Error(`exited ${code}`)));
    });
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

test("a cached page is the same page, with the same headers", async () => {
  const s = await startServer({ db: cat.path, port: 0, host: "127.0.0.1" });
  try {
    const first = await fetch(s.url.replace(/\/$/, "") + RULE);
    const again = await fetch(s.url.replace(/\/$/, "") + RULE);
    assert.equal(first.headers.get("x-cache"), null);
    assert.equal(again.headers.get("x-cache"), "hit");
    assert.equal(await again.text(), await first.text());
    for (const h of ["content-security-policy", "x-content-type-options", "referrer-policy", "content-type"]) {
      assert.equal(again.headers.get(h), first.headers.get(h), h);
    }
    const missing = await fetch(`${s.url}rules/panther/None`);
    assert.equal(missing.status, 404);
    assert.equal((await fetch(`${s.url}rules/panther/None`)).headers.get("x-cache"), null, "404s are not cached");
  } finally {
    await s.close();
  }
});
