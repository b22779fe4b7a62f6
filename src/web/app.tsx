import { readFileSync } from "node:fs";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import type { Child } from "hono/jsx";
import type { Db } from "../catalog/open.js";
import { perGeneration } from "./cache.js";
import { navigatorLayer } from "../analytics/layer.js";
import { FilterError, matrixData, parseMatrixFilter, techniqueData } from "./data/attack.js";
import { homeData } from "./data/home.js";
import { IndicatorQueryError, indicatorData, parseIndicatorQuery } from "./data/indicator.js";
import { matchPageData, warmMatch } from "./data/match.js";
import { VENDORS } from "../model/rule.js";
import { ruleHref, searchHref } from "./data/links.js";
import { rulePageData } from "./data/rule.js";
import { searchPageData } from "./data/search.js";
import { FACETS, SORTS } from "../catalog/search.js";
import { searchIndex } from "../catalog/search-index.js";
import { type PageCache, noteBody } from "./page-cache.js";
import { AttackPage, TechniquePage } from "./pages/attack.js";
import { ApiPage, ErrorPage, NotFoundPage } from "./pages/errors.js";
import { HomePage } from "./pages/home.js";
import { IndicatorPage } from "./pages/indicator.js";
import { MatchPage } from "./pages/match.js";
import { RulePage } from "./pages/rule.js";
import { searchPageText } from "./pages/search.js";
import { securityHeaders } from "./security.js";

const CSS = readFileSync(new URL("./static/style.css", import.meta.url), "utf8");

/** Largest event the playground accepts (a form post carries it URL-encoded). */
export const MAX_MATCH_BODY = 256 * 1024;

export interface AppOptions {
  /** Where rendered pages are kept (none: every request is rendered). */
  cache?: PageCache;
  /** Load the playground's rule set now rather than on its first request (default true). */
  warm?: boolean;
}

async function documentOf(node: Child): Promise<string> {
  const html = await Promise.resolve((node as { toString(): string | Promise<string> }).toString());
  return `<!DOCTYPE html>${html}`;
}

async function page(c: Context, node: Child, status = 200): Promise<Response> {
  const html = await documentOf(node);
  noteBody(c, html);
  return c.html(html, status as 200);
}

/** c.json, with the body noted for the page cache. */
function json(c: Context, data: unknown, status = 200, headers?: Record<string, string>): Response {
  const body = JSON.stringify(data);
  noteBody(c, body);
  return c.body(body, status as 200, { "Content-Type": "application/json", ...headers });
}

/** Content-Type of every HTML page (what c.html sets). */
export const HTML_TYPE = "text/html; charset=UTF-8";

/** The search page (GET /rules): its status (400 for a query it cannot run) and HTML, all ASCII. */
export function searchPageHtml(db: Db, params: URLSearchParams, api: string): { status: number; html: string } {
  const d = searchPageData(db, params);
  return { status: d.error ? 400 : 200, html: searchPageText(d, api) };
}

/**
 * Runs `count` searches built from the catalog's own titles (words, prefixes,
 * filters, sorts, pages) through the search page, keeping nothing: the code
 * they run is compiled and optimized before the first visitor searches.
 */
export function warmSearchPages(db: Db, count: number): void {
  const titles = db.prepare("SELECT title FROM rules ORDER BY rowid LIMIT ?").pluck().all(count) as string[];
  const sorts = ["", ...SORTS];
  // A value of every facet the catalog holds, so the first filter on each is not the first run.
  const index = searchIndex(db);
  const filters = FACETS.flatMap((f, i) => (index.values[i].length > 0 ? [[f, index.values[i][0]] as const] : []));
  for (const [i, title] of titles.entries()) {
    const word = (title.match(/[A-Za-z0-9]+/g) ?? ["rule"])[i % 2];
    const p = new URLSearchParams(i % 7 === 6 ? {} : { q: i % 3 === 0 ? (word ?? "").slice(0, 2) : (word ?? "") });
    if (i % 2 === 1 && filters.length > 0) p.set(...filters[(i >> 1) % filters.length]);
    if (sorts[i % sorts.length]) p.set("sort", sorts[i % sorts.length]);
    if (i % 5 === 2) p.set("page", "2");
    if (i % 10 === 9) JSON.stringify(searchPageData(db, p));
    else searchPageHtml(db, p, "/api/rules");
  }
}

/**
 * The HTML of a rule page, undefined when the catalog has no such rule: what
 * GET /rules/<vendor>/<native id> answers, for rendering ahead without a request.
 */
export async function rulePageHtml(db: Db, id: string): Promise<string | undefined> {
  const d = rulePageData(db, id);
  return d ? documentOf(<RulePage d={d} />) : undefined;
}

const isApi = (c: Context) => c.req.path === "/api" || c.req.path.startsWith("/api/");

/** The web site and its JSON twin: each route calls one data function and renders it. */
export function createApp(db: Db, opts: AppOptions = {}): Hono {
  const app = new Hono();
  const home = perGeneration(db, () => homeData(db));
  if (opts.warm ?? true) warmMatch(db);

  app.use("*", securityHeaders);
  if (opts.cache) app.use("*", opts.cache.middleware());

  app.get("/static/style.css", (c) =>
    c.body(CSS, 200, { "Content-Type": "text/css; charset=utf-8", "Cache-Control": "public, max-age=3600" }),
  );

  app.get("/", (c) => page(c, <HomePage d={home()} />));
  app.get("/api/stats", (c) => json(c, home()));
  app.get("/api", (c) => page(c, <ApiPage />));

  app.get("/rules", async (c) => {
    const url = new URL(c.req.url);
    const r = searchPageHtml(db, url.searchParams, `/api${c.req.path}${url.search}`);
    noteBody(c, r.html);
    return c.html(r.html, r.status as 200);
  });
  app.get("/api/rules", (c) => {
    const d = searchPageData(db, new URL(c.req.url).searchParams);
    return json(c, d, d.error ? 400 : 200);
  });

  // A rule id as the CLI prints it (<vendor>:<native id>) redirects to its page.
  app.get("/rules/:rid", (c) => {
    const rid = c.req.param("rid");
    if (rid.includes(":")) return c.redirect(ruleHref(rid), 301);
    if ((VENDORS as readonly string[]).includes(rid)) return c.redirect(searchHref({ vendor: rid }), 302);
    return notFound(c, `No rule ${rid}: rule ids are <vendor>:<native id>.`);
  });

  const ruleData = (c: Context) => rulePageData(db, `${c.req.param("vendor")}:${c.req.param("id")}`);
  app.get("/rules/:vendor/:id{.+}", async (c) => {
    const html = await rulePageHtml(db, `${c.req.param("vendor")}:${c.req.param("id")}`);
    if (html !== undefined) noteBody(c, html);
    return html !== undefined ? c.html(html) : notFound(c, `No rule ${c.req.param("vendor")}:${c.req.param("id")} in this catalog.`);
  });
  app.get("/api/rules/:vendor/:id{.+}", (c) => {
    const d = ruleData(c);
    return d ? json(c, d) : notFound(c, `no rule ${c.req.param("vendor")}:${c.req.param("id")}`);
  });

  const matrix = (c: Context) => matrixData(db, parseMatrixFilter(new URL(c.req.url).searchParams));
  app.get("/attack", (c) => page(c, <AttackPage d={matrix(c)} api={`/api/attack${new URL(c.req.url).search}`} />));
  app.get("/api/attack", (c) => json(c, matrix(c)));
  app.get("/api/attack/layer.json", (c) => {
    const f = parseMatrixFilter(new URL(c.req.url).searchParams);
    const layer = navigatorLayer(db, { vendors: f.vendor, modalities: f.modality, allModalities: f.allModalities, catalogUrl: new URL("/attack/", c.req.url).href });
    return json(c, layer, 200, { "Content-Disposition": 'attachment; filename="ruleatlas-layer.json"' });
  });
  app.get("/attack/:technique", (c) => {
    const d = techniqueData(db, c.req.param("technique"));
    return d ? page(c, <TechniquePage d={d} />) : notFound(c, `No technique ${c.req.param("technique")} in ATT&CK or in any rule.`);
  });
  app.get("/api/attack/:technique", (c) => {
    const d = techniqueData(db, c.req.param("technique"));
    return d ? json(c, d) : notFound(c, `no technique ${c.req.param("technique")}`);
  });

  const indicator = (c: Context) => indicatorData(db, parseIndicatorQuery(new URL(c.req.url).searchParams));
  app.get("/indicators", (c) => page(c, <IndicatorPage d={indicator(c)} api={`/api/indicators${new URL(c.req.url).search}`} />));
  app.get("/api/indicators", (c) => json(c, indicator(c)));

  const limit = bodyLimit({
    maxSize: MAX_MATCH_BODY,
    onError: () => {
      throw new HTTPException(413, { message: `the event is larger than ${MAX_MATCH_BODY / 1024} KB` });
    },
  });
  app.get("/match", (c) => page(c, <MatchPage d={matchPageData(db)} />));
  app.post("/match", limit, async (c) => {
    const form = await c.req.parseBody();
    const d = matchPageData(db, { event: String(form.event ?? ""), family: String(form.family ?? "guess") });
    return page(c, <MatchPage d={d} />, d.error ? 400 : 200);
  });
  app.post("/api/match", limit, async (c) => {
    let body: { event?: unknown; family?: unknown };
    try {
      body = (await c.req.json()) as typeof body;
    } catch {
      throw new HTTPException(400, { message: 'the body must be JSON: {"event": {...}, "family": "guess"}' });
    }
    const event = typeof body?.event === "string" ? body.event : JSON.stringify(body?.event ?? null);
    const d = matchPageData(db, { event, family: typeof body?.family === "string" ? body.family : "guess" });
    return json(c, d, d.error ? 400 : 200);
  });

  app.notFound((c) => notFound(c, `Nothing at ${c.req.path}.`));
  app.onError((err, c) => {
    const status = err instanceof HTTPException ? err.status : err instanceof FilterError || err instanceof IndicatorQueryError ? 400 : 500;
    const message = status === 500 ? "internal error" : err.message;
    if (status === 500) console.error(err);
    return isApi(c) ? json(c, { error: message }, status) : page(c, <ErrorPage status={status} message={message} />, status);
  });
  return app;
}

function notFound(c: Context, what: string): Response | Promise<Response> {
  return isApi(c) ? json(c, { error: what }, 404) : page(c, <NotFoundPage what={what} />, 404);
}
