/**
 * Live fan-out through the pub/sub port (memory, or Redis with REDIS_URL), on every instance:
 *
 * - The dispatcher's `live` consumer publishes each committed record event on the `events`
 *   channel (`{ event }`) and each collection event as a schema-change notice on `schema`. Only
 *   the instance holding the dispatch lease does so; the port brings the messages to all.
 * - Every instance's subscription hub ingests the `events` channel (its own dispatches arrive
 *   synchronously, the others' through Redis). An event whose number was ingested recently is
 *   a redelivery (a retried batch, or a new lease holder starting from the saved position) and
 *   is dropped, so subscribers get each event once.
 * - A schema notice about a change this instance's registry does not have yet re-syncs the
 *   registry from the catalogue (which rebuilds the GraphQL schema).
 * - A settings change publishes `{ key }` on `settings`; other instances reload their cache
 *   from the database (the notice carries no value: the database stays the source of truth).
 * - A role or permission change publishes on `roles`; other instances reload their role cache
 *   (which the GraphQL schemas per role follow).
 */
import type { CollectionDef } from "../core/collections/types.ts";
import type { Services } from "../core/context.ts";
import type { EventDispatcher } from "../core/events/dispatcher.ts";
import type { StoredEvent } from "../core/events/outbox.ts";
import { RealtimeHub } from "./hub.ts";
import { syncRegistry } from "../core/collections/sync-registry.ts";
import { loadRoles } from "../core/rules/role-cache.ts";

/** Name of the dispatcher consumer that feeds the live fan-out. */
export const LIVE_CONSUMER = "live";

/** How many event numbers the redelivery check remembers. */
const RECENT_EVENTS = 10_000;

/** A dispatched record event on the `events` channel. */
export interface EventMessage {
  event: StoredEvent;
}

/** A collection change on the `schema` channel. */
export interface SchemaMessage {
  seq: number;
  type: StoredEvent["type"];
  collection: string;
  id: string;
  updated: string;
}

export interface LiveEvents {
  readonly hub: RealtimeHub;
  /** Resolves once the registry syncs and settings reloads queued so far are done (tests, shutdown). */
  idle(): Promise<void>;
  /** Ends subscriptions and stops listening. */
  close(): Promise<void>;
}

/** Registers the `live` consumer on `dispatcher` and subscribes the hub, registry and settings to the port. */
export function startLiveEvents(services: Services, dispatcher: EventDispatcher): LiveEvents {
  const { pubsub, log } = services;
  const hub = new RealtimeHub(services);
  let closed = false;

  dispatcher.register(LIVE_CONSUMER, async (batch) => {
    // Published in order; resolves when the transport has taken them all (then the position moves).
    await Promise.all(
      batch.map((event) => (event.type.startsWith("collection.") ? pubsub.publishConfirmed("schema", schemaMessage(event)) : pubsub.publishConfirmed("events", { event } satisfies EventMessage))),
    );
  });

  const recent = new RecentNumbers(RECENT_EVENTS);
  let syncing: Promise<unknown> = Promise.resolve();
  let reloading: Promise<unknown> = Promise.resolve();
  const offs = [
    pubsub.subscribe("events", (m) => {
      if (isEventMessage(m) && recent.add(m.event.seq)) hub.ingest(m.event);
    }),
    pubsub.subscribe("schema", (m) => {
      if (!isSchemaMessage(m) || isKnown(services, m)) return;
      syncing = syncing.then(() => (closed ? 0 : syncRegistry(services))).catch((err: unknown) => log.error({ err }, "realtime: registry sync failed"));
    }),
    pubsub.subscribe("settings", (_m, delivery) => {
      if (delivery.local) return;
      reloading = reloading.then(() => (closed ? undefined : services.settings.reload())).catch((err: unknown) => log.error({ err }, "realtime: settings reload failed"));
    }),
    services.settings.onChange((key) => pubsub.publish("settings", { key })),
    pubsub.subscribe("roles", (_m, delivery) => {
      if (delivery.local) return;
      reloading = reloading.then(() => (closed ? undefined : loadRoles(services))).catch((err: unknown) => log.error({ err }, "realtime: role reload failed"));
    }),
  ];

  return {
    hub,
    async idle() {
      await Promise.all([syncing, reloading]);
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const off of offs) off();
      hub.close();
      await Promise.all([syncing, reloading]).catch(() => {});
    },
  };
}

function schemaMessage(e: StoredEvent): SchemaMessage {
  const def = e.payload as Partial<CollectionDef>;
  return { seq: e.seq, type: e.type, collection: e.collection, id: String(def.id ?? ""), updated: String(def.updated ?? "") };
}

/** True when the registry already reflects this change or a later one (e.g. it was made here). */
function isKnown(services: Services, m: SchemaMessage): boolean {
  const current = services.collections.list().find((d) => d.id === m.id);
  if (m.type === "collection.delete") return current === undefined;
  return current !== undefined && current.updated >= m.updated;
}

function isEventMessage(m: unknown): m is EventMessage {
  const e = (m as EventMessage | null)?.event;
  return typeof e === "object" && e !== null && typeof e.type === "string" && typeof e.seq === "number";
}

function isSchemaMessage(m: unknown): m is SchemaMessage {
  return typeof m === "object" && m !== null && typeof (m as SchemaMessage).type === "string" && typeof (m as SchemaMessage).id === "string";
}

/** The last `size` numbers seen, oldest forgotten first. */
class RecentNumbers {
  readonly #seen = new Set<number>();
  constructor(private readonly size: number) {}
  /** False when `n` was seen recently; otherwise remembers it and returns true. */
  add(n: number): boolean {
    if (this.#seen.has(n)) return false;
    this.#seen.add(n);
    if (this.#seen.size > this.size) this.#seen.delete(this.#seen.values().next().value!);
    return true;
  }
}
