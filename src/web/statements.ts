import type { Statement } from "better-sqlite3";
import type { Db } from "../catalog/open.js";

/** Distinct SQL texts kept compiled per connection (queries are written in the code, so few). */
const MAX_STATEMENTS = 1000;

/**
 * Makes `db.prepare` hand back an already compiled statement for SQL it has
 * seen: a rule page runs some twenty queries, and compiling each costs about
 * as much as running it. A statement comes back as a fresh one would (its
 * raw/pluck/expand modes off); one still being iterated is never shared. Only
 * for connections the web server owns (read-only, one thread).
 */
export function reuseStatements(db: Db): void {
  const compile = db.prepare.bind(db);
  const kept = new Map<string, Statement>();
  const prepare = (sql: string): Statement => {
    const s = kept.get(sql);
    if (s && !s.busy) {
      if (s.reader) s.raw(false).pluck(false).expand(false);
      return s;
    }
    const fresh = compile(sql);
    if (!s) {
      if (kept.size >= MAX_STATEMENTS) kept.delete(kept.keys().next().value as string);
      kept.set(sql, fresh);
    }
    return fresh;
  };
  db.prepare = prepare as Db["prepare"];
}
