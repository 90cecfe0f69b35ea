/**
 * In-memory registry of collection definitions, loaded from `_collections` at start-up and
 * updated after every committed collection change. Lookups are synchronous and allocation-free
 * so the record hot path never queries the catalogue. `version` increases on every change
 * (GraphQL schema rebuilds and caches key on it).
 */
import type { SqlDb } from "../../db/sql-db.ts";
import { NotFoundError, ServiceUnavailableError } from "../errors.ts";
import { activeRenames, type Rename } from "./renames.ts";
import type { CollectionDef, FieldDef } from "./types.ts";

export type RegistryListener = (change: { kind: "create" | "update" | "delete"; name: string; def?: CollectionDef }) => void;

/** Row of `_collections` → definition. */
export function rowToCollection(row: Record<string, unknown>): CollectionDef {
  const parse = (v: unknown, fallback: unknown) => (typeof v === "string" ? JSON.parse(v) : (v ?? fallback));
  return {
    id: String(row.id),
    name: String(row.name),
    type: (row.type as CollectionDef["type"]) ?? "base",
    fields: parse(row.fields, []) as FieldDef[],
    options: parse(row.options, {}) as Record<string, unknown>,
    listRule: (row.list_rule as string | null) ?? null,
    viewRule: (row.view_rule as string | null) ?? null,
    createRule: (row.create_rule as string | null) ?? null,
    updateRule: (row.update_rule as string | null) ?? null,
    deleteRule: (row.delete_rule as string | null) ?? null,
    viewQuery: (row.view_query as string | null) ?? null,
    system: row.system === true || row.system === 1,
    created: String(row.created),
    updated: String(row.updated),
  };
}

/** A check over the whole set of collections a change would produce; throws (4xx) to refuse it. */
export type NameCheck = (defs: readonly CollectionDef[]) => void;

/** Seconds clients are asked to wait while a collection's table is rebuilt. */
export const REBUILD_RETRY_AFTER_SECONDS = 5;

export class CollectionRegistry {
  readonly #byName = new Map<string, CollectionDef>();
  /** lower-case old names of renamed collections (grace period running or not) → definition and rename; built on first use after a change */
  #renamed: Map<string, { def: CollectionDef; rename: Rename }> | undefined;
  readonly #listeners = new Set<RegistryListener>();
  readonly #nameChecks = new Set<NameCheck>();
  /** lower-case names whose table a schema change is rebuilding → how many changes hold them */
  readonly #rebuilding = new Map<string, number>();
  /** rebuilds announced by other instances (rebuild-notice.ts): origin → lower-case name → until (ms) */
  readonly #remoteRebuilds = new Map<string, Map<string, number>>();
  #version = 0;

  constructor(private readonly db: SqlDb) {}

  /** Increases on every change; 0 before load. */
  get version(): number {
    return this.#version;
  }

  /** (Re)loads every definition from the database. */
  async load(): Promise<void> {
    const rows = await this.db.query(this.db.qb.selectFrom("_collections").selectAll().orderBy("name"));
    this.#byName.clear();
    for (const row of rows) {
      const def = rowToCollection(row);
      this.#byName.set(def.name.toLowerCase(), def);
    }
    this.#renamed = undefined;
    this.#version++;
  }

  /**
   * Definition by name (case-insensitive, like table names), or undefined. An old name of a
   * renamed collection finds it while the rename's grace period runs (collections/renames.ts).
   */
  get(name: string): CollectionDef | undefined {
    return this.#byName.get(name.toLowerCase()) ?? this.renamedFrom(name)?.def;
  }

  /** The collection `name` was renamed from, while the grace period runs (undefined for a current name). */
  renamedFrom(name: string, now: number = Date.now()): { def: CollectionDef; rename: Rename } | undefined {
    const key = name.toLowerCase();
    if (this.#byName.has(key)) return undefined;
    if (!this.#renamed) {
      this.#renamed = new Map();
      for (const def of this.#byName.values()) for (const rename of activeRenames(def, 0)) if (rename.kind === "collection") this.#renamed.set(rename.from.toLowerCase(), { def, rename });
    }
    const hit = this.#renamed.get(key);
    return hit && Date.parse(hit.rename.until) > now ? hit : undefined;
  }

  /** Definition by id or name. */
  find(idOrName: string): CollectionDef | undefined {
    const byName = this.get(idOrName);
    if (byName) return byName;
    for (const def of this.#byName.values()) if (def.id === idOrName) return def;
    return undefined;
  }

  /**
   * Definition by name; throws NotFoundError (404) when unknown, and ServiceUnavailableError
   * (503, Retry-After 5) while a schema change rebuilds its table (see {@link beginRebuild}):
   * every transport reaches a collection through here, so every dialect answers alike.
   */
  require(name: string): CollectionDef {
    if ((this.#rebuilding.size > 0 && this.#rebuilding.has(name.toLowerCase())) || (this.#remoteRebuilds.size > 0 && this.#rebuiltRemotely(name.toLowerCase())))
      throw new ServiceUnavailableError(`Collection '${name}' is being rebuilt by a schema change; retry shortly`, REBUILD_RETRY_AFTER_SECONDS);
    const def = this.get(name);
    if (!def) throw new NotFoundError(`Collection '${name}' not found`);
    return def;
  }

  /**
   * Marks the collections `names` as being rebuilt: `require` answers 503 for them until the
   * returned release is called (once is enough; this instance only: `announceRebuild` in
   * rebuild-notice.ts also tells the other instances). Marks nest: a name stays marked while any
   * holder has not released it.
   * @example const release = registry.beginRebuild(["posts"]); try { … } finally { release(); }
   */
  beginRebuild(names: readonly string[]): () => void {
    const keys = [...new Set(names.map((n) => n.toLowerCase()))];
    for (const k of keys) this.#rebuilding.set(k, (this.#rebuilding.get(k) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const k of keys) {
        const n = (this.#rebuilding.get(k) ?? 1) - 1;
        if (n > 0) this.#rebuilding.set(k, n);
        else this.#rebuilding.delete(k);
      }
    };
  }

  /**
   * Marks `names` as being rebuilt by another instance `origin` for `forMs` (renewed by calling
   * again), so `require` answers 503 here too; see core/collections/rebuild-notice.ts.
   */
  markRemoteRebuild(origin: string, names: readonly string[], forMs: number): void {
    let marks = this.#remoteRebuilds.get(origin);
    if (!marks) this.#remoteRebuilds.set(origin, (marks = new Map()));
    const until = Date.now() + forMs;
    for (const n of names) marks.set(n.toLowerCase(), until);
  }

  /** Lifts the marks `origin` set on `names`. */
  unmarkRemoteRebuild(origin: string, names: readonly string[]): void {
    const marks = this.#remoteRebuilds.get(origin);
    if (!marks) return;
    for (const n of names) marks.delete(n.toLowerCase());
    if (marks.size === 0) this.#remoteRebuilds.delete(origin);
  }

  #rebuiltRemotely(key: string): boolean {
    const now = Date.now();
    let marked = false;
    for (const [origin, marks] of this.#remoteRebuilds) {
      const until = marks.get(key);
      if (until === undefined) continue;
      if (until > now) marked = true;
      else marks.delete(key);
      if (marks.size === 0) this.#remoteRebuilds.delete(origin);
    }
    return marked;
  }

  list(): CollectionDef[] {
    return [...this.#byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Records a committed create/update (call from afterCommit). */
  put(def: CollectionDef, previousName?: string): void {
    const existed = this.#byName.has((previousName ?? def.name).toLowerCase());
    if (previousName) this.#byName.delete(previousName.toLowerCase());
    this.#byName.set(def.name.toLowerCase(), def);
    this.#renamed = undefined;
    this.#version++;
    this.#emit({ kind: existed ? "update" : "create", name: def.name, def });
  }

  /** Records a committed delete (call from afterCommit). */
  remove(name: string): void {
    if (this.#byName.delete(name.toLowerCase())) {
      this.#renamed = undefined;
      this.#version++;
      this.#emit({ kind: "delete", name });
    }
  }

  /**
   * Registers a check run on every create/update before anything is written (transports add
   * theirs, e.g. GraphQL refuses collections whose generated type names collide).
   */
  addNameCheck(check: NameCheck): () => void {
    this.#nameChecks.add(check);
    return () => this.#nameChecks.delete(check);
  }

  /** Runs every registered name check over `defs` (the catalogue as it would be after a change). */
  checkNames(defs: readonly CollectionDef[]): void {
    for (const check of this.#nameChecks) check(defs);
  }

  onChange(listener: RegistryListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(change: Parameters<RegistryListener>[0]): void {
    for (const l of this.#listeners) l(change);
  }
}
