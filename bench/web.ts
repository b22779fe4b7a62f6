// Web benchmark: the full Sigma corpus in a temp catalog, the server in a child
// process (`ruleatlas serve`, loopback only), and here a load generator of N
// concurrent keep-alive clients (raw HTTP/1.1 over loopback sockets, asking for
// gzip as browsers do) for D seconds per pass: rule pages, known searches (a
// fixed list, repeated), then unseen searches (thousands of distinct queries
// drawn from the catalog's own words and facet values, with filters, sorts and
// pages; none is sent twice). No warm-up pass: the clock starts when the server
// says it is ready, and the time it took to get ready is printed. Prints
// p50/p90/p99/max latency, throughput and errors per pass. --no-cache also runs
// the server with its page cache off (every request rendered). Usage:
//   node --import tsx bench/web.ts [--db catalog.db] [--clients 32] [--seconds 20] [--rules 1000] [--no-cache] [--identity]
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
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
    "no-cache": { type: "boolean", default: false },
    /** Do not ask for gzip (clients that cannot inflate). */
    identity: { type: "boolean", default: false },
    /** Which passes to run (comma-separated): rules, known, unseen. */
    passes: { type: "string", default: "rules,known,unseen" },
    /** Passed to `serve --search-workers` (default: the server's own default). */
    "search-workers": { type: "string" },
    /** Extra node flags for the server child, e.g. "--cpu-prof". */
    "server-flags": { type: "string", default: "" },
  },
});
const CLIENTS = Number(args.clients);
/** What a browser sends (it inflates gzip); --identity leaves it out. */
const ACCEPT = args.identity ? "" : "Accept-Encoding: gzip, deflate\r\n";
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

function startServer(db: string, cache: number): Promise<{ child: ChildProcess; base: string; readyMs: number; report: string }> {
  const t0 = performance.now();
  const flags = (args["server-flags"] ?? "").split(" ").filter((f) => f !== "");
  const child = spawn(process.execPath, [...flags, CLI, "serve", "--db", db, "--port", "0", "--host", "127.0.0.1", "--cache", String(cache), ...(args["search-workers"] ? ["--search-workers", args["search-workers"]] : [])], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Server errors are counted by the client; show only the first lines of the server's own report.
  let errLines = 0;
  child.stderr?.on("data", (b: Buffer) => {
    for (const line of b.toString().split("\n")) if (line && errLines++ < 5) process.stderr.write(`server: ${line}\n`);
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (b: Buffer) => {
      out += b.toString();
      const m = /at (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) resolve({ child, base: m[1], readyMs: performance.now() - t0, report: (/^ready in .*$/m.exec(out) ?? [""])[0] });
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
}

/** Random but repeatable: every run draws the same unseen queries. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/**
 * Distinct search URLs a server cannot have seen: words of the catalog's titles,
 * descriptions and indicator values (whole, prefixes, pairs), alone or with a
 * facet filter the catalog holds, a sort and a page; `count` of them, each once.
 */
function unseenSearches(db: string, count: number): string[] {
  const cat = openCatalog(db, { readonly: true });
  try {
    const texts = cat.prepare("SELECT title || ' ' || description FROM rules").pluck().all() as string[];
    const values = cat.prepare("SELECT value FROM indicators WHERE value IS NOT NULL AND negated = 0 LIMIT 20000").pluck().all() as string[];
    const words = [...new Set([...texts, ...values].flatMap((t) => String(t).match(/[A-Za-z][A-Za-z0-9]{2,}/g) ?? []))];
    const facetValues: [string, string[]][] = [
      ["severity", cat.prepare("SELECT DISTINCT severity FROM rules WHERE severity IS NOT NULL").pluck().all() as string[]],
      ["status", cat.prepare("SELECT DISTINCT status FROM rules WHERE status IS NOT NULL").pluck().all() as string[]],
      ["fidelity", ["full", "partial", "none"]],
      ["technique", cat.prepare("SELECT DISTINCT UPPER(technique) FROM rule_attack WHERE technique IS NOT NULL").pluck().all() as string[]],
      ["logsource", cat.prepare("SELECT DISTINCT key || ':' || value FROM rule_logsources").pluck().all() as string[]],
      ["field", cat.prepare("SELECT field FROM indicators WHERE field IS NOT NULL GROUP BY field HAVING COUNT(*) > 5").pluck().all() as string[]],
    ];
    const sorts = ["relevance", "title", "severity", "vendor", "fidelity", "modified"];
    const rand = rng(20261128);
    const pick = <T>(a: T[]): T => a[Math.floor(rand() * a.length)];
    const out = new Set<string>();
    for (let tries = 0; out.size < count && tries < count * 20; tries++) {
      const p = new URLSearchParams();
      const form = rand();
      const w = pick(words);
      if (form < 0.45) p.set("q", w);
      else if (form < 0.6) p.set("q", w.slice(0, 3 + Math.floor(rand() * 3)));
      else if (form < 0.8) p.set("q", `${w} ${pick(words)}`);
      if (form >= 0.9 || rand() < 0.35) {
        const [facet, vals] = pick(facetValues);
        if (vals.length > 0) p.set(facet, pick(vals));
      }
      if (rand() < 0.3) p.set("sort", pick(sorts));
      if (rand() < 0.2) p.set("page", String(2 + Math.floor(rand() * 2)));
      out.add(`/rules?${p.toString()}`);
    }
    return [...out];
  } finally {
    cat.close();
  }
}

/**
 * A minimal keep-alive HTTP/1.1 client over one socket: the load generator
 * shares the machine with the server, and node's http client costs more CPU
 * per request than the server's cached path does.
 */
class Conn {
  private socket: net.Socket;
  private buf: Buffer = Buffer.alloc(0);
  private waiting: ((status: number) => void) | null = null;
  private failing: ((err: Error) => void) | null = null;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {
    this.socket = this.open();
  }

  private open(): net.Socket {
    const s = net.connect(this.port, this.host);
    s.setNoDelay(true);
    s.on("data", (d: Buffer) => this.onData(d));
    s.on("error", (e) => this.fail(e));
    s.on("close", () => this.fail(new Error("connection closed")));
    return s;
  }

  private fail(e: Error): void {
    const f = this.failing;
    this.waiting = this.failing = null;
    this.buf = Buffer.alloc(0);
    if (f) f(e);
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : Buffer.from(d);
    const end = this.buf.indexOf("\r\n\r\n");
    if (end < 0) return;
    const head = this.buf.subarray(0, end).toString("latin1");
    const len = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? "0");
    if (this.buf.length < end + 4 + len) return;
    this.buf = this.buf.subarray(end + 4 + len);
    const w = this.waiting;
    this.waiting = this.failing = null;
    w?.(Number(head.slice(9, 12)));
  }

  get(path: string): Promise<number> {
    if (this.socket.destroyed) this.socket = this.open();
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failing = reject;
      this.socket.write(`GET ${path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\n${ACCEPT}\r\n`);
    });
  }

  close(): void {
    this.socket.removeAllListeners("close");
    this.socket.destroy();
  }
}

interface Figures {
  /** The slowest requests: latency and path. */
  slowest: [number, string][];
  requests: number;
  errors: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  rps: number;
}

/** CLIENTS closed-loop clients taking the next of `urls` in turn, for `seconds` (or until `once` runs out of URLs). */
async function load(base: string, urls: string[], seconds: number, once = false): Promise<Figures & { exhausted: boolean }> {
  const lat: number[] = [];
  const slowest: [number, string][] = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  let next = 0;
  const { hostname, port } = new URL(base);
  const client = async () => {
    const conn = new Conn(hostname, Number(port));
    while (performance.now() < end && !(once && next >= urls.length)) {
      const path = urls[next++ % urls.length];
      const t0 = performance.now();
      try {
        const status = await conn.get(path);
        if (status !== 200) errors++;
      } catch {
        errors++;
      }
      const ms = performance.now() - t0;
      lat.push(ms);
      if (slowest.length < 3 || ms > slowest[slowest.length - 1][0]) {
        slowest.push([ms, path]);
        slowest.sort((a, b) => b[0] - a[0]);
        slowest.length = Math.min(slowest.length, 3);
      }
    }
    conn.close();
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, client));
  const took = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? 0;
  return {
    requests: lat.length,
    errors,
    p50: q(0.5),
    p90: q(0.9),
    p99: q(0.99),
    max: lat[lat.length - 1] ?? 0,
    rps: lat.length / took,
    exhausted: once && next >= urls.length,
    slowest,
  };
}

function print(label: string, f: Figures, goal: number): void {
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  const ok = f.p99 <= goal && f.errors === 0 ? "meets" : "MISSES";
  process.stdout.write(
    `${label.padEnd(28)} ${String(f.requests).padStart(7)} req  ${f.rps.toFixed(0).padStart(6)} req/s  p50 ${ms(f.p50)}  p90 ${ms(f.p90)}  p99 ${ms(f.p99)}  max ${ms(f.max)}  errors ${f.errors}  (${ok} p99 ≤ ${goal} ms)\n` +
      `${" ".repeat(30)}slowest: ${f.slowest.map(([t, p]) => `${ms(t)} ${p.length > 70 ? `${p.slice(0, 70)}…` : p}`).join(" | ")}\n`,
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
    const unseen = unseenSearches(db, Math.max(2000, Math.ceil(CLIENTS * SECONDS * 150)));
    process.stdout.write(`${unseen.length} distinct unseen searches drawn from the catalog; ${ACCEPT ? "clients accept gzip" : "clients ask for no encoding"}\n`);
    for (const cache of args["no-cache"] ? [2000, 0] : [2000]) {
      const { child, base, readyMs, report } = await startServer(db, cache);
      try {
        process.stdout.write(`page cache ${cache || "off"}: server ready ${(readyMs / 1000).toFixed(1)} s after start (${report || "no report"})\n`);
        const passes = new Set((args.passes ?? "").split(","));
        if (passes.has("rules")) print("  rule pages", await load(base, rules, SECONDS), 20);
        if (passes.has("known")) print("  known searches", await load(base, SEARCHES, SECONDS), 30);
        if (passes.has("unseen")) {
          const u = await load(base, unseen, SECONDS, true);
          print("  unseen searches", u, 30);
          if (u.exhausted) process.stdout.write("  (every unseen query was sent once before the time was up)\n");
        }
      } finally {
        child.kill("SIGTERM");
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
