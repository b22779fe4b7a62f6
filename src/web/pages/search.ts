import { FACETS, type Facet, type FacetCount, SORTS, type SearchHit } from "../../catalog/search.js";
import { ruleHref, searchHref, techniqueHref } from "../data/links.js";
import type { SearchPageData, SearchParams } from "../data/search.js";
import { escAscii, layoutAscii } from "./layout.js";
import { vendorName } from "./parts.js";

const FACET_LABEL: Record<Facet, string> = {
  vendor: "Vendor",
  severity: "Severity",
  status: "Status",
  modality: "Modality",
  tactic: "Tactic",
  technique: "Technique",
  logsource: "Log source",
  field: "Field",
  fidelity: "Fidelity",
};

/** The URL of the current query with one change; page resets unless given. */
function href(q: SearchParams, change: Partial<Record<Facet | "q" | "sort" | "page", string[] | string>>): string {
  const params: Record<string, string | string[] | undefined> = { q: q.q, ...q.filters, sort: q.sort ?? undefined };
  for (const [k, v] of Object.entries(change)) params[k] = v;
  return searchHref(params);
}

function toggle(q: SearchParams, f: Facet, value: string): string {
  const cur = q.filters[f] ?? [];
  return href(q, { [f]: cur.includes(value) ? cur.filter((v) => v !== value) : [...cur, value] });
}

/**
 * The search page, built as one ASCII string: it is the page rendered most
 * often and for one visitor only, and string building costs a fraction of
 * JSX; its markup is what the JSX pages would give (same escaping, same
 * attribute order), with non-ASCII text as numeric references.
 */
export function searchPageText(d: SearchPageData, api: string): string {
  const q = d.query;
  const r = d.result;
  const shown = q.sort ?? (q.q ? "relevance" : "title");
  let out = `<p class="crumbs">Detection rules</p><h1>${q.q ? `Rules matching &#8220;${esc(q.q)}&#8221;` : "Detection rules"}</h1>`;
  out += '<form class="searchbar" action="/rules" method="get"><div><label for="q">Words in title, description, body or indicator values</label>';
  out += `<input id="q" type="search" name="q" value="${esc(q.q)}"/></div><div><label for="sort">Sort</label><select id="sort" name="sort">`;
  for (const s of SORTS) out += `<option value="${s}"${shown === s ? ' selected=""' : ""}>${s}</option>`;
  out += "</select></div>";
  for (const f of FACETS) for (const v of q.filters[f] ?? []) out += `<input type="hidden" name="${f}" value="${esc(v)}"/>`;
  out += '<button type="submit">Search</button></form>';
  if (d.error) {
    out += `<div class="callout error" role="alert"><strong>Cannot run this search.</strong> ${esc(d.error.message)}`;
    const facet = d.error.parameter;
    if (d.error.suggestions.length > 0 && facet in FACET_LABEL) {
      out += "<div>Try: ";
      d.error.suggestions.forEach((s, i) => {
        out += `${i > 0 ? ", " : ""}<a href="${esc(href(q, { [facet as Facet]: [s] }))}">${esc(s)}</a>`;
      });
      out += "</div>";
    }
    out += "</div>";
  }
  const active = FACETS.flatMap((f) => (q.filters[f] ?? []).map((v) => ({ f, v })));
  if (active.length > 0) {
    out += '<div class="active-filters">';
    for (const { f, v } of active) {
      out += `<a class="chip" href="${esc(toggle(q, f, v))}" title="remove this filter">${esc(FACET_LABEL[f])}: ${esc(v)} &#10005;</a>`;
    }
    out += `<a class="chip" href="${esc(href({ ...q, filters: {} }, {}))}">clear all</a></div>`;
  }
  if (r?.facets) out += facetsHtml(q, r.facets);
  if (r) {
    const first = (r.page - 1) * r.perPage;
    out += `<p class="note">${r.total === 0 ? "No rule matches." : `Showing ${first + 1}&#8211;${first + r.hits.length} of ${r.total} rules.`} Each facet&#39;s counts apply the query and the other facets&#39; filters.</p>`;
    if (r.hits.length > 0) out += hitsHtml(r.hits);
    if (r.pages > 1) {
      out += '<nav class="pager" aria-label="Pages">';
      if (r.page > 1) out += `<a class="button secondary" href="${esc(href(q, { page: String(r.page - 1) }))}" rel="prev">&#8592; Previous</a>`;
      out += `<span>Page ${r.page} of ${r.pages}</span>`;
      if (r.page < r.pages) out += `<a class="button secondary" href="${esc(href(q, { page: String(r.page + 1) }))}" rel="next">Next &#8594;</a>`;
      out += "</nav>";
    }
  }
  out += `<p class="note">JSON: <a href="${esc(api)}">${esc(api)}</a></p>`;
  return layoutAscii(q.q ? `Search: ${q.q}` : "Detection rules", q.q, out);
}

const esc = escAscii;

/** `f`, with its answers kept: for strings that come back on every page (facet names and values). */
function kept(f: (s: string) => string): (s: string) => string {
  const answers = new Map<string, string>();
  return (s) => {
    let a = answers.get(s);
    if (a === undefined) {
      if (answers.size >= 50_000) answers.clear();
      answers.set(s, (a = f(s)));
    }
    return a;
  };
}

/** A facet name or value as URLSearchParams writes it (the words of a query are encoded as they come). */
const formEncode = kept(encodeForm);

/** One name or value as URLSearchParams writes it (application/x-www-form-urlencoded). */
function encodeForm(s: string): string {
  if (/^[A-Za-z0-9*._-]*$/.test(s)) return s;
  // A lone surrogate (a q cut at 200 code units) becomes U+FFFD, as URLSearchParams makes it.
  const wellFormed = s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
  return encodeURIComponent(wellFormed)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+");
}

/**
 * href() for many changes of one facet, already escaped for an attribute:
 * the other parameters are encoded once, and form encoding leaves no
 * character to escape but the "&" between parameters.
 */
function facetLinks(q: SearchParams): (f: Facet, values: string[]) => string {
  const params: Record<string, string | string[] | undefined> = { q: q.q, ...q.filters, sort: q.sort ?? undefined };
  const chunk = (k: string, v: string | string[] | undefined, encode = formEncode): string =>
    v === undefined || v === ""
      ? ""
      : (Array.isArray(v) ? v : [v])
          .filter((x) => x !== "")
          .map((x) => `${formEncode(k)}=${encode(x)}`)
          .join("&amp;");
  const keys = Object.keys(params);
  const chunks = keys.map((k) => chunk(k, params[k], k === "q" ? encodeForm : formEncode));
  return (f, values) => {
    const at = keys.indexOf(f);
    let s = "";
    for (let i = 0; i <= keys.length; i++) {
      const c = i === at || (i === keys.length && at < 0) ? chunk(f, values) : i < keys.length ? chunks[i] : "";
      if (c !== "") s = s === "" ? c : `${s}&amp;${c}`;
    }
    return s ? `/rules?${s}` : "/rules";
  };
}

/** esc() of a facet value. */
const escValue = kept(esc);

function facetsHtml(q: SearchParams, facets: Record<Facet, FacetCount[]>): string {
  const link = facetLinks(q);
  let out = '<div class="facets">';
  for (const f of FACETS) {
    const counts = facets[f] ?? [];
    if (counts.length === 0) continue;
    const cur = q.filters[f] ?? [];
    out += `<details${cur.length > 0 || f === "vendor" ? ' open=""' : ""}><summary>${FACET_LABEL[f]} <span class="count">(${counts.length})</span></summary><ul>`;
    for (const c of counts) {
      const on = cur.includes(c.value);
      const href = link(f, on ? cur.filter((v) => v !== c.value) : [...cur, c.value]);
      out += `<li><a href="${href}"${on ? ' class="on"' : ""}><span>${escValue(f === "vendor" ? vendorName(c.value) : c.value)}</span><span class="count">${c.count}</span></a></li>`;
    }
    out += "</ul></details>";
  }
  return `${out}</div>`;
}

const HITS_HEAD =
  '<div class="table"><table><thead><tr><th scope="col">Rule</th><th scope="col">Vendor</th><th scope="col">Severity</th>' +
  '<th scope="col" class="opt">Techniques</th><th scope="col" class="opt">Modality</th><th scope="col" class="opt">Fidelity</th>' +
  '<th scope="col" class="opt">Modified</th></tr></thead><tbody>';

function hitsHtml(hits: SearchHit[]): string {
  let out = HITS_HEAD;
  for (const h of hits) {
    // Rule and technique links are percent-encoded (encodeURIComponent leaves no " < > &): nothing to escape.
    out += `<tr><td><a href="${ruleHref(h.id)}">${esc(h.title)}</a>`;
    if (h.onlyInExclusion) out += '<div class="excl">matched only inside an exclusion (the rule suppresses this value)</div>';
    out += `</td><td>${esc(vendorName(h.vendor))}</td><td>${esc(h.severity ?? "\u2013")}</td><td class="opt">`;
    h.techniques.slice(0, 2).forEach((t, i) => {
      out += `${i > 0 ? ", " : ""}<a href="${techniqueHref(t)}">${esc(t)}</a>`;
    });
    if (h.techniques.length > 2) out += ` +${h.techniques.length - 2}`;
    out += `</td><td class="opt">${esc(h.modality)}</td><td class="opt"><span class="badge ${esc(h.fidelity)}">${esc(h.fidelity)}</span></td>`;
    out += `<td class="opt mono">${esc(h.modified ?? "\u2013")}</td></tr>`;
  }
  return `${out}</tbody></table></div>`;
}
