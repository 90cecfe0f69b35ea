/**
 * Implementations of the pub/sub port (core/events/pubsub.ts) and the one place Redis
 * connections are made: `createPubSub(config, log)` gives a memory port, or — with REDIS_URL —
 * a Redis port with one publishing and one subscribing connection plus the counter client.
 * ioredis is loaded only when REDIS_URL is set (about 80 modules a memory-only install never uses).
 */
import { createHash, randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { Config } from "../config.ts";
import type { Logger } from "../core/context.ts";
import type { Channel, MessageHandler, PubSub } from "../core/events/pubsub.ts";

/** Default key/channel prefix: instances on the same database share it, others never meet. */
export function defaultRedisPrefix(config: Pick<Config, "databaseUrl" | "dialect">): string {
  let identity = config.databaseUrl;
  if (config.dialect === "postgres") {
    const u = new URL(config.databaseUrl);
    identity = `${u.hostname}:${u.port || "5432"}${u.pathname}`;
  }
  return `cairn:${createHash("sha256").update(identity).digest("hex").slice(0, 12)}`;
}

/** Local fan-out shared by both ports. */
class Handlers {
  readonly #byChannel = new Map<Channel, Set<MessageHandler>>();
  constructor(private readonly log: Pick<Logger, "error">) {}
  add(channel: Channel, handler: MessageHandler): () => void {
    let set = this.#byChannel.get(channel);
    if (!set) this.#byChannel.set(channel, (set = new Set()));
    set.add(handler);
    return () => void set.delete(handler);
  }
  deliver(channel: Channel, message: unknown, local: boolean, origin: string): void {
    for (const h of this.#byChannel.get(channel) ?? []) {
      try {
        h(message, { local, origin });
      } catch (err) {
        this.log.error({ err, channel }, "pubsub: handler failed");
      }
    }
  }
}

export class MemoryPubSub implements PubSub {
  readonly instanceId = randomUUID();
  readonly kind = "memory" as const;
  readonly counterStore = undefined;
  readonly #handlers: Handlers;
  constructor(
    log: Pick<Logger, "error">,
    readonly prefix = "cairn",
  ) {
    this.#handlers = new Handlers(log);
  }
  publish(channel: Channel, message: unknown): void {
    this.#handlers.deliver(channel, message, true, this.instanceId);
  }
  async publishConfirmed(channel: Channel, message: unknown): Promise<void> {
    this.publish(channel, message);
  }
  subscribe(channel: Channel, handler: MessageHandler): () => void {
    return this.#handlers.add(channel, handler);
  }
  async close(): Promise<void> {}
}

interface Envelope {
  origin: string;
  message: unknown;
}

export class RedisPubSub implements PubSub {
  readonly instanceId = randomUUID();
  readonly kind = "redis" as const;
  readonly counterStore: Redis;
  readonly #pub: Redis;
  readonly #sub: Redis;
  readonly #handlers: Handlers;
  readonly #channels = new Set<Channel>();
  #closed = false;

  constructor(
    RedisClient: typeof Redis,
    url: string,
    readonly prefix: string,
    private readonly log: Pick<Logger, "warn" | "error" | "info">,
  ) {
    this.#handlers = new Handlers(log);
    const opts = { lazyConnect: true, maxRetriesPerRequest: 3 };
    this.#pub = new RedisClient(url, opts);
    this.#sub = new RedisClient(url, opts);
    // No offline queue for counters: while Redis is unreachable, counting falls back to memory at once.
    this.counterStore = new RedisClient(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    for (const r of [this.#pub, this.#sub, this.counterStore]) r.on("error", (err) => log.warn({ err }, "redis: connection error"));
    this.#sub.on("message", (name: string, raw: string) => this.#receive(name, raw));
  }

  /** Connects; the counter client may stay down (counters then use memory until it is back). */
  async start(): Promise<void> {
    await Promise.all([this.#pub.connect(), this.#sub.connect()]);
    await this.counterStore.connect().catch((err: unknown) => this.log.warn({ err }, "redis: counter store not reachable at start (counting in memory until it is)"));
    this.log.info({ prefix: this.prefix, instance: this.instanceId }, "redis pub/sub: connected");
  }

  #name(channel: Channel): string {
    return `${this.prefix}:${channel}`;
  }

  publish(channel: Channel, message: unknown): void {
    if (this.#closed) return;
    this.publishConfirmed(channel, message).catch((err) => this.log.warn({ err, channel }, "redis pub/sub: publish failed"));
  }

  async publishConfirmed(channel: Channel, message: unknown): Promise<void> {
    if (this.#closed) throw new Error("pub/sub port closed");
    this.#handlers.deliver(channel, message, true, this.instanceId);
    const envelope: Envelope = { origin: this.instanceId, message };
    await this.#pub.publish(this.#name(channel), JSON.stringify(envelope));
  }

  subscribe(channel: Channel, handler: MessageHandler): () => void {
    if (!this.#channels.has(channel)) {
      this.#channels.add(channel);
      this.#sub.subscribe(this.#name(channel)).catch((err) => this.log.error({ err, channel }, "redis pub/sub: subscribe failed"));
    }
    return this.#handlers.add(channel, handler);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([this.#sub.quit(), this.#pub.quit(), this.counterStore.quit()]);
  }

  #receive(name: string, raw: string): void {
    const channel = [...this.#channels].find((c) => this.#name(c) === name);
    if (!channel) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(raw) as Envelope;
    } catch {
      this.log.warn({ channel }, "redis pub/sub: ignored a message that is not JSON");
      return;
    }
    if (typeof envelope?.origin !== "string" || envelope.origin === this.instanceId) return;
    this.#handlers.deliver(channel, envelope.message, false, envelope.origin);
  }
}

/** The port for a configuration: Redis when REDIS_URL is set, else memory. */
export async function createPubSub(config: Config, log: Pick<Logger, "warn" | "error" | "info">): Promise<PubSub> {
  const prefix = config.redisPrefix ?? defaultRedisPrefix(config);
  if (!config.redisUrl) return new MemoryPubSub(log, prefix);
  const { Redis } = await import("ioredis");
  const port = new RedisPubSub(Redis, config.redisUrl, prefix, log);
  await port.start();
  return port;
}
