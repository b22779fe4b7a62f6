// Search service time, in process: the never-seen searches of bench/web run one
// after another through what a search worker does per request (parse the URL
// query, search, render the page, write its bytes), with no HTTP and no other load,
// so that a change to search or rendering shows up without the noise of
// 32 clients on 2 cores. Prints per-phase means and the distribution of the
// whole, as ratios against the bare search() call measured in the same run. Usage:
//   node --import tsx bench/search.ts --db catalog.db [--count 20000] [--warm 2000]
import { parseArgs } from "node:util";
import { openCatalog } from "../src/catalog/open.js";
import { search } from "../src/catalog/search.js";
import { searchPageHtml } from "../src/web/app.js";
import { PER_PAGE, parseSearchParams, searchPageData } from "../src/web/data/search.js";
import { reuseStatements } from "../src/web/statements.js";
import { unseenSearches } from "./unseen.js";

const { values: args } = parseArgs({
  options: {
    db: { type: "string" },
    count: { type: "string", default: "20000" },
    warm: { type: "string", default: "2000" },
  },
});
if (!args.db) {
  process.stdout.write("usage: bench/search.ts --db <catalog> (bench/web builds one from the Sigma corpus)\n");
  process.exit(0);
}
const count = Number(args.count);
const warm = Number(args.warm);
const urls = unseenSearches(args.db, count + warm).map((u) => new URLSearchParams(u.slice(u.indexOf("?") + 1)));
const db = openCatalog(args.db, { readonly: true });
reuseStatements(db);

function bare(p: URLSearchParams): void {
  const q = parseSearchParams(p);
  if ("parameter" in q) return;
  try {
    search(db, { q: q.q, filters: q.filters, ...(q.sort ? { sort: q.sort } : {}), limit: PER_PAGE, offset: (q.page - 1) * PER_PAGE, facets: true });
  } catch {
    // An unknown facet value: the page reports it.
  }
}

/** As a search worker answers (search-worker.ts): the page is ASCII, its bytes written as Latin-1. */
function page(p: URLSearchParams): number {
  const r = searchPageHtml(db, p, "/api/rules");
  const body = Buffer.allocUnsafeSlow(r.html.length);
  return body.write(r.html, 0, "latin1");
}

for (const p of urls.slice(0, warm)) {
  bare(p);
  searchPageData(db, p);
  page(p);
}
const timed = urls.slice(warm);
const time = async (f: (p: URLSearchParams) => unknown): Promise<number[]> => {
  const out: number[] = [];
  for (const p of timed) {
    const t0 = performance.now();
    await f(p);
    out.push(performance.now() - t0);
  }
  return out;
};
const searchMs = await time(bare);
const dataMs = await time((p) => searchPageData(db, p));
const cpu0 = process.cpuUsage();
const pageMs = await time(page);
const cpu = process.cpuUsage(cpu0);
const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
const q = (a: number[], p: number) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(p * a.length))];
const base = mean(searchMs);
const row = (label: string, a: number[]) =>
  `${label.padEnd(34)} mean ${mean(a).toFixed(3)} ms (${(mean(a) / base).toFixed(2)}×)  p50 ${q(a, 0.5).toFixed(3)}  p90 ${q(a, 0.9).toFixed(3)}  p99 ${q(a, 0.99).toFixed(3)}  max ${q(a, 1).toFixed(2)} ms\n`;
process.stdout.write(`${timed.length} unseen searches, one at a time, after ${warm} to warm up\n`);
process.stdout.write(row("search() with facets (baseline)", searchMs));
process.stdout.write(row("page data (parse + search)", dataMs));
process.stdout.write(row("page: data + HTML + bytes", pageMs));
process.stdout.write(`CPU per page, all threads (GC helpers included): ${((cpu.user + cpu.system) / timed.length).toFixed(0)} µs\n`);
let worst: [number, string][] = pageMs.map((ms, i) => [ms, timed[i].toString()]);
worst = worst.sort((a, b) => b[0] - a[0]).slice(0, 5);
process.stdout.write(`slowest pages: ${worst.map(([ms, u]) => `${ms.toFixed(1)} ms ?${u}`).join(" | ")}\n`);
db.close();
