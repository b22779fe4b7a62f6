// The entry of every worker thread (see ts-worker.ts): registers the TypeScript loader, then runs the module.
import { register } from "tsx/esm/api";

register();
await import(process.argv[process.argv.length - 1]);
