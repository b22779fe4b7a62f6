import type { Child } from "hono/jsx";

export interface LayoutProps {
  title: string;
  /** Search box value, kept across pages. */
  q?: string;
  children?: Child;
}

/** Every page: header with the site's doors, one column of content, no sidebar, no script. */
export function Layout({ title, q, children }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{`${title} · ruleatlas`}</title>
        <link rel="stylesheet" href="/static/style.css" />
      </head>
      <body>
        <header class="top">
          <div class="wrap">
            <a class="brand" href="/">
              ruleatlas
            </a>
            <nav aria-label="Site">
              <a href="/rules">Rules</a>
              <a href="/attack">ATT&amp;CK</a>
              <a href="/match">Playground</a>
              <a href="/api">API</a>
            </nav>
            <form action="/rules" method="get" role="search">
              <input type="search" name="q" value={q ?? ""} placeholder="Search rules" aria-label="Search rules" />
              <button type="submit">Search</button>
            </form>
          </div>
        </header>
        <main class="wrap">{children}</main>
        <footer>
          <div class="wrap">
            Rules are shown as their authors published them, under their own licences. MITRE ATT&amp;CK® data © The MITRE
            Corporation, reproduced and distributed with its permission. Every page has a JSON twin under <code>/api/</code>.
          </div>
        </footer>
      </body>
    </html>
  );
}
