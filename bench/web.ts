// Web benchmark: the full Sigma corpus in a temp catalog, the server in a child
// process (`ruleatlas serve`, loopback only), and here a load generator of N
// concurrent keep-alive clients hitting rule pages, then searches, for D seconds
// each. Prints p50/p90/p99/max latency, throughput and errors, with the page
// cache on (the default) after one warm-up pass, and with it off (every
// request rendered from the catalog). Usage:
//   node --import tsx bench/web.ts [--db catalog.db] [--clients 32] [--seconds 20] [--rules 1000]
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { openCatalog } from "../src/catalog/open.js";
import { ruleHref } from "../src/web/data/links.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const CLI = join(ROOT, "bin/ruleatlas.js");
const SIGMA = join(ROOT, "../shared/corpora/sigma");
const ATTACK = join(ROOT, "../shared/attack/enterprise-attack-18.1.json");

const { values: args } = parseArgs({
  options: {
    db: { type: "string" },
    clients: { type: "string", default: "32" },
    seconds: { type: "string", default: "20" },
    rules: { type: "string", default: "1000" },
  },
});
const CLIENTS = Number(args.clients);
const SECONDS = Number(args.seconds);

const SEARCHES = [
  "q=powershell",
  "q=mimikatz",
  "q=lsass",
  "q=rundll32",
  "q=certutil",
  "q=cloudtrail",
  "q=PutDeliveryChannel",
  "q=base64",
  "q=scheduled+task",
  "q=registry+run",
  "q=wmic",
  "q=process",
  "q=suspicious",
  "q=curl",
  "q=ssh",
  "q=kerberos",
  "q=okta",
  "q=azure",
  "q=python",
  "q=office",
  "vendor=sigma&severity=high",
  "q=powershell&severity=high",
  "technique=T1059.*",
  "tactic=persistence",
  "q=process&sort=severity",
  "q=cmd&modality=detection&page=2",
  "logsource=category:process_creation",
  "field=CommandLine&q=download",
  "q=net&fidelity=partial",
  "",
].map((s) => `/rules?${s}`);

function run(cmd: string[]): void {
  execFileSync(process.execPath, [CLI, ...cmd], { stdio: ["ignore", "ignore", "inherit"] });
}

function buildCatalog(dir: string): string {
  const db = join(dir, "sigma.db");
  const t0 = performance.now();
  run(["ingest", SIGMA, "--db", db]);
  if (existsSync(ATTACK)) run(["attack", "import", ATTACK, "--db", db]);
  process.stdout.write(`catalog: ingested ${SIGMA} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  return db;
}

function startServer(db: string, cache: number): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, [CLI, "serve", "--db", db, "--port", "0", "--host", "127.0.0.1", "--cache", String(cache)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (b: Buffer) => {
      out += b.toString();
      const m = /at (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) resolve({ child, base: m[1] });
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
  });
}

interface Figures {
  requests: number;
  errors: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  rps: number;
}

/** CLIENTS closed-loop clients, each walking `urls` from its own offset, for `seconds`. */
async function load(base: string, urls: string[], seconds: number): Promise<Figures> {
  const lat: number[] = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  let next = 0;
  const client = async () => {
    while (performance.now() < end) {
      const url = base + urls[next++ % urls.length];
      const t0 = performance.now();
      try {
        const status = await get(url);
        if (status !== 200) errors++;
      } catch {
        errors++;
      }
      lat.push(performance.now() - t0);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, client));
  const took = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? 0;
  return { requests: lat.length, errors, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: lat[lat.length - 1] ?? 0, rps: lat.length / took };
}

async function warm(base: string, urls: string[]): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (i < urls.length) await get(base + urls[i++]);
    }),
  );
}

function print(label: string, f: Figures, goal: number): void {
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  const ok = f.p99 <= goal && f.errors === 0 ? "meets" : "MISSES";
  process.stdout.write(
    `${label.padEnd(28)} ${String(f.requests).padStart(7)} req  ${f.rps.toFixed(0).padStart(6)} req/s  p50 ${ms(f.p50)}  p90 ${ms(f.p90)}  p99 ${ms(f.p99)}  max ${ms(f.max)}  errors ${f.errors}  (${ok} p99 ≤ ${goal} ms)\n`,
  );
}

async function main(): Promise<void> {
  if (!args.db && !existsSync(SIGMA)) {
    process.stdout.write("shared Sigma corpus absent: pass --db <catalog>\n");
    return;
  }
  const tmp = mkdtempSync(join(tmpdir(), "ruleatlas-bench-web-"));
  try {
    const db = args.db ?? buildCatalog(tmp);
    const cat = openCatalog(db, { readonly: true });
    const ids = (cat.prepare("SELECT id FROM rules ORDER BY id").all() as { id: string }[]).map((r) => r.id);
    cat.close();
    // Spread over the catalog: every k-th rule.
    const step = Math.max(1, Math.floor(ids.length / Number(args.rules)));
    const rules = ids.filter((_, i) => i % step === 0).slice(0, Number(args.rules)).map(ruleHref);
    process.stdout.write(
      `${ids.length} rules in the catalog; ${rules.length} rule pages and ${SEARCHES.length} searches; ${CLIENTS} clients, ${SECONDS} s per run\n`,
    );
    for (const cache of [2000, 0]) {
      const { child, base } = await startServer(db, cache);
      try {
        if (cache > 0) {
          const t0 = performance.now();
          await warm(base, [...rules, ...SEARCHES]);
          process.stdout.write(`page cache ${cache}: warm-up pass in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
        } else {
          process.stdout.write("page cache off: every request rendered from the catalog\n");
        }
        print("  rule pages", await load(base, rules, SECONDS), 20);
        print("  search", await load(base, SEARCHES, SECONDS), 30);
      } finally {
        child.kill("SIGTERM");
      }
    }
  } finally {
    agent.destroy();
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
