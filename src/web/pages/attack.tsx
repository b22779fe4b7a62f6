import { MODALITIES } from "../../catalog/search.js";
import { VENDORS } from "../../model/rule.js";
import type { MatrixData, TechniqueData } from "../data/attack.js";
import { ruleHref, techniqueHref } from "../data/links.js";
import { Layout } from "./layout.js";
import { Table, vendorName, JsonTwin } from "./parts.js";

function Legend({ d }: { d: MatrixData }) {
  return (
    <div class="legend" aria-label="Legend">
      Rules per technique:
      {d.bins.map((b, i) => (
        <span>
          <span class={`swatch b${i}`} /> {b.label}
        </span>
      ))}
    </div>
  );
}

function Filters({ d }: { d: MatrixData }) {
  return (
    <form class="filters" action="/attack" method="get">
      <div>
        <label for="vendor">Vendor</label>
        <select id="vendor" name="vendor">
          <option value="">all vendors</option>
          {VENDORS.map((v) => (
            <option value={v} selected={d.filter.vendor.includes(v)}>
              {vendorName(v)}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="modality">Modality</label>
        <select id="modality" name="modality">
          <option value="">detections (default)</option>
          <option value="all" selected={d.filter.allModalities}>
            all modalities
          </option>
          {MODALITIES.map((m) => (
            <option value={m} selected={d.filter.modality.includes(m)}>
              {m}
            </option>
          ))}
        </select>
      </div>
      <button type="submit">Apply</button>
      <a class="button secondary" href={d.layer}>
        Navigator layer (JSON)
      </a>
    </form>
  );
}

export function AttackPage({ d, api }: { d: MatrixData; api: string }) {
  return (
    <Layout title="ATT&CK coverage">
      <p class="crumbs">MITRE ATT&amp;CK</p>
      <h1>ATT&amp;CK coverage</h1>
      {d.version === null ? (
        <div class="callout">No ATT&amp;CK data is loaded in this catalog: import a bundle with <code>ruleatlas attack import</code>.</div>
      ) : (
        <p class="note">
          Enterprise ATT&amp;CK v{d.version}. A cell counts the rules tagged with the technique or one of its sub-techniques
          (expand a cell for sub-techniques). {d.totals.techniquesCovered} of {d.totals.techniques} techniques and{" "}
          {d.totals.subtechniquesCovered} of {d.totals.subtechniques} sub-techniques have at least one rule, from{" "}
          {d.totals.rulesWithTechnique} of {d.totals.rules} rules counted.
          {d.excludedModalities.length > 0 ? ` Not counted: ${d.excludedModalities.join(", ")} (choose “all modalities” to count them).` : ""}{" "}
          “Covered” means a public rule is tagged with the technique, not that it would alert in your environment.
        </p>
      )}
      <Filters d={d} />
      <Legend d={d} />
      <div class="matrix">
        {d.tactics.map((t) => (
          <div class="col">
            <h3>
              {t.name}
              <small>
                {t.id} · {t.cells.length} techniques
              </small>
            </h3>
            {t.cells.map((c) =>
              c.subs.length > 0 ? (
                <details class={`cell b${c.bin}`}>
                  <summary>
                    <a href={techniqueHref(c.id)} title={`${c.id}: ${c.count} rules incl. sub-techniques, ${c.own} tagged ${c.id}`}>
                      {c.name}
                    </a>
                    <span class="n">{c.count}</span>
                  </summary>
                  <ul>
                    {c.subs.map((s) => (
                      <li>
                        <a href={techniqueHref(s.id)}>{s.name}</a>
                        <span class="n">{s.count}</span>
                      </li>
                    ))}
                  </ul>
                </details>
              ) : (
                <div class={`cell b${c.bin}`}>
                  <div class="head">
                    <a href={techniqueHref(c.id)} title={`${c.id}: ${c.count} rules`}>
                      {c.name}
                    </a>
                    <span class="n">{c.count}</span>
                  </div>
                </div>
              ),
            )}
          </div>
        ))}
      </div>
      {d.unknown.length > 0 ? (
        <>
          <h2>Ids not in the loaded ATT&amp;CK version</h2>
          <p class="note">Rules use these technique ids; they are kept as written, never dropped; a stated equivalent is counted on the matrix.</p>
          <Table head={["Technique", { label: "Rules", num: true }, "Counted as"]}>
            {d.unknown.map((u) => (
              <tr>
                <td>
                  <a href={techniqueHref(u.technique)}>{u.technique}</a>
                </td>
                <td class="num">{u.count}</td>
                <td>
                  {u.countedAs ?? "–"}
                  {u.note ? <div class="note">{u.note}</div> : null}
                </td>
              </tr>
            ))}
          </Table>
        </>
      ) : null}
      <JsonTwin href={api} />
    </Layout>
  );
}

export function TechniquePage({ d }: { d: TechniqueData }) {
  return (
    <Layout title={`${d.technique} ${d.name ?? ""}`}>
      <p class="crumbs">
        <a href="/attack">MITRE ATT&amp;CK</a>
        {d.parent ? (
          <>
            {" "}
            › <a href={techniqueHref(d.parent.id)}>{`${d.parent.id} ${d.parent.name ?? ""}`}</a>
          </>
        ) : null}
      </p>
      <h1>
        {d.technique} {d.name ?? ""}
      </h1>
      <div class="meta">
        {d.tactics.map((t) => (
          <span class="chip">{t}</span>
        ))}
        {d.known ? null : <span class="chip unknown-id">not in the loaded ATT&amp;CK version</span>}
      </div>
      {d.subs.length > 0 ? (
        <p>
          Sub-techniques:{" "}
          {d.subs.map((s, i) => (
            <>
              {i > 0 ? " · " : ""}
              <a href={techniqueHref(s.id)}>{`${s.id} ${s.name}`}</a>
            </>
          ))}
        </p>
      ) : null}
      <p class="note">
        {d.total} rules tagged {d.technique}
        {d.technique.includes(".") ? "" : " or one of its sub-techniques"}.{" "}
        <a href={`/rules?technique=${encodeURIComponent(d.technique.includes(".") ? d.technique : `${d.technique}.*`)}`}>Search them</a>.
      </p>
      {d.vendors.map((v) => (
        <>
          <h2>
            {vendorName(v.vendor)} <span class="muted">({v.rules.length})</span>
          </h2>
          <Table head={["Rule", "Tagged", "Severity", "Fidelity"]}>
            {v.rules.map((r) => (
              <tr>
                <td>
                  <a href={ruleHref(r.id)}>{r.title}</a>
                </td>
                <td>{r.technique}</td>
                <td>{r.severity ?? "–"}</td>
                <td>
                  <span class={`badge ${r.fidelity}`}>{r.fidelity}</span>
                </td>
              </tr>
            ))}
          </Table>
        </>
      ))}
      <JsonTwin href={`/api/attack/${encodeURIComponent(d.technique)}`} />
    </Layout>
  );
}
