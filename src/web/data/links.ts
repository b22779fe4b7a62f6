/** URLs of the site, built in one place so pages and the API agree. */

export function splitRuleId(id: string): { vendor: string; nativeId: string } {
  const i = id.indexOf(":");
  return i < 0 ? { vendor: "", nativeId: id } : { vendor: id.slice(0, i), nativeId: id.slice(i + 1) };
}

export function ruleHref(id: string): string {
  const { vendor, nativeId } = splitRuleId(id);
  return `/rules/${encodeURIComponent(vendor)}/${encodeURIComponent(nativeId)}`;
}

export function techniqueHref(technique: string): string {
  return `/attack/${encodeURIComponent(technique)}`;
}

export function indicatorHref(field: string | null, kind: string, value: unknown): string {
  const p = new URLSearchParams();
  if (field !== null) p.set("field", field);
  p.set("kind", kind);
  p.set("value", value === null ? "" : String(value));
  return `/indicators?${p}`;
}

export function searchHref(params: Record<string, string | string[] | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === "") continue;
    for (const x of Array.isArray(v) ? v : [v]) if (x !== "") p.append(k, x);
  }
  const s = p.toString();
  return s ? `/rules?${s}` : "/rules";
}

/**
 * A link to the file as indexed (pinned commit) when the repository is a
 * GitHub "owner/name" or URL; null when the source is a local folder.
 */
export function sourceHref(repo: string, commit: string | undefined, path: string): string | null {
  const m = /^(?:https?:\/\/github\.com\/)?([A-Za-z0-9][\w.-]*\/[\w.-]+?)(?:\.git)?\/?$/.exec(repo);
  if (!m || !commit) return null;
  return `https://github.com/${m[1]}/blob/${commit}/${path.split("/").map(encodeURIComponent).join("/")}`;
}
