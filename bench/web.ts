// Web benchmark: the full Sigma and Panther corpora in a temp catalog, the server in a child
// process (`ruleatlas serve`, loopback only), and here a load generator of N
// concurrent keep-alive clients (raw HTTP/1.1 over loopback sockets, asking for
// gzip as browsers do) for D seconds per pass: rule pages, known searches (a
// fixed list, repeated), then unseen searches (thousands of distinct queries
// drawn from the catalog's own words and facet values, with filters, sorts and
// pages; none is sent twice to one server). No warm-up pass: the clock starts when the server
// says it is ready, and the time it took to get ready is printed. Prints
// p50/p90/p99/max latency, throughput, errors and CPU per request per pass, for
// each of --reps runs (a fresh server each), then the medians. --no-cache also runs
// the server with its page cache off (every request rendered). Usage:
//   node --import tsx bench/web.ts [--db catalog.db] [--clients 32] [--seconds 20] [--reps 3] [--rules 1000] [--no-cache] [--identity]
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { openCatalog } from "../src/catalog/open.js";
import { ruleHref } from "../src/web/data/links.js";
import { unseenSearches } from "./unseen.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const CLI = join(ROOT, "bin/ruleatlas.js");
const SIGMA = join(ROOT, "../shared/corpora/sigma");
const PANTHER = join(ROOT, "../shared/corpora/panther");
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
    /** The Panther repository loaded with Sigma (default: the shared corpus, YAML only; a full checkout has the Python bodies). */
    panther: { type: "string" },
    /** Runs of the whole set of passes, each on a freshly started server; medians are printed after. */
    reps: { type: "string", default: "3" },
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
  const db = join(dir, "catalog.db");
  const t0 = performance.now();
  const sources = [SIGMA, args.panther ?? PANTHER].filter((d) => existsSync(d));
  for (const src of sources) run(["ingest", src, "--db", db]);
  if (existsSync(ATTACK)) run(["attack", "import", ATTACK, "--db", db]);
  process.stdout.write(`catalog: ingested ${sources.join(" and ")} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
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

/** CPU ms used so far by each thread of a process, by thread id (Linux /proc; undefined elsewhere). */
function cpuOf(pid: number): Map<string, number> | undefined {
  const ticks = (stat: string): number => {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  };
  try {
    const out = new Map<string, number>();
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      try {
        out.set(t, ticks(readFileSync(`/proc/${pid}/task/${t}/stat`, "latin1")));
      } catch {
        // The thread ended meanwhile.
      }
    }
    return out;
  } catch {
    return undefined;
  }
}

/** Per-thread CPU between two readings: the main thread (tid = pid), then the others, busiest first. */
function cpuDelta(pid: number, before: Map<string, number>, after: Map<string, number>): { main: number; others: number[] } {
  const d = [...after].map(([t, ms]) => [t, ms - (before.get(t) ?? 0)] as const);
  return {
    main: d.find(([t]) => t === String(pid))?.[1] ?? 0,
    others: d.filter(([t]) => t !== String(pid)).map(([, ms]) => ms).sort((a, b) => b - a),
  };
}

interface Figures {
  /** CPU µs per request: the server's main thread, its other threads, and this load generator. */
  cpu?: { main: number; others: number; busiest: number[]; client: number };
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
async function load(base: string, urls: string[], seconds: number, server: number | undefined, once = false): Promise<Figures & { exhausted: boolean }> {
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
  const cpu0 = server === undefined ? undefined : cpuOf(server);
  const client0 = process.cpuUsage();
  await Promise.all(Array.from({ length: CLIENTS }, client));
  const took = (performance.now() - t0) / 1000;
  const cpu1 = server === undefined ? undefined : cpuOf(server);
  const clientUs = process.cpuUsage(client0);
  const per = (ms: number) => (ms * 1000) / Math.max(1, lat.length);
  let cpu: Figures["cpu"];
  if (server !== undefined && cpu0 && cpu1) {
    const d = cpuDelta(server, cpu0, cpu1);
    cpu = {
      main: per(d.main),
      others: per(d.others.reduce((a, b) => a + b, 0)),
      busiest: d.others.slice(0, 3).map(per),
      client: per((clientUs.user + clientUs.system) / 1000),
    };
  }
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
    ...(cpu ? { cpu } : {}),
  };
}

function print(label: string, f: Figures, goal: number): void {
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  const ok = f.p99 <= goal && f.errors === 0 ? "meets" : "MISSES";
  process.stdout.write(
    `${label.padEnd(28)} ${String(f.requests).padStart(7)} req  ${f.rps.toFixed(0).padStart(6)} req/s  p50 ${ms(f.p50)}  p90 ${ms(f.p90)}  p99 ${ms(f.p99)}  max ${ms(f.max)}  errors ${f.errors}  (${ok} p99 ≤ ${goal} ms)\n` +
      (f.cpu
        ? `${" ".repeat(30)}CPU per request: server main thread ${f.cpu.main.toFixed(0)} µs, server other threads ${f.cpu.others.toFixed(0)} µs (busiest ${f.cpu.busiest.map((x) => x.toFixed(0)).join(", ")}), load generator ${f.cpu.client.toFixed(0)} µs\n`
        : "") +
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
    // More than the server can answer in the time: none runs out.
    const unseen = unseenSearches(db, Math.max(2000, Math.ceil(CLIENTS * SECONDS * 300)));
    process.stdout.write(`${unseen.length} distinct unseen searches drawn from the catalog; ${ACCEPT ? "clients accept gzip" : "clients ask for no encoding"}\n`);
    const reps = Math.max(1, Number(args.reps));
    const passes = new Set((args.passes ?? "").split(","));
    for (const cache of args["no-cache"] ? [2000, 0] : [2000]) {
      const runs = new Map<string, Figures[]>();
      const ready: number[] = [];
      const keep = (label: string, f: Figures, goal: number) => {
        print(label, f, goal);
        runs.set(label, [...(runs.get(label) ?? []), f]);
      };
      for (let rep = 1; rep <= reps; rep++) {
        const { child, base, readyMs, report } = await startServer(db, cache);
        ready.push(readyMs);
        try {
          process.stdout.write(`run ${rep} of ${reps}, page cache ${cache || "off"}: server ready ${(readyMs / 1000).toFixed(1)} s after start (${report || "no report"})\n`);
          if (passes.has("rules")) keep("  rule pages", await load(base, rules, SECONDS, child.pid), 20);
          if (passes.has("known")) keep("  known searches", await load(base, SEARCHES, SECONDS, child.pid), 30);
          if (passes.has("unseen")) {
            const u = await load(base, unseen, SECONDS, child.pid, true);
            keep("  unseen searches", u, 30);
            if (u.exhausted) process.stdout.write("  (every unseen query was sent once before the time was up)\n");
          }
        } finally {
          child.kill("SIGTERM");
        }
      }
      if (reps > 1) {
        const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
        process.stdout.write(`medians of ${reps} runs (page cache ${cache || "off"}): server ready ${(median(ready) / 1000).toFixed(1)} s after start\n`);
        for (const [label, fs] of runs) {
          const goal = label.includes("rule") ? 20 : 30;
          const p99 = median(fs.map((f) => f.p99));
          const errors = fs.reduce((n, f) => n + f.errors, 0);
          process.stdout.write(
            `${label.padEnd(28)} ${median(fs.map((f) => f.rps)).toFixed(0).padStart(6)} req/s  p50 ${median(fs.map((f) => f.p50)).toFixed(1)} ms  p90 ${median(fs.map((f) => f.p90)).toFixed(1)} ms  p99 ${p99.toFixed(1)} ms (runs: ${fs.map((f) => f.p99.toFixed(1)).join(", ")})  errors ${errors}  (${p99 <= goal && errors === 0 ? "meets" : "MISSES"} p99 ≤ ${goal} ms)\n`,
          );
        }
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
