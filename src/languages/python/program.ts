import type { PyNode } from "./ast.js";
import type { SymVal } from "./values.js";

/** A parsed Python module the evaluator can inline from. */
export interface PyModule {
  name: string;
  /** Path relative to the source root, for diagnostics. */
  file: string;
  root: PyNode;
  /** Globals, computed on first use (constants, imports, functions). */
  globals?: Map<string, SymVal>;
}

/** One data model: UDM name → event path or method of its module. */
export interface DataModel {
  logTypes: string[];
  paths: Map<string, string[]>;
  methods: Map<string, string>;
  module?: PyModule;
}

/** Everything a rule's code may reach outside its own file. */
export interface Program {
  /** Global helper modules by import name (`panther_aws_helpers`). */
  helpers: Map<string, PyModule>;
  /** Data models by LogType. */
  dataModels: Map<string, DataModel>;
}

export function emptyProgram(): Program {
  return { helpers: new Map(), dataModels: new Map() };
}
