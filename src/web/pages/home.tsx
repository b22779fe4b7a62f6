import type { HomeData } from "../data/home.js";
import { searchHref } from "../data/links.js";
import { Layout } from "./layout.js";
import { Table, fmtPct, vendorName, JsonTwin } from "./parts.js";

export function HomePage({ d }: { d: HomeData }) {
  return (
    <Layout title="Detection rules of every vendor">
      <h1>Detection rules of every vendor, in one model</h1>
      <p class="lede">
        {d.total} rules, each compiled from its vendor's own language into one normalized condition, with its exclusions,
        indicators, ATT&amp;CK mapping and, where the vendor ships tests, their replay.
      </p>
      <form class="searchbar" action="/rules" method="get">
        <div>
          <label for="hq">Search rules</label>
          <input id="hq" type="search" name="q" placeholder="e.g. PutDeliveryChannel, mimikatz, T1055" />
        </div>
        <span />
        <button type="submit">Search</button>
      </form>
      <h2>Vendors</h2>
      <Table
        head={[
          "Vendor",
          { label: "Rules", num: true },
          { label: "Active", num: true },
          { label: "Fidelity full", num: true },
          { label: "partial", num: true },
          { label: "none", num: true },
          { label: "Tests replayed: agree", num: true },
          { label: "disagree", num: true },
          { label: "unknown", num: true },
          "Sources",
        ]}
      >
        {d.vendors.map((v) => (
          <tr>
            <td>
              <a href={searchHref({ vendor: v.vendor })}>{vendorName(v.vendor)}</a>
            </td>
            <td class="num">{v.rules}</td>
            <td class="num">{v.active}</td>
            <td class="num">
              {v.fidelity.full} <span class="muted">({fmtPct(v.fidelity.full, v.rules)})</span>
            </td>
            <td class="num">{v.fidelity.partial}</td>
            <td class="num">{v.fidelity.none}</td>
            <td class="num">
              {v.replay.agree} <span class="muted">/ {v.replay.tests}</span>
            </td>
            <td class="num">{v.replay.disagree}</td>
            <td class="num">{v.replay.unknown}</td>
            <td>
              {v.sources.map((s) => (
                <div>
                  {s.name}
                  {s.commit ? (
                    <>
                      {" "}
                      @ <code>{s.commit.slice(0, 12)}</code>
                    </>
                  ) : null}
                  <span class="muted"> · synced {s.ingestedAt.slice(0, 10)}</span>
                </div>
              ))}
            </td>
          </tr>
        ))}
      </Table>
      <p class="note">
        Last sync: {d.lastSync ? `${d.lastSync.slice(0, 16).replace("T", " ")} UTC` : "never"}. ATT&amp;CK: {d.attack.version ? `Enterprise v${d.attack.version}` : "not loaded"}.
        Fidelity <em>full</em>: the whole condition is normalized; <em>partial</em>: some fragments are kept as written
        and evaluate to unknown. Replay: the vendor's own tests evaluated on the normalized condition.
      </p>
      <div class="grid2">
        <p>
          <a href="/attack">ATT&amp;CK matrix</a> — coverage by technique, binned, with a Navigator layer.
        </p>
        <p>
          <a href="/match">Event playground</a> — paste an event, see which rules fire and why.
        </p>
      </div>
      <JsonTwin href="/api/stats" />
    </Layout>
  );
}
