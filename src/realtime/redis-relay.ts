/**
 * Carries committed events between instances through Redis pub/sub (when REDIS_URL is set).
 * Each instance publishes its own events as JSON `{ origin, event }` on `<prefix>:events` and
 * ignores messages carrying its own id (no echo). A relayed record event goes to the local
 * subscription hub only (webhooks and the audit log stay with the instance that committed the
 * change); a relayed collection event is a schema-change notice: the registry is re-synced
 * from the catalogue, which rebuilds the GraphQL schema.
 */
import { createHash, randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import type { Config } from "../config.ts";
import type { Services } from "../core/context.ts";
import type { CairnEvent } from "../core/events/bus.ts";
import type { RealtimeHub } from "./hub.ts";
import { syncRegistry } from "./registry-sync.ts";

interface Envelope {
  origin: string;
  event: CairnEvent;
}

/** Default channel prefix: instances on the same database share it, others never meet. */
export function defaultRedisPrefix(config: Pick<Config, "databaseUrl" | "dialect">): string {
  let identity = config.databaseUrl;
  if (config.dialect === "postgres") {
    const u = new URL(config.databaseUrl);
    identity = `${u.hostname}:${u.port || "5432"}${u.pathname}`;
  }
  return `cairn:${createHash("sha256").update(identity).digest("hex").slice(0, 12)}`;
}

export class RedisRelay {
  readonly instanceId = randomUUID();
  readonly channel: string;
  readonly #pub: Redis;
  readonly #sub: Redis;
  #syncing: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(
    private readonly services: Services,
    private readonly hub: RealtimeHub,
  ) {
    const { config, log } = services;
    this.channel = `${config.redisPrefix ?? defaultRedisPrefix(config)}:events`;
    const opts = { lazyConnect: true, maxRetriesPerRequest: 3 };
    this.#pub = new Redis(config.redisUrl!, opts);
    this.#sub = new Redis(config.redisUrl!, opts);
    for (const r of [this.#pub, this.#sub]) r.on("error", (err) => log.warn({ err }, "redis relay: connection error"));
    this.#sub.on("message", (channel: string, message: string) => {
      if (channel === this.channel) this.#receive(message);
    });
  }

  /** Connects both clients and subscribes to the channel. */
  async start(): Promise<void> {
    await Promise.all([this.#pub.connect(), this.#sub.connect()]);
    await this.#sub.subscribe(this.channel);
    this.services.log.info({ channel: this.channel, instance: this.instanceId }, "redis relay: subscribed");
  }

  /** Publishes a local, committed event to the other instances. */
  publish(event: CairnEvent): void {
    if (this.#closed) return;
    const envelope: Envelope = { origin: this.instanceId, event };
    this.#pub.publish(this.channel, JSON.stringify(envelope)).catch((err) => this.services.log.warn({ err, type: event.type }, "redis relay: publish failed"));
  }

  /** Resolves once the registry syncs queued so far are done (tests, shutdown). */
  idle(): Promise<unknown> {
    return this.#syncing;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#syncing.catch(() => {});
    await Promise.allSettled([this.#sub.quit(), this.#pub.quit()]);
  }

  #receive(message: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(message) as Envelope;
    } catch {
      this.services.log.warn({ channel: this.channel }, "redis relay: ignored a message that is not JSON");
      return;
    }
    if (envelope.origin === this.instanceId || !envelope.event?.type) return;
    const event = envelope.event;
    if (event.type.startsWith("collection.")) {
      this.#syncing = this.#syncing
        .then(() => (this.#closed ? 0 : syncRegistry(this.services)))
        .catch((err) => this.services.log.error({ err }, "redis relay: registry sync failed"));
    } else this.hub.ingest(event);
  }
}
