import type { Command } from "commander";

// Placeholder: the 'attack' command lands with its feature.
export function register(_program: Command): void {}
