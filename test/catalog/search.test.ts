import assert from "node:assert/strict";
import { test } from "node:test";
import { SearchValueError, ftsQuery, search } from "../../src/catalog/search.js";
import { sharedReadOnlyCatalog } from "../web/catalog.js";

const catalog = sharedReadOnlyCatalog();

test("free text becomes quoted FTS terms, the last one a prefix", () => {
  assert.equal(ftsQuery('PutDelivery "OR" NEAR('), '"PutDelivery" "OR" "NEAR"*');
  assert.equal(ftsQuery("  --  "), null);
});

test("an indicator value finds the rule; a prefix of it too", () => {
  for (const q of ["PutDeliveryChannel", "PutDelivery"]) {
    const ids = search(catalog(), { q }).hits.map((h) => h.id);
    assert.ok(ids.includes("panther:AWS.ConfigService.Created"), q);
  }
});

test("filters combine: values of one facet are alternatives, facets are ANDed", () => {
  const r = search(catalog(), { q: "", filters: { vendor: ["panther", "sigma"], severity: ["informational", "critical"], technique: ["T1526"] } });
  assert.deepEqual(r.hits.map((h) => h.id), ["panther:AWS.ConfigService.Created"]);
  assert.equal(r.total, 1);
});

test("tactics match however the rule wrote them", () => {
  // The Panther fixture writes TA0007, the Sigma one attack.discovery; without ATT&CK data the id stays an id.
  const byName = search(catalog(), { q: "", filters: { tactic: ["discovery"] } }).hits.map((h) => h.id);
  assert.ok(byName.includes("sigma:4a2b9c1e-0000-4000-8000-000000000001"));
});

test("sort by severity puts high before medium before informational", () => {
  const sev = search(catalog(), { q: "", sort: "severity", limit: 200 }).hits.map((h) => h.severity);
  const rank = (s: string | null) => ["critical", "high", "medium", "low", "informational"].indexOf(s ?? "") ?? 9;
  for (let i = 1; i < sev.length; i++) assert.ok(rank(sev[i - 1]) <= rank(sev[i]) || sev[i] === null, sev.join(","));
});

test("paging: offset and limit slice the same ordering", () => {
  const all = search(catalog(), { q: "", limit: 200 }).hits.map((h) => h.id);
  const page2 = search(catalog(), { q: "", limit: 2, offset: 2 }).hits.map((h) => h.id);
  assert.deepEqual(page2, all.slice(2, 4));
});

test("unknown facet values raise SearchValueError with suggestions", () => {
  assert.throws(() => search(catalog(), { q: "", filters: { severity: ["hgih"] } }), (e: unknown) => {
    assert.ok(e instanceof SearchValueError);
    assert.deepEqual(e.suggestions, ["high"]);
    return true;
  });
  assert.throws(() => search(catalog(), { q: "", filters: { vendor: ["splonk"] } }), /did you mean 'splunk'/);
  assert.throws(() => search(catalog(), { q: "", filters: { field: ["eventname"] } }), /did you mean 'eventName'/);
  assert.throws(() => search(catalog(), { q: "", filters: { technique: ["T1055*"] } }), /not a technique id/);
  assert.throws(() => search(catalog(), { q: "", filters: { logsource: ["product:nope"] } }), SearchValueError);
});

test("a value found only among a rule's excluded values is marked", () => {
  const hit = search(catalog(), { q: "citrix" }).hits.find((h) => h.id === "sigma:partial-0001");
  assert.equal(hit?.onlyInExclusion, true);
  const pos = search(catalog(), { q: "signtool" }).hits.find((h) => h.id === "sigma:partial-0001");
  assert.equal(pos?.onlyInExclusion, false);
});

test("facet counts: a facet's own filter does not narrow its counts", () => {
  const r = search(catalog(), { q: "", filters: { vendor: ["panther"] }, facets: true });
  const sigma = r.facets?.vendor.find((f) => f.value === "sigma")?.count ?? 0;
  assert.ok(sigma >= 3);
  assert.ok(r.hits.every((h) => h.vendor === "panther"));
});

test("sort by modified: newest first, undated rules last", () => {
  const dates = search(catalog(), { q: "", sort: "modified", limit: 200 }).hits.map((h) => h.modified);
  const firstNull = dates.indexOf(null);
  if (firstNull >= 0) assert.ok(dates.slice(firstNull).every((d) => d === null));
  const dated = dates.filter((d): d is string => d !== null);
  for (let i = 1; i < dated.length; i++) assert.ok(dated[i - 1] >= dated[i], dated.join(" "));
});

test("facet counts of a query matching most of the catalog equal those counted row by row", () => {
  const db = catalog();
  const all = search(db, { q: "", limit: 0 }).total;
  const vendors = search(db, { q: "", facets: true, limit: 0 }).facets?.vendor.map((v) => v.value) ?? [];
  const broad = ["the", "rule", "detects", "a", "event", "when"].find((q) => search(db, { q, limit: 0 }).total > all / 2);
  assert.ok(broad, "some word matches most of the fixture catalog");
  const r = search(db, { q: broad, facets: true, limit: 0 });
  assert.ok(r.total < all, "and not all of it, so rows are taken away");
  // A filter every rule passes sends the same query down the row-by-row path.
  const rowByRow = search(db, { q: broad, facets: true, limit: 0, filters: { vendor: vendors } });
  assert.equal(rowByRow.total, r.total);
  assert.deepEqual(r.facets, rowByRow.facets);
});

test("a result kept for paging and re-sorting answers as a fresh search would", () => {
  // "e" followed by spaces has the same words as "e", but each is kept apart: computed afresh.
  let fresh = 0;
  for (const filters of [{}, { severity: ["high", "medium"] }, { vendor: ["sigma"], fidelity: ["full", "partial"] }]) {
    // First asked without facets (as the CLI asks), then with them.
    search(catalog(), { q: "e", filters, limit: 1 });
    for (const sort of ["relevance", "title", "severity", "vendor", "fidelity", "modified"] as const) {
      for (const offset of [0, 1, 3]) {
        const kept = search(catalog(), { q: "e", filters, sort, limit: 2, offset, facets: true });
        const afresh = search(catalog(), { q: `e${" ".repeat(++fresh)}`, filters, sort, limit: 2, offset, facets: true });
        assert.deepEqual(kept, afresh, `${sort} ${offset} ${JSON.stringify(filters)}`);
      }
    }
  }
});
