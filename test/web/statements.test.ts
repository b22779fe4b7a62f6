import assert from "node:assert/strict";
import { test } from "node:test";
import Database from "better-sqlite3";
import { acceptsGzip } from "../../src/web/page-cache.js";
import { reuseStatements } from "../../src/web/statements.js";

test("a reused statement comes back as a fresh one would: modes off, never while iterating", () => {
  const db = new Database(":memory:");
  db.exec("CREATE TABLE t (a INTEGER, b TEXT); INSERT INTO t VALUES (1, 'x'), (2, 'y')");
  reuseStatements(db);
  const sql = "SELECT a, b FROM t ORDER BY a";
  assert.deepEqual(db.prepare(sql).raw().all(), [[1, "x"], [2, "y"]]);
  assert.equal(db.prepare(sql), db.prepare(sql), "compiled once");
  assert.deepEqual(db.prepare(sql).all(), [{ a: 1, b: "x" }, { a: 2, b: "y" }], "raw mode does not leak");
  assert.deepEqual(db.prepare(sql).pluck().all(), [1, 2]);
  assert.deepEqual(db.prepare(sql).get(), { a: 1, b: "x" }, "pluck mode does not leak");
  const outer = db.prepare(sql);
  const seen: unknown[] = [];
  for (const row of outer.iterate()) seen.push(row, db.prepare(sql).get());
  assert.equal(seen.length, 4, "a statement being iterated is not handed out again");
  db.prepare("INSERT INTO t VALUES (?, ?)").run(3, "z");
  assert.equal(db.prepare("SELECT COUNT(*) FROM t").pluck().get(), 3);
  db.close();
});

test("Accept-Encoding: gzip unless refused with q=0", () => {
  assert.equal(acceptsGzip("gzip, deflate, br"), true);
  assert.equal(acceptsGzip("br;q=1.0, gzip;q=0.8"), true);
  assert.equal(acceptsGzip("*"), true);
  assert.equal(acceptsGzip("gzip;q=0"), false);
  assert.equal(acceptsGzip("identity"), false);
  assert.equal(acceptsGzip(undefined), false);
  assert.equal(acceptsGzip("deflate"), false);
});
