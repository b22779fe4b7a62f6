import { raw } from "hono/html";
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

/** Text or attribute value, escaped as hono/jsx escapes it, and every non-ASCII character as a numeric reference. */
export function escAscii(s: string): string {
  return /[&<>'"\u0080-\uffff]/.test(s) ? s.replace(/[&<>'"]|[\ud800-\udbff][\udc00-\udfff]|[\u0080-\uffff]/g, escapeOne) : s;
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

function escapeOne(c: string): string {
  const named = ESCAPES[c];
  if (named) return named;
  const code = c.codePointAt(0) as number;
  // A lone surrogate (a query cut at 200 code units) is what UTF-8 encoding would make of it: U+FFFD.
  return `&#${code >= 0xd800 && code <= 0xdfff ? 0xfffd : code};`;
}

/** Whether a string is all ASCII, so its Latin-1 bytes are its UTF-8 bytes. */
const isAscii = (s: string): boolean => !/[^\x00-\x7f]/.test(s);

let shell: string[] | undefined;

/**
 * The Layout around `content` (HTML), as a string and all ASCII: for pages
 * rendered as strings (search), whose bytes are then written as Latin-1 (see
 * search-worker.ts). Rendered once through the JSX Layout, so the markup is the same.
 */
export function layoutAscii(title: string, q: string, content: string): string {
  if (!shell) {
    const page = String(
      <Layout title={"\u0001"} q={"\u0002"}>
        {raw("\u0003")}
      </Layout>,
    ).replace(/[\u0080-\uffff]/g, escapeOne);
    shell = page.split(/[\u0001\u0002\u0003]/);
    if (shell.length !== 4 || !shell.every(isAscii)) throw new Error("the layout shell must be ASCII with one title, one q and one content slot");
  }
  return `<!DOCTYPE html>${shell[0]}${escAscii(title)}${shell[1]}${escAscii(q)}${shell[2]}${content}${shell[3]}`;
}
