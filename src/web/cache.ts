import type { Statement } from "better-sqlite3";
import type { Db } from "../catalog/open.js";

/**
 * A number that changes whenever another connection commits to the catalog
 * (an ingest while the server runs): cached pages and derived data are keyed
 * by it, so they never outlive the data they were built from.
 */
export function generation(db: Db): number {
  let stmt = versions.get(db);
  // db.pragma() compiles its statement on every call; this runs on every cached answer.
  if (!stmt) versions.set(db, (stmt = db.prepare("PRAGMA data_version")));
  return stmt.pluck().get() as number;
}

const versions = new WeakMap<Db, Statement>();

/** A small least-recently-used map; Map keeps insertion order, so re-inserting marks use. */
export class Lru<V> {
  private readonly map = new Map<string, V>();

  /** onEvict: told of every value dropped to make room or replaced. */
  constructor(
    private readonly max: number,
    private readonly onEvict?: (v: V) => void,
  ) {}

  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: string, value: V): void {
    const old = this.map.get(key);
    if (old !== undefined) {
      this.map.delete(key);
      this.onEvict?.(old);
    }
    this.map.set(key, value);
    if (this.map.size > this.max) this.evictOldest();
  }

  evictOldest(): void {
    const first = this.map.entries().next();
    if (first.done) return;
    this.map.delete(first.value[0]);
    this.onEvict?.(first.value[1]);
  }

  get size(): number {
    return this.map.size;
  }
}

/** Memoizes one value per catalog generation (home figures, rule logic for the playground). */
export function perGeneration<T>(db: Db, build: () => T): () => T {
  let gen = -1;
  let value: T | undefined;
  return () => {
    const g = generation(db);
    if (g !== gen || value === undefined) {
      value = build();
      gen = g;
    }
    return value;
  };
}
