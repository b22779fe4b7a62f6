import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { openCatalog } from "../../src/catalog/open.js";
import { cli } from "../helpers/cli.js";
import { tempDir } from "../helpers/paths.js";

const rule = (id: string, value: string) => `title: Test ${value}
id: ${id}
status: test
logsource: {category: process_creation, product: windows}
detection:
  selection:
    Image|endswith: '${value}'
  condition: selection
level: low
`;

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.email=t@example.invalid", "-c", "user.name=t", ...args], { cwd, encoding: "utf8" }).trim();
}

test("sync clones a listed repository, ingests it with its commit, then follows new commits", () => {
  const work = tempDir();
  const upstream = join(work, "upstream");
  mkdirSync(join(upstream, "rules"), { recursive: true });
  git(work, "init", "-q", "-b", "main", upstream);
  writeFileSync(join(upstream, "rules", "a.yml"), rule("33333333-3333-4333-8333-333333333333", "\\a.exe"));
  git(upstream, "add", "-A");
  git(upstream, "commit", "-qm", "one");
  const first = git(upstream, "rev-parse", "HEAD");
  const sources = join(work, "sources.json");
  writeFileSync(sources, JSON.stringify([{ name: "local-sigma", url: `file://${upstream}`, branch: "main", format: "sigma" }]));
  const db = join(work, "c.db");
  const args = ["sync", "--sources", sources, "--cache", join(work, "cache"), "--db", db, "--json"];

  const r1 = cli(args);
  assert.equal(r1.code, 0, r1.stderr);
  assert.equal(JSON.parse(r1.stdout)[0].commit, first);

  writeFileSync(join(upstream, "rules", "b.yml"), rule("44444444-4444-4444-8444-444444444444", "\\b.exe"));
  git(upstream, "add", "-A");
  git(upstream, "commit", "-qm", "two");
  const second = git(upstream, "rev-parse", "HEAD");
  const r2 = cli([...args.slice(0, 1), "--source", "local-sigma", ...args.slice(1)]);
  assert.equal(r2.code, 0, r2.stderr);
  assert.equal(JSON.parse(r2.stdout)[0].commit, second);

  const c = openCatalog(db);
  assert.equal((c.prepare("SELECT commit_sha AS s FROM sources WHERE name = 'local-sigma'").get() as { s: string }).s, second);
  assert.equal((c.prepare("SELECT COUNT(*) AS n FROM rules WHERE commit_sha = ?").get(second) as { n: number }).n, 2);
  c.close();
});

test("sync names an unknown source and fails cleanly on an unreachable repository", () => {
  const work = tempDir();
  const sources = join(work, "sources.json");
  writeFileSync(sources, JSON.stringify([{ name: "gone", url: `file://${work}/nothing`, branch: "main", format: "sigma" }]));
  const unknown = cli(["sync", "--sources", sources, "--source", "nope", "--db", join(work, "c.db")]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown source 'nope'/);
  const gone = cli(["sync", "--sources", sources, "--cache", join(work, "cache"), "--db", join(work, "c.db")]);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /gone: cannot fetch/);
});
