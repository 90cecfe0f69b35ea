/**
 * Holds the current GraphQL schema and rebuilds it after every collection change (local, or
 * relayed from another instance through the registry). The new schema replaces the old one in
 * one assignment, then the swap listeners (Yoga) and the realtime hub (which ends subscriptions
 * of collections that are gone) are told. A failing build keeps the previous schema.
 */
import type { GraphQLSchema } from "graphql";
import type { Services } from "../core/context.ts";
import type { RealtimeHub } from "../realtime/hub.ts";
import { buildSchema } from "./build-schema.ts";

export class SchemaManager {
  #schema: GraphQLSchema;
  #version: number;
  #buildMs = 0;
  readonly #listeners = new Set<(schema: GraphQLSchema) => void>();
  #unsubscribe: (() => void) | undefined;

  constructor(
    private readonly services: Services,
    private readonly hub: RealtimeHub,
  ) {
    this.#version = services.collections.version;
    this.#schema = this.#build();
  }

  get schema(): GraphQLSchema {
    return this.#schema;
  }

  /** The registry version the current schema was built from. */
  get version(): number {
    return this.#version;
  }

  /** Duration of the last build, ms. */
  get lastBuildMs(): number {
    return this.#buildMs;
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
    for (const l of this.#listeners) l(next);
    this.hub.collectionsChanged();
    return true;
  }

  #build(): GraphQLSchema {
    const t0 = performance.now();
    const schema = buildSchema(this.services.collections.list(), {
      prisma: this.services.prisma,
      hub: this.hub,
      warn: (msg) => this.services.log.warn(msg),
    });
    this.#buildMs = performance.now() - t0;
    return schema;
  }
}
