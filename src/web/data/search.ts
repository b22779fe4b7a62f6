import type { Db } from "../../catalog/open.js";
import { FACETS, type Facet, SORTS, type SearchResult, SearchValueError, type Sort, search } from "../../catalog/search.js";

export const PER_PAGE = 25;
const MAX_PAGE = 1000;

export interface SearchParams {
  q: string;
  filters: Partial<Record<Facet, string[]>>;
  sort: Sort | null;
  page: number;
}

export interface SearchError {
  parameter: string;
  value: string;
  message: string;
  suggestions: string[];
}

export interface SearchPageData {
  query: SearchParams;
  /** Absent when the query has an error. */
  result?: SearchResult & { page: number; pages: number; perPage: number };
  error?: SearchError;
}

/** Reads the URL query (the one model of query + facets the page and /api share). */
export function parseSearchParams(p: URLSearchParams): SearchParams | SearchError {
  const filters: Partial<Record<Facet, string[]>> = {};
  for (const f of FACETS) {
    const vals = p.getAll(f).flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
    if (vals.length > 0) filters[f] = [...new Set(vals)].slice(0, 20);
  }
  const sortRaw = p.get("sort") ?? "";
  if (sortRaw !== "" && !(SORTS as readonly string[]).includes(sortRaw)) {
    return { parameter: "sort", value: sortRaw, message: `unknown sort '${sortRaw}': use one of ${SORTS.join(", ")}`, suggestions: [...SORTS] };
  }
  const pageRaw = p.get("page") ?? "1";
  const page = /^\d{1,4}$/.test(pageRaw) ? Number(pageRaw) : Number.NaN;
  if (!(page >= 1 && page <= MAX_PAGE)) {
    return { parameter: "page", value: pageRaw, message: `page must be a whole number from 1 to ${MAX_PAGE}`, suggestions: [] };
  }
  return { q: (p.get("q") ?? "").slice(0, 200), filters, sort: sortRaw === "" ? null : (sortRaw as Sort), page };
}

export function searchPageData(db: Db, p: URLSearchParams): SearchPageData {
  const parsed = parseSearchParams(p);
  if ("parameter" in parsed) {
    return { query: { q: p.get("q") ?? "", filters: {}, sort: null, page: 1 }, error: parsed };
  }
  try {
    const r = search(db, {
      q: parsed.q,
      filters: parsed.filters,
      ...(parsed.sort ? { sort: parsed.sort } : {}),
      limit: PER_PAGE,
      offset: (parsed.page - 1) * PER_PAGE,
      facets: true,
    });
    return { query: parsed, result: { ...r, page: parsed.page, pages: Math.max(1, Math.ceil(r.total / PER_PAGE)), perPage: PER_PAGE } };
  } catch (err) {
    if (!(err instanceof SearchValueError)) throw err;
    return { query: parsed, error: { parameter: err.facet, value: err.value, message: err.message, suggestions: err.suggestions } };
  }
}
