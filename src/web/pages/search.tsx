import { FACETS, type Facet, SORTS } from "../../catalog/search.js";
import { ruleHref, searchHref, techniqueHref } from "../data/links.js";
import type { SearchPageData, SearchParams } from "../data/search.js";
import { Layout } from "./layout.js";
import { Table, vendorName, JsonTwin } from "./parts.js";

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
      {r?.facets ? (
        <div class="facets">
          {FACETS.map((f) => {
            const counts = r.facets?.[f] ?? [];
            if (counts.length === 0) return null;
            return (
              <details open={(q.filters[f]?.length ?? 0) > 0 || f === "vendor"}>
                <summary>
                  {FACET_LABEL[f]} <span class="count">({counts.length})</span>
                </summary>
                <ul>
                  {counts.map((c) => (
                    <li>
                      <a href={toggle(q, f, c.value)} class={q.filters[f]?.includes(c.value) ? "on" : undefined}>
                        <span>{f === "vendor" ? vendorName(c.value) : c.value}</span>
                        <span class="count">{c.count}</span>
                      </a>
                    </li>
                  ))}
                </ul>
              </details>
            );
          })}
        </div>
      ) : null}
      {r ? (
        <>
          <p class="note">
            {r.total === 0
              ? "No rule matches."
              : `Showing ${(r.page - 1) * r.perPage + 1}–${(r.page - 1) * r.perPage + r.hits.length} of ${r.total} rules.`}{" "}
            Each facet's counts apply the query and the other facets' filters.
          </p>
          {r.hits.length > 0 ? (
            <Table head={["Rule", "Vendor", "Severity", { label: "Techniques", opt: true }, { label: "Modality", opt: true }, { label: "Fidelity", opt: true }, { label: "Modified", opt: true }]}>
              {r.hits.map((h) => (
                <tr>
                  <td>
                    <a href={ruleHref(h.id)}>{h.title}</a>
                    {h.onlyInExclusion ? (
                      <div class="excl">matched only inside an exclusion (the rule suppresses this value)</div>
                    ) : null}
                  </td>
                  <td>{vendorName(h.vendor)}</td>
                  <td>{h.severity ?? "–"}</td>
                  <td class="opt">
                    {h.techniques.slice(0, 2).map((t, i) => (
                      <>
                        {i > 0 ? ", " : ""}
                        <a href={techniqueHref(t)}>{t}</a>
                      </>
                    ))}
                    {h.techniques.length > 2 ? ` +${h.techniques.length - 2}` : ""}
                  </td>
                  <td class="opt">{h.modality}</td>
                  <td class="opt">
                    <span class={`badge ${h.fidelity}`}>{h.fidelity}</span>
                  </td>
                  <td class="opt mono">{h.modified ?? "–"}</td>
                </tr>
              ))}
            </Table>
          ) : null}
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
