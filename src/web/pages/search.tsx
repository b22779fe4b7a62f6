import { raw } from "hono/html";
import { FACETS, type Facet, type FacetCount, SORTS, type SearchHit } from "../../catalog/search.js";
import { ruleHref, searchHref, techniqueHref } from "../data/links.js";
import type { SearchPageData, SearchParams } from "../data/search.js";
import { Layout } from "./layout.js";
import { vendorName, JsonTwin } from "./parts.js";

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

export function SearchPage({ d, api }: { d: SearchPageData; api: string }) {
  const q = d.query;
  const r = d.result;
  const active = FACETS.flatMap((f) => (q.filters[f] ?? []).map((v) => ({ f, v })));
  return (
    <Layout title={q.q ? `Search: ${q.q}` : "Detection rules"} q={q.q}>
      <p class="crumbs">Detection rules</p>
      <h1>{q.q ? `Rules matching “${q.q}”` : "Detection rules"}</h1>
      <form class="searchbar" action="/rules" method="get">
        <div>
          <label for="q">Words in title, description, body or indicator values</label>
          <input id="q" type="search" name="q" value={q.q} />
        </div>
        <div>
          <label for="sort">Sort</label>
          <select id="sort" name="sort">
            {SORTS.map((s) => (
              <option value={s} selected={(q.sort ?? (q.q ? "relevance" : "title")) === s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        {FACETS.flatMap((f) => (q.filters[f] ?? []).map((v) => <input type="hidden" name={f} value={v} />))}
        <button type="submit">Search</button>
      </form>
      {d.error ? (
        <div class="callout error" role="alert">
          <strong>Cannot run this search.</strong> {d.error.message}
          {d.error.suggestions.length > 0 && d.error.parameter in FACET_LABEL ? (
            <div>
              Try:{" "}
              {d.error.suggestions.map((s, i) => (
                <>
                  {i > 0 ? ", " : ""}
                  <a href={href({ ...q, filters: { ...q.filters } }, { [d.error?.parameter as Facet]: [s] })}>{s}</a>
                </>
              ))}
            </div>
          ) : null}
        </div>
      ) : null}
      {active.length > 0 ? (
        <div class="active-filters">
          {active.map(({ f, v }) => (
            <a class="chip" href={toggle(q, f, v)} title="remove this filter">
              {FACET_LABEL[f]}: {v} ✕
            </a>
          ))}
          <a class="chip" href={href({ ...q, filters: {} }, {})}>
            clear all
          </a>
        </div>
      ) : null}
      {r?.facets ? raw(facetsHtml(q, r.facets)) : null}
      {r ? (
        <>
          <p class="note">
            {r.total === 0
              ? "No rule matches."
              : `Showing ${(r.page - 1) * r.perPage + 1}–${(r.page - 1) * r.perPage + r.hits.length} of ${r.total} rules.`}{" "}
            Each facet's counts apply the query and the other facets' filters.
          </p>
          {r.hits.length > 0 ? raw(hitsHtml(r.hits)) : null}
          {r.pages > 1 ? (
            <nav class="pager" aria-label="Pages">
              {r.page > 1 ? (
                <a class="button secondary" href={href(q, { page: String(r.page - 1) })} rel="prev">
                  ← Previous
                </a>
              ) : null}
              <span>
                Page {r.page} of {r.pages}
              </span>
              {r.page < r.pages ? (
                <a class="button secondary" href={href(q, { page: String(r.page + 1) })} rel="next">
                  Next →
                </a>
              ) : null}
            </nav>
          ) : null}
        </>
      ) : null}
      <JsonTwin href={api} />
    </Layout>
  );
}

// The facet lists and the result table are most of a search page: built as
// strings (a few hundred links and cells), with the markup the JSX above would
// give — same escaping, same attribute order — at a tenth of the cost.

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text or attribute value, escaped as hono/jsx escapes it. */
function esc(s: string): string {
  return /[&<>'"]/.test(s) ? s.replace(/[&<>'"]/g, (c) => ESCAPES[c]) : s;
}

const encoded = new Map<string, string>();

/** One name or value as URLSearchParams writes it (application/x-www-form-urlencoded); facet values repeat, so kept. */
function formEncode(s: string): string {
  if (/^[A-Za-z0-9*._-]*$/.test(s)) return s;
  let e = encoded.get(s);
  if (e === undefined) {
    if (encoded.size >= 50_000) encoded.clear();
    encoded.set(s, (e = encodeForm(s)));
  }
  return e;
}

function encodeForm(s: string): string {
  // A lone surrogate (a q cut at 200 code units) becomes U+FFFD, as URLSearchParams makes it.
  const wellFormed = s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
  return encodeURIComponent(wellFormed)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+");
}

/** href() for many changes of one facet: the other parameters are encoded once. */
function facetLinks(q: SearchParams): (f: Facet, values: string[]) => string {
  const params: Record<string, string | string[] | undefined> = { q: q.q, ...q.filters, sort: q.sort ?? undefined };
  const chunk = (k: string, v: string | string[] | undefined): string =>
    v === undefined || v === ""
      ? ""
      : (Array.isArray(v) ? v : [v])
          .filter((x) => x !== "")
          .map((x) => `${formEncode(k)}=${formEncode(x)}`)
          .join("&");
  const keys = Object.keys(params);
  const chunks = keys.map((k) => chunk(k, params[k]));
  return (f, values) => {
    const at = keys.indexOf(f);
    const parts = at < 0 ? [...chunks, chunk(f, values)] : chunks.map((c, i) => (i === at ? chunk(f, values) : c));
    const s = parts.filter((c) => c !== "").join("&");
    return s ? `/rules?${s}` : "/rules";
  };
}

function facetsHtml(q: SearchParams, facets: Record<Facet, FacetCount[]>): string {
  const link = facetLinks(q);
  let out = '<div class="facets">';
  for (const f of FACETS) {
    const counts = facets[f] ?? [];
    if (counts.length === 0) continue;
    const cur = q.filters[f] ?? [];
    out += `<details${cur.length > 0 || f === "vendor" ? ' open=""' : ""}><summary>${esc(FACET_LABEL[f])} <span class="count">(${counts.length})</span></summary><ul>`;
    for (const c of counts) {
      const on = cur.includes(c.value);
      const href = link(f, on ? cur.filter((v) => v !== c.value) : [...cur, c.value]);
      out += `<li><a href="${esc(href)}"${on ? ' class="on"' : ""}><span>${esc(f === "vendor" ? vendorName(c.value) : c.value)}</span><span class="count">${c.count}</span></a></li>`;
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
    out += `<tr><td><a href="${esc(ruleHref(h.id))}">${esc(h.title)}</a>`;
    if (h.onlyInExclusion) out += '<div class="excl">matched only inside an exclusion (the rule suppresses this value)</div>';
    out += `</td><td>${esc(vendorName(h.vendor))}</td><td>${esc(h.severity ?? "–")}</td><td class="opt">`;
    h.techniques.slice(0, 2).forEach((t, i) => {
      out += `${i > 0 ? ", " : ""}<a href="${esc(techniqueHref(t))}">${esc(t)}</a>`;
    });
    if (h.techniques.length > 2) out += ` +${h.techniques.length - 2}`;
    out += `</td><td class="opt">${esc(h.modality)}</td><td class="opt"><span class="badge ${esc(h.fidelity)}">${esc(h.fidelity)}</span></td>`;
    out += `<td class="opt mono">${esc(h.modified ?? "–")}</td></tr>`;
  }
  return `${out}</tbody></table></div>`;
}
