/**
 * Keeps the settings cache of every instance current (when REDIS_URL is set): a local change
 * publishes `{origin, key}` on `<prefix>:settings`; the other instances reload their cache from
 * the database (the notice carries no value, so the database stays the one source of truth).
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import type { Services } from "../core/context.ts";
import { defaultRedisPrefix } from "./redis-relay.ts";

export class SettingsSync {
  readonly instanceId = randomUUID();
  readonly channel: string;
  readonly #pub: Redis;
  readonly #sub: Redis;
  #unsubscribe: (() => void) | undefined;
  #reloading: Promise<unknown> = Promise.resolve();

  constructor(private readonly services: Services) {
    const { config, log } = services;
    this.channel = `${config.redisPrefix ?? defaultRedisPrefix(config)}:settings`;
    const opts = { lazyConnect: true, maxRetriesPerRequest: 3 };
    this.#pub = new Redis(config.redisUrl!, opts);
    this.#sub = new Redis(config.redisUrl!, opts);
    for (const r of [this.#pub, this.#sub]) r.on("error", (err) => log.warn({ err }, "settings sync: redis connection error"));
    this.#sub.on("message", (channel: string, message: string) => {
      if (channel === this.channel) this.#receive(message);
    });
  }

  async start(): Promise<void> {
    await Promise.all([this.#pub.connect(), this.#sub.connect()]);
    await this.#sub.subscribe(this.channel);
    this.#unsubscribe = this.services.settings.onChange((key) => {
      this.#pub.publish(this.channel, JSON.stringify({ origin: this.instanceId, key })).catch((err) => this.services.log.warn({ err, key }, "settings sync: publish failed"));
    });
  }

  /** Resolves once the reloads queued so far are done (tests). */
  idle(): Promise<unknown> {
    return this.#reloading;
  }

  async close(): Promise<void> {
    this.#unsubscribe?.();
    await this.#reloading.catch(() => {});
    await Promise.allSettled([this.#sub.quit(), this.#pub.quit()]);
  }

  #receive(message: string): void {
    let origin: unknown;
    try {
      origin = (JSON.parse(message) as { origin?: unknown }).origin;
    } catch {
      return;
    }
    if (origin === this.instanceId) return;
    this.#reloading = this.#reloading.then(() => this.services.settings.reload()).catch((err) => this.services.log.error({ err }, "settings sync: reload failed"));
  }
}
