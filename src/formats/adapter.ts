import type { Diagnostic, RuleRecord, Vendor } from "../model/rule.js";

/** A repository (or any folder) being ingested. */
export interface SourceRoot {
  /** Short name shown to users and stored on every rule ("sigma", "panther-analysis", or the folder name). */
  name: string;
  /** Absolute path of the folder. */
  dir: string;
  /** Git commit of the checkout, when known. */
  commit?: string;
}

/** One unit of ingest: a main file and the other files its rules depend on. */
export interface RuleUnit {
  /** Path relative to the root, with forward slashes. */
  path: string;
  /** Other files (relative paths) whose content changes this unit's rules (Panther: the .py). */
  deps?: string[];
}

/** A unit with its text read by the pipeline (size-checked, binary-checked, decoded as UTF-8). */
export interface LoadedUnit {
  root: SourceRoot;
  path: string;
  text: string;
  /** Texts of `deps`, undefined where the file is missing or unreadable. */
  deps: Record<string, string | undefined>;
}

export interface CompileResult {
  rules: RuleRecord[];
  /** Diagnostics that belong to no rule (the file could not yield one). */
  diagnostics: Diagnostic[];
}

/** Repository-wide inputs that units share (Panther global helpers and data models). */
export interface LoadedContext<Ctx> {
  ctx: Ctx;
  /** Changes whenever anything in ctx changes: part of every unit's content hash. */
  hash: string;
  diagnostics: Diagnostic[];
}

/**
 * A vendor's repository layout and metadata schema. Adding a vendor is one
 * folder under src/formats and one line in registry.ts.
 */
export interface FormatAdapter<Ctx = unknown> {
  /** Format slug: "sigma", "panther", "chronicle", ... */
  format: string;
  vendor: Vendor;
  /** How sure the adapter is that `dir` is its repository: 0 (no) to 1 (its exact layout). */
  detect(dir: string): Promise<number>;
  listUnits(dir: string): Promise<RuleUnit[]>;
  loadContext?(root: SourceRoot): Promise<LoadedContext<Ctx>>;
  /** Never throws on bad input: returns diagnostics instead. */
  compile(unit: LoadedUnit, ctx: Ctx): CompileResult;
}
