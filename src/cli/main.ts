import { Command } from "commander";
import * as attack from "./commands/attack.js";
import * as coverage from "./commands/coverage.js";
import * as demo from "./commands/demo.js";
import * as indicators from "./commands/indicators.js";
import * as ingest from "./commands/ingest.js";
import * as related from "./commands/related.js";
import * as search from "./commands/search.js";
import * as serve from "./commands/serve.js";
import * as show from "./commands/show.js";
import * as stats from "./commands/stats.js";
import * as sync from "./commands/sync.js";
import * as verify from "./commands/verify.js";
import { UsageError } from "./shared.js";

const program = new Command()
  .name("ruleatlas")
  .description("Detection rules of every vendor, compiled into one normalized model.")
  .showHelpAfterError();

for (const mod of [ingest, sync, stats, show, search, verify, attack, coverage, related, indicators, serve, demo]) {
  mod.register(program);
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof UsageError) {
    process.stderr.write(`ruleatlas: ${err.message}\n`);
    process.exitCode = 2;
  } else {
    throw err;
  }
}
