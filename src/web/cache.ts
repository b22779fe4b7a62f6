import type { Db } from "../catalog/open.js";

/**
 * A number that changes whenever another connection commits to the catalog
 * (an ingest while the server runs): cached pages and derived data are keyed
 * by it, so they never outlive the data they were built from.
 */
export function generation(db: Db): number {
  return db.pragma("data_version", { simple: true }) as number;
}

/** A small least-recently-used map; Map keeps insertion order, so re-inserting marks use. */
export class Lru<V> {
  private readonly map = new Map<string, V>();

  constructor(private readonly max: number) {}

  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }

  clear(): void {
    this.map.clear();
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
