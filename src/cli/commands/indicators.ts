import type { Command } from "commander";

// Placeholder: the 'indicators' command lands with its feature.
export function register(_program: Command): void {}
