import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { openCatalog } from "../../src/catalog/open.js";
import { ingest } from "../../src/ingest/pipeline.js";
import { CORPORA, REPO, needCorpus, tempDir } from "../helpers/paths.js";

const RULE = (id: string, title: string, image: string) => `title: ${title}
id: ${id}
status: test
description: Detects ${title}
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    Image|endswith: '${image}'
  condition: selection
level: medium
`;

function fixture(): string {
  const dir = tempDir();
  mkdirSync(join(dir, "rules"), { recursive: true });
  writeFileSync(join(dir, "rules", "a.yml"), RULE("11111111-1111-4111-8111-111111111111", "Rundll32 run", "\\rundll32.exe"));
  writeFileSync(join(dir, "rules", "b.yml"), RULE("22222222-2222-4222-8222-222222222222", "Regsvr32 run", "\\regsvr32.exe"));
  return dir;
}

const count = (db: ReturnType<typeof openCatalog>, sql: string, ...args: unknown[]) =>
  (db.prepare(sql).get(...args) as { n: number }).n;

test("one broken file is one stored diagnostic; the rest ingests", async () => {
  const dir = fixture();
  writeFileSync(join(dir, "rules", "broken.yml"), "title: x\ndetection: [unclosed\n");
  writeFileSync(join(dir, "rules", "empty.yml"), "");
  writeFileSync(join(dir, "rules", "binary.yml"), Buffer.from([0x74, 0x00, 0x01, 0x02]));
  writeFileSync(
    join(dir, "rules", "modifier.yml"),
    RULE("66666666-6666-4666-8666-666666666666", "Unknown modifier", "\\x.exe").replace("Image|endswith", "Image|sideways"),
  );
  writeFileSync(
    join(dir, "rules", "undefined.yml"),
    RULE("77777777-7777-4777-8777-777777777777", "Undefined identifier", "\\y.exe").replace("condition: selection", "condition: selection and not filter"),
  );
  const db = openCatalog(join(dir, "c.db"));
  const s = await ingest(db, [{ dir, format: "sigma" }]);
  // The two rules with an untranslatable part still land, with opaque logic and their diagnostics:
  // the unknown modifier was the whole selection (nothing translated), the undefined filter only a part.
  assert.equal(count(db, "SELECT COUNT(*) AS n FROM rules"), 4);
  assert.equal(count(db, "SELECT COUNT(*) AS n FROM rules WHERE fidelity = 'none' AND path = 'rules/modifier.yml'"), 1);
  assert.equal(count(db, "SELECT COUNT(*) AS n FROM rules WHERE fidelity = 'partial' AND path = 'rules/undefined.yml'"), 1);
  assert.equal(s.failedUnits, 5);
  const diags = db.prepare("SELECT file, line, code, message FROM diagnostics ORDER BY file").all() as { file: string; line: number; code: string; message: string }[];
  assert.deepEqual(
    diags.map((d) => [d.file, d.code.split(".")[0]]),
    [
      ["rules/binary.yml", "file"],
      ["rules/broken.yml", "yaml"],
      ["rules/empty.yml", "file"],
      ["rules/modifier.yml", "sigma"],
      ["rules/undefined.yml", "sigma"],
    ],
  );
  assert.match(diags[3].message, /sideways/);
  assert.match(diags[4].message, /filter/);
  assert.ok(diags.every((d) => typeof d.line === "number" && d.line >= 1));
  db.close();
});

test("a file over the size limit is refused with a diagnostic, not read", async () => {
  const dir = fixture();
  writeFileSync(join(dir, "rules", "huge.yml"), `title: huge\n#${"x".repeat(50 * 1024 * 1024)}\n`);
  const db = openCatalog(join(dir, "c.db"));
  const s = await ingest(db, [{ dir, format: "sigma" }]);
  assert.equal(s.failedUnits, 1);
  assert.equal(count(db, "SELECT COUNT(*) AS n FROM diagnostics WHERE code = 'file.too-large'"), 1);
  assert.equal(count(db, "SELECT COUNT(*) AS n FROM rules"), 2);
  db.close();
});

test("re-ingest is incremental: unchanged files are skipped, changed ones replaced, removed ones dropped", async () => {
  const dir = fixture();
  const db = openCatalog(join(dir, "c.db"));
  const first = await ingest(db, [{ dir, format: "sigma" }]);
  assert.equal(first.sources[0].compiled, 2);
  const again = await ingest(db, [{ dir, format: "sigma" }]);
  assert.equal(again.sources[0].compiled, 0);
  assert.equal(again.sources[0].unchanged, 2);
  writeFileSync(join(dir, "rules", "b.yml"), RULE("22222222-2222-4222-8222-222222222222", "Regsvr32 run", "\\regsvr.exe"));
  rmSync(join(dir, "rules", "a.yml"));
  const third = await ingest(db, [{ dir, format: "sigma" }]);
  assert.equal(third.sources[0].compiled, 1);
  assert.equal(third.sources[0].removed, 1);
  assert.equal(count(db, "SELECT COUNT(*) AS n FROM rules"), 1);
  assert.equal(count(db, "SELECT COUNT(*) AS n FROM indicators WHERE value = '\\regsvr.exe'"), 1);
  assert.equal(count(db, "SELECT COUNT(*) AS n FROM indicators WHERE value = '\\regsvr32.exe'"), 0);
  // The full-text index follows: one row per rule, old text gone, new text found.
  assert.equal(count(db, "SELECT COUNT(*) AS n FROM rules_fts"), 1);
  assert.equal(count(db, "SELECT COUNT(*) AS n FROM rules_fts WHERE rules_fts MATCH 'rundll32'"), 0);
  assert.equal(count(db, "SELECT COUNT(*) AS n FROM rules_fts WHERE rules_fts MATCH 'regsvr'"), 1);
  await ingest(db, [{ dir, format: "sigma" }], { force: true });
  assert.equal(count(db, "SELECT COUNT(*) AS n FROM rules_fts"), 1);
  db.close();
});

test("an unknown folder layout is refused with a clear error and nothing is written", async () => {
  const dir = tempDir();
  writeFileSync(join(dir, "notes.txt"), "hello");
  const db = openCatalog(join(dir, "c.db"));
  await assert.rejects(ingest(db, [{ dir }]), /no known rule format/);
  assert.equal(count(db, "SELECT COUNT(*) AS n FROM sources"), 0);
  db.close();
});

test("killing an ingest at any moment leaves the previous catalog exactly as it was", { skip: needCorpus("sigma"), timeout: 180_000 }, async () => {
  const dir = fixture();
  const dbPath = join(dir, "c.db");
  const db = openCatalog(dbPath);
  await ingest(db, [{ dir, format: "sigma", name: "small" }]);
  const before = count(db, "SELECT COUNT(*) AS n FROM rules");
  db.close();
  const run = (killAfterMs: number | null) =>
    new Promise<number>((resolve) => {
      const t0 = Date.now();
      const child = spawn(process.execPath, [join(REPO, "bin/ruleatlas.js"), "ingest", join(CORPORA, "sigma"), "--db", dbPath], { stdio: "ignore" });
      const timer = killAfterMs === null ? undefined : setTimeout(() => child.kill("SIGKILL"), killAfterMs);
      child.on("exit", () => {
        clearTimeout(timer);
        resolve(Date.now() - t0);
      });
    });
  // Measure a full run on a scratch copy of the catalog to spread the kills over its length.
  const scratch = join(dir, "scratch.db");
  const probe = openCatalog(scratch);
  probe.close();
  const full = await new Promise<number>((resolve) => {
    const t0 = Date.now();
    spawn(process.execPath, [join(REPO, "bin/ruleatlas.js"), "ingest", join(CORPORA, "sigma"), "--db", scratch], { stdio: "ignore" }).on("exit", () =>
      resolve(Date.now() - t0),
    );
  });
  for (const frac of [0.3, 0.6, 0.8, 0.9, 0.97]) {
    await run(Math.floor(full * frac));
    const after = openCatalog(dbPath);
    assert.equal(after.pragma("integrity_check", { simple: true }), "ok");
    const rules = count(after, "SELECT COUNT(*) AS n FROM rules");
    const corpus = count(after, "SELECT COUNT(*) AS n FROM rules WHERE source = 'sigma'");
    after.close();
    // Either the whole corpus landed (the kill came after the commit) or none of it did.
    if (corpus === 0) assert.equal(rules, before);
    else assert.ok(corpus > 3000 && rules === before + corpus, `partial ingest visible: ${corpus} corpus rules`);
    if (corpus > 0) break;
  }
});

test("two folders with the same name are two sources: neither replaces the other", async () => {
  const a = fixture();
  const b = tempDir();
  mkdirSync(join(b, "rules"));
  writeFileSync(join(b, "rules", "c.yml"), RULE("88888888-8888-4888-8888-888888888888", "Other", "\\other.exe"));
  // Same base name, different paths.
  const sameA = join(a, "same");
  const sameB = join(b, "same");
  mkdirSync(sameA);
  mkdirSync(sameB);
  for (const [from, to] of [
    [a, sameA],
    [b, sameB],
  ]) {
    execFileSync("cp", ["-r", join(from, "rules"), to]);
  }
  const db = openCatalog(join(a, "c.db"));
  await ingest(db, [{ dir: sameA, format: "sigma" }]);
  const s = await ingest(db, [{ dir: sameB, format: "sigma" }]);
  assert.notEqual(s.sources[0].name, "same");
  assert.equal(count(db, "SELECT COUNT(*) AS n FROM rules"), 3);
  db.close();
});

test("an ingest while another process writes the catalog is refused with a clear error, and writes nothing", async () => {
  const dir = fixture();
  const path = join(tempDir(), "c.db");
  const other = openCatalog(path);
  other.exec("BEGIN IMMEDIATE");
  const db = openCatalog(path);
  db.pragma("busy_timeout = 50");
  try {
    await assert.rejects(ingest(db, [{ dir }]), /another process is writing this catalog/);
  } finally {
    other.exec("ROLLBACK");
  }
  await ingest(db, [{ dir }]);
  assert.equal(count(db, "SELECT COUNT(*) AS n FROM rules"), 2);
  db.close();
  other.close();
});
