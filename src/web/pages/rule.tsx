import type { Value } from "../../model/expr.js";
import type { RulePageData } from "../data/rule.js";
import { indicatorHref, ruleHref, searchHref, techniqueHref } from "../data/links.js";
import { Layout } from "./layout.js";
import { FidelityBadge, Section, Table, ValueText, vendorName, JsonTwin } from "./parts.js";
import { RelatedRules } from "./related.js";

/** Records of a multi-record test shown inline (Sigma regression data can hold thousands). */
const SHOWN_RECORDS = 20;

const VERDICT: Record<string, string> = { agree: "agrees", disagree: "disagrees", unknown: "unknown" };

export function RulePage({ d }: { d: RulePageData }) {
  const r = d.rule;
  return (
    <Layout title={r.title}>
      <p class="crumbs">
        <a href="/rules">Detection rules</a> › <a href={searchHref({ vendor: r.vendor })}>{vendorName(r.vendor)}</a>
      </p>
      <h1>{r.title}</h1>
      {r.description ? <p class="lede">{r.description}</p> : null}
      <div class="meta">
        <span class="chip">severity: {r.severity ?? "not stated"}</span>
        <span class="chip">status: {r.status ?? "not stated"}</span>
        <span class="chip">modality: {r.modality}</span>
        {r.enabled ? null : <span class="chip">disabled upstream</span>}
        <FidelityBadge fidelity={r.logic.fidelity} />
      </div>
      <Facts d={d} />
      <Deploy d={d} />
      <Attack d={d} />
      <Bodies d={d} />
      <Tests d={d} />
      <Logic d={d} />
      <Exclusions d={d} />
      <Indicators d={d} />
      <Outputs d={d} />
      <Section id="related" title="Related rules across vendors">
        <RelatedRules related={d.related} />
      </Section>
      {r.diagnostics.length > 0 ? <Diagnostics d={d} /> : null}
      <JsonTwin href={`/api${ruleHref(r.id)}`} />
    </Layout>
  );
}

function Facts({ d }: { d: RulePageData }) {
  const r = d.rule;
  return (
    <dl class="facts">
      <dt>Rule id</dt>
      <dd>
        <code>{r.id}</code>
      </dd>
      <dt>Log sources</dt>
      <dd>
        {r.logSources.length === 0
          ? "not stated"
          : r.logSources.map((l, i) => (
              <>
                {i > 0 ? " · " : ""}
                <a href={searchHref({ logsource: `${l.key}:${l.value}` })}>
                  {l.key}: {l.value}
                </a>
              </>
            ))}
      </dd>
      <dt>Source</dt>
      <dd>
        {d.source.href ? (
          <a href={d.source.href} rel="noopener noreferrer">
            {d.source.repo} @ {d.source.commit?.slice(0, 12)} / {d.source.path}
          </a>
        ) : (
          <span>
            {d.source.repo}
            {d.source.commit ? ` @ ${d.source.commit.slice(0, 12)}` : ""} / {d.source.path}
          </span>
        )}{" "}
        <span class="muted">(as indexed)</span>
      </dd>
      {r.author ? (
        <>
          <dt>Author</dt>
          <dd>{r.author}</dd>
        </>
      ) : null}
      {r.date || r.modified ? (
        <>
          <dt>Dates</dt>
          <dd>
            {r.date ? `created ${r.date}` : ""}
            {r.date && r.modified ? " · " : ""}
            {r.modified ? `modified ${r.modified}` : ""}
          </dd>
        </>
      ) : null}
      {r.license ? (
        <>
          <dt>Licence</dt>
          <dd>{r.license}</dd>
        </>
      ) : null}
      {r.tags.length > 0 ? (
        <>
          <dt>Tags</dt>
          <dd>{r.tags.join(" · ")}</dd>
        </>
      ) : null}
      {r.references.length > 0 ? (
        <>
          <dt>References</dt>
          <dd>
            {r.references.map((u, i) => (
              <>
                {i > 0 ? <br /> : null}
                {/^https?:\/\//.test(u) ? (
                  <a href={u} rel="noopener noreferrer nofollow">
                    {u}
                  </a>
                ) : (
                  u
                )}
              </>
            ))}
          </dd>
        </>
      ) : null}
      {r.falsePositives.length > 0 ? (
        <>
          <dt>False positives</dt>
          <dd>{r.falsePositives.join(" · ")}</dd>
        </>
      ) : null}
    </dl>
  );
}

/** Vendor metadata that says what must be in place before the rule can fire (DX-16). */
const DEPLOY_KEY = /definition|setup|implement|integration|min_?stack|requirement|runbook|prerequisite/i;

function metaText(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v, null, 1);
}

function Deploy({ d }: { d: RulePageData }) {
  const entries = Object.entries(d.rule.extra ?? {});
  const deploy = entries.filter(([k]) => DEPLOY_KEY.test(k));
  const other = entries.filter(([k]) => !DEPLOY_KEY.test(k));
  return (
    <>
      {deploy.length > 0 ? (
        <div class="callout">
          <strong>Before you deploy</strong>
          <dl class="facts">
            {deploy.map(([k, v]) => (
              <>
                <dt>{k}</dt>
                <dd class="lede">{metaText(v)}</dd>
              </>
            ))}
          </dl>
        </div>
      ) : null}
      {other.length > 0 ? (
        <details>
          <summary>Other vendor metadata ({other.length})</summary>
          <dl class="facts">
            {other.map(([k, v]) => (
              <>
                <dt>{k}</dt>
                <dd>{typeof v === "string" ? v : <code>{metaText(v)}</code>}</dd>
              </>
            ))}
          </dl>
        </details>
      ) : null}
    </>
  );
}

function Attack({ d }: { d: RulePageData }) {
  return (
    <Section id="attack" title="MITRE ATT&CK coverage">
      {d.attackByTactic.length === 0 ? (
        <p class="muted">The rule names no ATT&amp;CK tactic or technique.</p>
      ) : (
        <Table head={["Tactic", "Techniques"]}>
          {d.attackByTactic.map((g) => (
            <tr>
              <td>{g.tacticName ?? g.tactic ?? <span class="muted">no tactic given</span>}</td>
              <td>
                {g.techniques.length === 0 ? <span class="muted">no technique given</span> : null}
                {g.techniques.map((t, i) => (
                  <>
                    {i > 0 ? <br /> : null}
                    <a href={techniqueHref(t.technique)}>{t.technique}</a> {t.name ?? ""}
                    {t.known ? null : <span class="unknown-id"> (not in the loaded ATT&amp;CK version)</span>}
                  </>
                ))}
              </td>
            </tr>
          ))}
        </Table>
      )}
    </Section>
  );
}

function Bodies({ d }: { d: RulePageData }) {
  const r = d.rule;
  return (
    <Section id="body" title="Rule body">
      <p class="note">As the vendor wrote it.</p>
      {r.bodies.map((b, i) => (
        <div>
          <div class="body-head">
            <span>
              <span class="chip">{b.language}</span> <code>{b.path}</code>
            </span>
            {d.bodyLinks[i] ? (
              <a href={d.bodyLinks[i] as string} rel="noopener noreferrer">
                view at {d.source.commit?.slice(0, 12)}
              </a>
            ) : null}
          </div>
          <pre>
            <code>{b.text}</code>
          </pre>
        </div>
      ))}
    </Section>
  );
}

function Tests({ d }: { d: RulePageData }) {
  if (d.tests.length === 0) {
    return (
      <Section id="tests" title="Tests">
        <p class="muted">The rule ships no tests.</p>
      </Section>
    );
  }
  return (
    <Section id="tests" title="Tests">
      <p class="note">
        The rule's own tests, replayed on the normalized condition: <em>agrees</em> means the normalized logic gives the
        expected result, <em>unknown</em> that an untranslated fragment decides it.
      </p>
      <Table head={["Name", "Expected", "Replay", "Event"]}>
        {d.tests.map((t) => (
          <tr>
            <td>{t.name}</td>
            <td>
              {t.events
                ? `fires on at least ${t.minMatches ?? 1} of ${t.events.length} records`
                : t.expected
                  ? "fires (true)"
                  : "does not fire (false)"}
            </td>
            <td>
              <span class={`verdict ${t.replay.verdict}`}>{VERDICT[t.replay.verdict]}</span>
              <div class="note">got {t.replay.got === null ? "unknown" : String(t.replay.got)}</div>
            </td>
            <td>
              <details>
                <summary>{t.events ? `${t.events.length} records` : "event"}</summary>
                <pre>
                  <code>{JSON.stringify(t.events ? t.events.slice(0, SHOWN_RECORDS) : t.event, null, 2)}</code>
                </pre>
                {t.events && t.events.length > SHOWN_RECORDS ? (
                  <p class="note">
                    First {SHOWN_RECORDS} of {t.events.length} records; all are in the JSON twin.
                  </p>
                ) : null}
              </details>
            </td>
          </tr>
        ))}
      </Table>
    </Section>
  );
}

function Logic({ d }: { d: RulePageData }) {
  const l = d.rule.logic;
  const agg = l.aggregation;
  return (
    <Section id="logic" title="Detection logic">
      <div class="meta">
        <FidelityBadge fidelity={l.fidelity} />
      </div>
      <h3>Condition</h3>
      <p class="note">The normalized condition, one top-level conjunct per line (all lines must hold).</p>
      <pre class="condition">
        <code>
          {l.conditionText.map((line, i) => (
            <span class={d.opaqueLines.includes(i) ? "line opaque" : "line"}>{line}</span>
          ))}
        </code>
      </pre>
      {d.opaque.length > 0 ? (
        <div class="callout">
          <strong>Not translated.</strong> These fragments evaluate to <em>unknown</em>; they are kept as written, never guessed:
          <ul>
            {d.opaque.map((o) => (
              <li>
                <mark>
                  <code>{o.text}</code>
                </mark>{" "}
                — {o.reason}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {agg ? (
        <>
          <h3>Aggregation</h3>
          <dl class="facts">
            <dt>Kind</dt>
            <dd>{agg.kind}</dd>
            {agg.by?.length ? (
              <>
                <dt>Grouped by</dt>
                <dd>
                  <code>{agg.by.join(", ")}</code>
                </dd>
              </>
            ) : null}
            {agg.window ? (
              <>
                <dt>Window</dt>
                <dd>{agg.window}</dd>
              </>
            ) : null}
            {agg.threshold ? (
              <>
                <dt>Threshold</dt>
                <dd>{agg.threshold}</dd>
              </>
            ) : null}
            {agg.note ? (
              <>
                <dt>Note</dt>
                <dd>{agg.note}</dd>
              </>
            ) : null}
          </dl>
          {d.aggregationEvents.map((e) => (
            <>
              <h3>Event {e.name}</h3>
              <pre class="condition">
                <code>{e.condition}</code>
              </pre>
            </>
          ))}
        </>
      ) : null}
    </Section>
  );
}

function Values({ values, empty }: { values: Value[]; empty?: string }) {
  if (values.length === 0) return <span class="muted">{empty ?? ""}</span>;
  return (
    <ul class="values">
      {values.map((v) => (
        <li>
          <ValueText value={v} />
        </li>
      ))}
    </ul>
  );
}

function Exclusions({ d }: { d: RulePageData }) {
  const rows = d.rule.logic.exclusions;
  return (
    <Section id="exclusions" title="Exclusions">
      <p class="note">Top-level NOT(...) conjuncts: predicates this rule actively suppresses. Rows of one group are excluded only together.</p>
      {rows.length === 0 ? (
        <p class="muted">None.</p>
      ) : (
        <Table head={["Field", "Kind", "Excluded values", "Origin"]}>
          {rows.map((x) => (
            <tr>
              <td>
                <code>{x.field ?? "keywords"}</code>
              </td>
              <td>
                {x.kind}
                {x.all ? " all" : ""}
              </td>
              <td>
                <Values values={x.values} />
                {x.valuesFrom ? <div class="note">values from {x.valuesFrom}</div> : null}
                {x.group !== undefined ? <div class="note">group {x.group}: {x.expr}</div> : null}
              </td>
              <td>{x.origin ?? ""}</td>
            </tr>
          ))}
        </Table>
      )}
    </Section>
  );
}

function Indicators({ d }: { d: RulePageData }) {
  const rows = d.rule.logic.indicators;
  return (
    <Section id="indicators" title="Indicators">
      <p class="note">
        Each row is a field, operator and values the rule matches. The corpus count beside each value is how many other
        rules in the catalog look for the same (field, kind, value); it links to them. High numbers point to widely used
        indicators; 0 means the indicator is specific to this rule.
      </p>
      {rows.length === 0 ? (
        <p class="muted">None.</p>
      ) : (
        <Table head={["Field", "Kind", "Values · corpus", "Origin"]}>
          {rows.map((x) => (
            <tr>
              <td>
                <code>{x.field ?? "keywords"}</code>
                {x.scope ? <div class="note">selects the log source</div> : null}
              </td>
              <td>
                {x.kind}
                {x.all ? " all" : ""}
                {x.caseSensitive ? <div class="note">case-sensitive</div> : null}
              </td>
              <td>
                {x.values.length === 0 ? <span class="muted">(no value)</span> : null}
                <ul class="values">
                  {x.values.map((v, i) => {
                    const c = x.corpus[i];
                    return (
                      <li>
                        <ValueText value={v} />
                        <a href={indicatorHref(x.field, x.kind, v)} title="other rules with this indicator" class="mono">
                          {c ? String(c.canonical) : "0"}
                        </a>
                      </li>
                    );
                  })}
                </ul>
                {x.valuesFrom ? <div class="note">values from {x.valuesFrom}</div> : null}
              </td>
              <td>{x.origin ?? ""}</td>
            </tr>
          ))}
        </Table>
      )}
    </Section>
  );
}

function Outputs({ d }: { d: RulePageData }) {
  const f = d.rule.logic.outputFields;
  return (
    <Section id="outputs" title="Output fields">
      <p class="note">Event fields the rule emits when it matches.</p>
      {f.length === 0 ? (
        <p class="muted">None stated.</p>
      ) : (
        <Table head={["Field"]}>
          {f.map((x) => (
            <tr>
              <td>
                <code>{x}</code>
              </td>
            </tr>
          ))}
        </Table>
      )}
    </Section>
  );
}

function Diagnostics({ d }: { d: RulePageData }) {
  return (
    <Section id="diagnostics" title="Diagnostics">
      <p class="note">What the compiler reported while reading this rule.</p>
      <Table head={["Level", "Where", "Code", "Message"]}>
        {d.rule.diagnostics.map((x) => (
          <tr>
            <td>{x.level}</td>
            <td>
              <code>
                {x.file}
                {x.line !== undefined ? `:${x.line}` : ""}
              </code>
            </td>
            <td>
              <code>{x.code}</code>
            </td>
            <td>{x.message}</td>
          </tr>
        ))}
      </Table>
    </Section>
  );
}
