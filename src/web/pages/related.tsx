import type { RelatedResult } from "../../analytics/related.js";
import { ruleHref } from "../data/links.js";
import { Table, vendorName } from "./parts.js";

/** Rules that share non-negated observables with this one, with that evidence; technique-only matches apart. */
export function RelatedRules({ related }: { related: RelatedResult }) {
  return (
    <>
      <p class="note">{related.method}</p>
      {related.related.length === 0 ? (
        <p class="muted">No other rule shares an indicator with this one.</p>
      ) : (
        <Table head={["Rule", "Vendor", "Evidence", { label: "Score", num: true }]}>
          {related.related.map((x) => (
            <tr>
              <td>
                <a href={ruleHref(x.id)}>{x.title}</a>
              </td>
              <td>
                {vendorName(x.vendor)}
                {x.sameVendor ? <div class="note">same vendor</div> : null}
              </td>
              <td>
                {x.evidence.map((t) => (
                  <div>{t}</div>
                ))}
              </td>
              <td class="num">{x.score.toFixed(1)}</td>
            </tr>
          ))}
        </Table>
      )}
      {related.techniqueOnly.length > 0 ? (
        <details>
          <summary>Same ATT&amp;CK technique, no shared indicator ({related.techniqueOnly.length})</summary>
          <Table head={["Rule", "Vendor", "Techniques"]}>
            {related.techniqueOnly.map((x) => (
              <tr>
                <td>
                  <a href={ruleHref(x.id)}>{x.title}</a>
                </td>
                <td>{vendorName(x.vendor)}</td>
                <td>{x.techniques.join(", ")}</td>
              </tr>
            ))}
          </Table>
        </details>
      ) : null}
    </>
  );
}
