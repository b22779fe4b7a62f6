import type { Child } from "hono/jsx";
import type { Value } from "../../model/expr.js";
import { printValue } from "../../model/print.js";

/** Vendor slugs as people write them. */
export const VENDOR_NAMES: Record<string, string> = {
  sigma: "Sigma",
  panther: "Panther",
  elastic: "Elastic",
  splunk: "Splunk",
  sentinel: "Microsoft Sentinel",
  defender: "Microsoft Defender XDR",
  chronicle: "Google SecOps (Chronicle)",
};

export const vendorName = (v: string): string => VENDOR_NAMES[v] ?? v;

/** A column head: a label, right-aligned when numeric, hidden on a phone when optional. */
export type Head = string | { label: string; num?: boolean; opt?: boolean };

export function Table({ head, children, caption }: { head: Head[]; children?: Child; caption?: string }) {
  return (
    <div class="table">
      <table>
        {caption ? <caption class="note">{caption}</caption> : null}
        <thead>
          <tr>
            {head.map((h) =>
              typeof h === "string" ? (
                <th scope="col">{h}</th>
              ) : (
                <th scope="col" class={[h.num ? "num" : "", h.opt ? "opt" : ""].join(" ").trim() || undefined}>
                  {h.label}
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

export function FidelityBadge({ fidelity }: { fidelity: string }) {
  const title: Record<string, string> = {
    full: "fidelity: full — the whole condition is normalized",
    partial: "fidelity: partial — some fragments could not be translated (highlighted)",
    none: "fidelity: none — nothing could be translated",
  };
  return <span class={`badge ${fidelity}`}>{title[fidelity] ?? `fidelity: ${fidelity}`}</span>;
}

export function ValueText({ value }: { value: Value }) {
  return <code>{typeof value === "string" ? value : printValue(value)}</code>;
}

export function Section({ id, title, children }: { id: string; title: string; children?: Child }) {
  return (
    <section id={id} aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{title}</h2>
      {children}
    </section>
  );
}

export function fmtPct(n: number, of: number): string {
  return of === 0 ? "–" : `${Math.round((1000 * n) / of) / 10}%`;
}

/** The footnote that points a page to its JSON twin. */
export function JsonTwin({ href }: { href: string }) {
  return (
    <p class="note">
      JSON: <a href={href}>{href}</a>
    </p>
  );
}
