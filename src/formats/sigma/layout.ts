// Where Sigma rules live: the SigmaHQ layout (rules* folders, deprecated/,
// unsupported/, regression_data/) or any folder of Sigma YAML files.
import { closeSync, existsSync, openSync, readSync, readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { RuleUnit } from "../adapter.js";
import { listFiles } from "../walk.js";
import { folderOf, readInfo } from "./regression.js";

const RULE_FOLDER = /^rules($|-)/;
const STATUS_FOLDERS = ["deprecated", "unsupported"];
const SKIP = new Set([".git", "node_modules", ".github"]);
const MAX_FILES = 200_000;
const MAX_DEPTH = 40;

/** Files under `rel` whose name passes `keep` (see formats/walk.ts). */
async function walk(root: string, rel: string, keep: (name: string) => boolean, out: string[] = []): Promise<string[]> {
  out.push(...listFiles(root, rel, keep, { skip: SKIP, maxDepth: MAX_DEPTH, maxFiles: MAX_FILES - out.length }));
  return out;
}

const isYaml = (n: string) => n.endsWith(".yml") || n.endsWith(".yaml");

/** Top-level folders of the SigmaHQ layout present in `dir` (empty: not that layout). */
export async function sigmaFolders(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
  return names.filter((n) => RULE_FOLDER.test(n) || STATUS_FOLDERS.includes(n)).sort();
}

/** Sigma rule or correlation document markers at the start of a line. */
export function looksLikeSigma(text: string): boolean {
  return (/^detection:/m.test(text) && /^logsource:/m.test(text)) || /^correlation:/m.test(text);
}

export async function detectSigma(dir: string): Promise<number> {
  const folders = await sigmaFolders(dir);
  const ruleFolders = folders.filter((f) => RULE_FOLDER.test(f));
  const sample = async (rels: string[]): Promise<number> => {
    let files: string[] = [];
    for (const r of rels) {
      files = await walk(dir, r, isYaml, files);
      if (files.length >= 400) break;
    }
    const picked = files.slice(0, 30);
    if (picked.length === 0) return 0;
    let hits = 0;
    for (const f of picked) {
      const text = await readFile(join(dir, f), "utf8").catch(() => "");
      if (looksLikeSigma(text)) hits++;
    }
    return hits / picked.length;
  };
  if (ruleFolders.length > 0 && (await sample(ruleFolders)) > 0.5) return 1;
  const share = await sample([""]);
  return share > 0 ? 0.5 + 0.3 * share : 0;
}

/**
 * Rule files, each with its regression files as deps (so a unit's hash
 * changes when its tests change). SigmaHQ layout: every rules* folder plus
 * deprecated/ and unsupported/. Otherwise every YAML file that looks like Sigma.
 */
export async function listSigmaUnits(dir: string): Promise<RuleUnit[]> {
  const folders = await sigmaFolders(dir);
  let files: string[] = [];
  if (folders.length > 0) {
    for (const f of folders) files = await walk(dir, f, isYaml, files);
  } else {
    const all = await walk(dir, "", isYaml);
    for (const f of all) {
      const text = await readFile(join(dir, f), "utf8").catch(() => "");
      if (looksLikeSigma(text)) files.push(f);
    }
  }
  const deps = await regressionDeps(dir, files);
  return files.map((path) => {
    const d = deps.get(path);
    return d && d.length > 0 ? { path, deps: d } : { path };
  });
}

/**
 * Rule path → its regression files. An info.yml usually sits at the rule's
 * mirrored path (regression_data/<rule path without .yml>/info.yml); for the
 * others the rule files are searched for the ids the info.yml names.
 */
async function regressionDeps(dir: string, ruleFiles: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (!existsSync(join(dir, "regression_data"))) return out;
  const infos = await walk(dir, "regression_data", (n) => n === "info.yml");
  const ruleSet = new Set(ruleFiles);
  const unmatched = new Map<string, string[]>(); // rule id → files
  for (const info of infos) {
    const folder = folderOf(info);
    const files = [info, ...(await walk(dir, folder.slice(0, -1), (n) => n.endsWith(".json")))].filter(
      (f) => f === info || folderOf(f) === folder,
    );
    const mirrored = `${folder.slice("regression_data/".length, -1)}.yml`;
    if (ruleSet.has(mirrored)) {
      out.set(mirrored, [...(out.get(mirrored) ?? []), ...files]);
      continue;
    }
    const text = await readFile(join(dir, info), "utf8").catch(() => "");
    for (const id of readInfo(text)?.ruleIds ?? []) unmatched.set(id, [...(unmatched.get(id) ?? []), ...files]);
  }
  if (unmatched.size === 0) return out;
  const buf = Buffer.alloc(8192);
  for (const f of ruleFiles) {
    const id = ID_LINE.exec(readHead(join(dir, f), buf))?.[1];
    const files = id ? unmatched.get(id) : undefined;
    if (files) out.set(f, [...(out.get(f) ?? []), ...files]);
  }
  return out;
}

const ID_LINE = /^id:\s*['"]?([^\s'"]+)/m;

/** The first bytes of a file (a rule's `id:` sits near its top), read into a shared buffer. */
function readHead(path: string, buf: Buffer): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    return buf.toString("utf8", 0, readSync(fd, buf, 0, buf.length, 0));
  } catch {
    return "";
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
