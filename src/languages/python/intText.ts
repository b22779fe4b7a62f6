import { F, mkAndSafe, pred, type Expr } from "./intTextDeps.js";
