import { ruleHref } from "../data/links.js";
import type { MatchPageData } from "../data/match.js";
import { Layout } from "./layout.js";
import { Table, vendorName } from "./parts.js";

export function MatchPage({ d }: { d: MatchPageData }) {
  const r = d.result;
  return (
    <Layout title="Event playground">
      <p class="crumbs">Playground</p>
      <h1>Event playground</h1>
      <p class="note">
        Paste one event as JSON. Every rule of its log family is evaluated on it with the rule language's own semantics:
        you see which rules fire, which cannot be decided (untranslated logic) and why, and the predicates that held.
      </p>
      <form action="/match" method="post">
        <label for="event">Event (JSON object)</label>
        <textarea id="event" name="event" spellcheck={false} required>
          {d.input.event}
        </textarea>
        <div class="filters">
          <div>
            <label for="family">Log family</label>
            <select id="family" name="family">
              <option value="guess" selected={d.input.family === "guess"}>
                guess from the event's fields
              </option>
              <option value="all" selected={d.input.family === "all"}>
                all rules
              </option>
              {d.families.map((f) => (
                <option value={f.family} selected={d.input.family === f.family}>
                  {`${f.family} (${f.rules})`}
                </option>
              ))}
            </select>
          </div>
          <button type="submit">Evaluate</button>
        </div>
      </form>
      {d.error ? (
        <div class="callout error" role="alert">
          {d.error}
        </div>
      ) : null}
      {r ? (
        <>
          <h2>Result</h2>
          <p>
            {r.family.guessed ? "Guessed family" : "Family"}: <strong>{r.family.chosen.join(", ")}</strong>. {r.evaluated} rules
            evaluated in {r.ms} ms: <strong>{r.fired.length} fire</strong>, {r.unknown.length} unknown, {r.notFired} do not fire.
          </p>
          {r.truncated ? <div class="callout">The time budget ran out: not every rule of the family was evaluated.</div> : null}
          {r.family.guessed && r.family.candidates.length > 0 ? (
            <details>
              <summary>Why this family</summary>
              <Table head={["Family", { label: "Fields found", num: true }, { label: "Fields read by its rules", num: true }, { label: "Rules", num: true }]}>
                {r.family.candidates.map((c) => (
                  <tr>
                    <td>{c.family}</td>
                    <td class="num">{c.score}</td>
                    <td class="num">{c.fields}</td>
                    <td class="num">{c.rules}</td>
                  </tr>
                ))}
              </Table>
            </details>
          ) : null}
          <h3>Rules that fire ({r.fired.length})</h3>
          {r.fired.length === 0 ? (
            <p class="muted">None.</p>
          ) : (
            <Table head={["Rule", "Vendor", "Predicates that held"]}>
              {r.fired.map((f) => (
                <tr>
                  <td>
                    <a href={ruleHref(f.id)}>{f.title}</a>
                    {f.aggregation ? <div class="note">per-event filter only; the rule also aggregates ({f.aggregation})</div> : null}
                  </td>
                  <td>{vendorName(f.vendor)}</td>
                  <td>
                    {f.matched.map((m) => (
                      <div>
                        <code>{m}</code>
                      </div>
                    ))}
                  </td>
                </tr>
              ))}
            </Table>
          )}
          <h3>Unknown ({r.unknown.length})</h3>
          {r.unknown.length === 0 ? (
            <p class="muted">None.</p>
          ) : (
            <Table head={["Rule", "Vendor", "Why unknown"]}>
              {r.unknown.map((u) => (
                <tr>
                  <td>
                    <a href={ruleHref(u.id)}>{u.title}</a>
                  </td>
                  <td>{vendorName(u.vendor)}</td>
                  <td>
                    {u.reasons.map((m) => (
                      <div>{m}</div>
                    ))}
                  </td>
                </tr>
              ))}
            </Table>
          )}
        </>
      ) : null}
      <p class="note">
        JSON: <code>POST /api/match</code> with <code>{'{"event": {...}, "family": "guess"}'}</code>
      </p>
    </Layout>
  );
}
