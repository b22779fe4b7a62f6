// Web benchmark: the full Sigma corpus in a temp catalog, the server in a child
// process (`ruleatlas serve`, loopback only), and here a load generator of N
// concurrent keep-alive clients (raw HTTP/1.1 over loopback sockets) hitting rule pages, then searches, for D seconds
// each. Prints p50/p90/p99/max latency, throughput and errors, with the page
// cache on (the default) after one warm-up pass, and with it off (every
// request rendered from the catalog). --no-cache runs only the second (cold) pass. Usage:
//   node --import tsx bench/web.ts [--db catalog.db] [--clients 32] [--seconds 20] [--rules 1000] [--no-cache]
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
      if (m) resolve({ child, base: m[1] });
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
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
      this.socket.write(`GET ${path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\n\r\n`);
    });
  }

  close(): void {
    this.socket.removeAllListeners("close");
    this.socket.destroy();
  }
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
  const { hostname, port } = new URL(base);
  const client = async () => {
    const conn = new Conn(hostname, Number(port));
    while (performance.now() < end) {
      const path = urls[next++ % urls.length];
      const t0 = performance.now();
      try {
        const status = await conn.get(path);
        if (status !== 200) errors++;
      } catch {
        errors++;
      }
      lat.push(performance.now() - t0);
    }
    conn.close();
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, client));
  const took = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? 0;
  return { requests: lat.length, errors, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: lat[lat.length - 1] ?? 0, rps: lat.length / took };
}

async function warm(base: string, urls: string[]): Promise<void> {
  const { hostname, port } = new URL(base);
  let i = 0;
  await Promise.all(
    Array.from({ length: 2 }, async () => {
      const conn = new Conn(hostname, Number(port));
      while (i < urls.length) await conn.get(urls[i++]);
      conn.close();
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
    for (const cache of args["no-cache"] ? [0] : [2000, 0]) {
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
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
