// Worker threads do not inherit the TypeScript loader the CLI registered: register it, then start the worker.
import { register } from "tsx/esm/api";

register();
await import("./search-worker.ts");
