import { Layout } from "./layout.js";

export function NotFoundPage({ what }: { what: string }) {
  return (
    <Layout title="Not found">
      <h1>Not found</h1>
      <p>{what}</p>
      <p>
        <a href="/rules">Search the rules</a> or go to the <a href="/">home page</a>.
      </p>
    </Layout>
  );
}

export function ErrorPage({ status, message }: { status: number; message: string }) {
  return (
    <Layout title={`Error ${status}`}>
      <h1>{status === 400 ? "Bad request" : status === 413 ? "Too large" : "Something went wrong"}</h1>
      <div class="callout error" role="alert">
        {message}
      </div>
    </Layout>
  );
}

export function ApiPage() {
  const rows: [string, string][] = [
    ["GET /api/stats", "vendors, rule counts, fidelity, test replay, sources (the home page)"],
    ["GET /api/rules?q=&vendor=&severity=&status=&modality=&tactic=&technique=&logsource=&field=&fidelity=&sort=&page=", "search with facets"],
    ["GET /api/rules/<vendor>/<native id>", "one rule: everything its page shows"],
    ["GET /api/attack?vendor=&modality=", "the ATT&CK matrix with binned counts"],
    ["GET /api/attack/<technique>", "rules of one technique, by vendor"],
    ["GET /api/attack/layer.json?vendor=&modality=", "ATT&CK Navigator layer"],
    ["GET /api/indicators?field=&kind=&value=", "rules that look for / exclude one indicator"],
    ["POST /api/match", 'body {"event": {...}, "family": "guess"}: the playground'],
  ];
  return (
    <Layout title="JSON API">
      <h1>JSON API</h1>
      <p>Every page has a JSON twin returning the same data. Unknown ids answer 404; bad parameters 400 with a message.</p>
      <div class="table">
        <table>
          <tbody>
            {rows.map(([k, v]) => (
              <tr>
                <td>
                  <code>{k}</code>
                </td>
                <td>{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Layout>
  );
}
