/**
 * Settings, by category, stored in `_settings` (value as JSON text) and cached in memory so
 * features can read them on hot paths (rate limits, upload size, maintenance mode) without a
 * query. Writes update the cache at once; `reload()` refreshes it (e.g. on a change notice from
 * another instance).
 */
import { randomUUID } from "node:crypto";
import type { Prisma } from "../../db/prisma.ts";

export const SETTING_CATEGORIES = ["app", "auth", "mail", "backup", "storage", "security", "custom"] as const;
export type SettingCategory = (typeof SETTING_CATEGORIES)[number];

export interface Setting {
  id: string;
  key: string;
  category: string;
  value: unknown;
  description: string | null;
  created: string;
  updated: string;
}

export class SettingsStore {
  #byKey = new Map<string, Setting>();
  readonly #listeners = new Set<(key: string) => void>();

  constructor(private readonly prisma: Prisma) {}

  async reload(): Promise<void> {
    const rows = await this.prisma.setting.findMany();
    this.#byKey = new Map(rows.map((r) => [r.key, toSetting(r)]));
  }

  /** The value of `key`, or `fallback` when unset. Synchronous (cached). */
  get<T>(key: string, fallback: T): T {
    const s = this.#byKey.get(key);
    return s === undefined ? fallback : (s.value as T);
  }

  entry(key: string): Setting | undefined {
    return this.#byKey.get(key);
  }

  list(category?: string): Setting[] {
    const all = [...this.#byKey.values()];
    return (category ? all.filter((s) => s.category === category) : all).sort((a, b) => a.key.localeCompare(b.key));
  }

  /** Creates or updates a setting. */
  async set(key: string, value: unknown, category: string, description?: string | null): Promise<Setting> {
    const row = await this.prisma.setting.upsert({
      where: { key },
      create: { id: randomUUID(), key, category, value: JSON.stringify(value ?? null), description: description ?? null },
      update: { category, value: JSON.stringify(value ?? null), ...(description !== undefined ? { description } : {}) },
    });
    const s = toSetting(row);
    this.#byKey.set(key, s);
    this.#emit(key);
    return s;
  }

  /** Deletes a setting; returns whether it existed. */
  async delete(key: string): Promise<boolean> {
    const { count } = await this.prisma.setting.deleteMany({ where: { key } });
    this.#byKey.delete(key);
    this.#emit(key);
    return count > 0;
  }

  onChange(listener: (key: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(key: string) {
    for (const l of this.#listeners) l(key);
  }
}

function toSetting(r: { id: string; key: string; category: string; value: string; description: string | null; created: Date; updated: Date }): Setting {
  return { id: r.id, key: r.key, category: r.category, value: JSON.parse(r.value), description: r.description, created: r.created.toISOString(), updated: r.updated.toISOString() };
}
