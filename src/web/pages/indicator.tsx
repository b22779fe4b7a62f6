import type { IndicatorRule } from "../../analytics/indicators.js";
import type { IndicatorData } from "../data/indicator.js";
import { ruleHref } from "../data/links.js";
import { Layout } from "./layout.js";
import { Table, vendorName, JsonTwin } from "./parts.js";

function Group({ groups, empty }: { groups: { vendor: string; rules: IndicatorRule[] }[]; empty: string }) {
  if (groups.length === 0) return <p class="muted">{empty}</p>;
  return (
    <Table head={["Vendor", "Rule", "Modality", "Written as"]}>
      {groups.flatMap((g) =>
        g.rules.map((r) => (
          <tr>
            <td>{vendorName(g.vendor)}</td>
            <td>
              <a href={ruleHref(r.id)}>{r.title}</a>
            </td>
            <td>{r.modality}</td>
            <td>
              {r.matches.map((m) => (
                <div>
                  <code>{`${m.field ?? "keywords"} ${m.kind} ${m.value}`}</code>
                </div>
              ))}
            </td>
          </tr>
        )),
      )}
    </Table>
  );
}

export function IndicatorPage({ d, api }: { d: IndicatorData; api: string }) {
  const q = d.query;
  return (
    <Layout title={`Indicator ${q.field ?? "keywords"} ${q.kind} ${q.value}`}>
      <p class="crumbs">Indicators</p>
      <h1>
        <code>{q.field ?? "keywords"}</code> {q.kind} <code>{q.value}</code>
      </h1>
      <p class="note">
        Matched in canonical space: the field as written and the canonical names it maps to ({d.fields.map((f) => f || "keywords").join(", ")}),
        values case-folded.
      </p>
      <h2>Rules that look for it ({d.counts.lookFor})</h2>
      <Group groups={d.looksFor} empty="No rule looks for this value." />
      <h2>Rules that exclude it ({d.counts.onlyExclude})</h2>
      <p class="note">The value sits under a NOT: these rules suppress it.</p>
      <Group groups={d.excludes} empty="No rule excludes this value." />
      <JsonTwin href={api} />
    </Layout>
  );
}
