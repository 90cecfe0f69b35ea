/**
 * The pub/sub port: the one way messages cross instances. Everything that must reach every
 * instance — committed events, schema-change notices, settings changes, session invalidations —
 * is published on a named channel (`collections` carries "these collections changed" for the
 * cached list totals); with REDIS_URL it travels through Redis, otherwise it stays
 * in this process (one instance). Shared rate-limit counters use the port's counter store.
 *
 * Delivery: `publish` reaches the local subscribers at once (synchronously, in order) and the
 * other instances' subscribers through the transport, at most once each. Handlers learn whether a
 * message came from this instance (`local`), so a consumer that already acted locally can skip it.
 * Messages are JSON values.
 */
import type { Redis } from "ioredis";

/** The channels Cairn uses; the transport prefixes them (CAIRN_REDIS_PREFIX). */
export type Channel = "events" | "schema" | "settings" | "sessions" | "collections" | "jobs" | "gate" | "rebuild" | "roles";

export interface Delivery {
  /** true when this instance published the message */
  readonly local: boolean;
  /** the publishing instance */
  readonly origin: string;
}

export type MessageHandler = (message: unknown, delivery: Delivery) => void;

export interface PubSub {
  /** this instance's id, carried in every message it publishes */
  readonly instanceId: string;
  /** "memory" (one process) or "redis" */
  readonly kind: "memory" | "redis";
  /** Publishes a JSON value to every subscriber of `channel` on every instance. Never throws. */
  publish(channel: Channel, message: unknown): void;
  /**
   * Like `publish`, but resolves once the transport has taken the message (Redis answered) and
   * rejects when it could not — for senders that must retry (the event dispatcher).
   */
  publishConfirmed(channel: Channel, message: unknown): Promise<void>;
  /** Adds a handler; returns its removal. Handler errors are logged, never thrown to publishers. */
  subscribe(channel: Channel, handler: MessageHandler): () => void;
  /** the client shared counters (rate limits) use; undefined in memory mode */
  readonly counterStore: Redis | undefined;
  /** key prefix for anything this installation stores in the shared store */
  readonly prefix: string;
  close(): Promise<void>;
}
