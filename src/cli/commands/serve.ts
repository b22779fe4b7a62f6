import type { Command } from "commander";

// Placeholder: the 'serve' command lands with its feature.
export function register(_program: Command): void {}
