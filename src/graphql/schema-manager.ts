/**
 * Holds the current GraphQL schema and rebuilds it after every collection change (local, or
 * relayed from another instance through the registry). The new schema replaces the old one in
 * one assignment, then the swap listeners (Yoga) and the realtime hub (which ends subscriptions
 * of collections that are gone) are told. A failing build keeps the previous schema.
 *
 * That schema shows everything (superadmins). Every other caller gets the schema of its role set
 * (`schemaFor`): built on first use, cached (at most {@link ROLE_SCHEMAS} role sets, least
 * recently used dropped), and rebuilt on the next use after a collection change or a role or
 * permission change (the role cache's version; other instances' changes arrive through the
 * registry sync and the `roles` channel).
 *
 * Nothing is built before the first GraphQL operation (or the first read of `schema`): a server
 * that only answers REST never holds a schema (about 5 MiB of idle memory). Until then a
 * collection change only moves the version on; the first use builds from the registry as it is.
 */
import type { GraphQLSchema } from "graphql";
import type { Principal, Services } from "../core/context.ts";
import { roleSetKey, roleSetOf, type RoleSet } from "../core/rules/role-scope.ts";
import { cachedRole, rolesVersion } from "../core/rules/role-cache.ts";
import type { RealtimeHub } from "../realtime/hub.ts";
import { buildSchema } from "./build-schema.ts";

/** How many role sets' schemas are kept (each costs about what the full schema does). */
export const ROLE_SCHEMAS = 16;

interface RoleSchema {
  schema: GraphQLSchema;
  /** registry version and role cache version it was built from */
  stamp: string;
}

export class SchemaManager {
  /** the full schema, once something asked for it */
  #schema: GraphQLSchema | undefined;
  #version: number;
  #buildMs = 0;
  readonly #listeners = new Set<(schema: GraphQLSchema) => void>();
  /** schemas per role set key, least recently used first */
  readonly #byRoleSet = new Map<string, RoleSchema>();
  #unsubscribe: (() => void) | undefined;

  constructor(
    private readonly services: Services,
    private readonly hub: RealtimeHub,
  ) {
    this.#version = services.collections.version;
  }

  /** The full schema (built now if nothing asked for it yet). */
  get schema(): GraphQLSchema {
    return (this.#schema ??= this.#firstBuild());
  }

  /** Whether the full schema was built (false until the first GraphQL use). */
  get built(): boolean {
    return this.#schema !== undefined;
  }

  /** The registry version the current schema was built from (or is built from on first use). */
  get version(): number {
    return this.#version;
  }

  /** Duration of the last build, ms. */
  get lastBuildMs(): number {
    return this.#buildMs;
  }

  /** The role set of `principal` (superadmins and the system: everything). */
  roleSetOf(principal: Principal): RoleSet {
    const role = principal.kind === "user" ? cachedRole(this.services, typeof principal.roleId === "number" ? principal.roleId : principal.role) : undefined;
    return roleSetOf(principal, role);
  }

  /**
   * The schema `principal` may see: the full schema for superadmins, else its role set's (built
   * on first use after a change; a failing build falls back to the anonymous view, never to more).
   */
  schemaFor(principal: Principal): GraphQLSchema {
    const set = this.roleSetOf(principal);
    if (set.kind === "all") return this.schema;
    const key = roleSetKey(set);
    const stamp = `${this.services.collections.version}:${rolesVersion(this.services)}`;
    const hit = this.#byRoleSet.get(key);
    this.#byRoleSet.delete(key);
    if (hit?.stamp === stamp) {
      this.#byRoleSet.set(key, hit);
      return hit.schema;
    }
    const built = { schema: this.#buildFor(set), stamp };
    this.#byRoleSet.set(key, built);
    if (this.#byRoleSet.size > ROLE_SCHEMAS) this.#byRoleSet.delete(this.#byRoleSet.keys().next().value!);
    return built.schema;
  }

  /** Role set keys with a cached schema (least recently used first). */
  get cachedRoleSets(): string[] {
    return [...this.#byRoleSet.keys()];
  }

  onSwap(listener: (schema: GraphQLSchema) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Rebuilds on every registry change until `stop()`. */
  start(): void {
    this.#unsubscribe ??= this.services.collections.onChange(() => this.rebuild());
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  /** Builds from the registry and swaps; returns false (old schema kept) when the build fails. */
  rebuild(): boolean {
    const version = this.services.collections.version;
    if (!this.#schema) {
      // nothing built yet, so nothing to swap: the first use builds from this version
      this.#version = version;
      this.#byRoleSet.clear();
      this.hub.collectionsChanged();
      return true;
    }
    let next: GraphQLSchema;
    try {
      next = this.#build();
    } catch (err) {
      this.services.log.error({ err, registryVersion: version }, "GraphQL schema rebuild failed; keeping the previous schema");
      this.hub.collectionsChanged();
      return false;
    }
    this.#schema = next;
    this.#version = version;
    this.#byRoleSet.clear();
    for (const l of this.#listeners) l(next);
    this.hub.collectionsChanged();
    return true;
  }

  /**
   * The first full build. Its listeners are not told (nothing was swapped out); a failure serves
   * the system schema alone until the next collection change, as a role set's build does.
   */
  #firstBuild(): GraphQLSchema {
    this.#version = this.services.collections.version;
    try {
      return this.#build();
    } catch (err) {
      this.services.log.error({ err, registryVersion: this.#version }, "GraphQL schema build failed; serving the system schema alone");
      return buildSchema([], { prisma: this.services.prisma, hub: this.hub });
    }
  }

  /** Builds the schema of `set` (everything without one); the full build's time is `lastBuildMs`. */
  #build(set?: RoleSet): GraphQLSchema {
    const t0 = performance.now();
    const schema = buildSchema(this.services.collections.list(), {
      prisma: this.services.prisma,
      hub: this.hub,
      // collisions are logged once, by the full build
      warn: set ? undefined : (msg) => this.services.log.warn(msg),
      roleSet: set,
      now: this.services.now,
    });
    if (!set) this.#buildMs = performance.now() - t0;
    return schema;
  }

  #buildFor(set: RoleSet): GraphQLSchema {
    try {
      return this.#build(set);
    } catch (err) {
      this.services.log.error({ err, roleSet: roleSetKey(set) }, "GraphQL schema build for a role set failed; serving the system schema alone");
      return buildSchema([], { prisma: this.services.prisma, hub: this.hub });
    }
  }
}
