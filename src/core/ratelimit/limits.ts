/**
 * Request rate limits per tier (compat/fastcms.md §15), read from settings (category
 * `security`) on every check so a change applies at once, with the documented defaults.
 */
import type { SettingsStore } from "../settings/store.ts";

/** Who or what a request is counted against; the last three are per-endpoint, per IP. */
export type RateTier = "anonymous" | "user" | "admin" | "login" | "register" | "forgot_password";

export interface Limits {
  perMinute: number;
  perHour: number;
}

export const DEFAULT_LIMITS: Readonly<Record<RateTier, Limits>> = Object.freeze({
  anonymous: { perMinute: 60, perHour: 500 },
  user: { perMinute: 100, perHour: 1000 },
  admin: { perMinute: 300, perHour: 5000 },
  login: { perMinute: 10, perHour: 50 },
  register: { perMinute: 5, perHour: 20 },
  forgot_password: { perMinute: 3, perHour: 10 },
});

/** Setting keys that hold a limit (`rate_limit_<tier>_per_minute|hour`), plus FastCMS's `api_rate_limit`. */
export const RATE_LIMIT_KEYS: readonly string[] = [...Object.keys(DEFAULT_LIMITS).flatMap((t) => [`rate_limit_${t}_per_minute`, `rate_limit_${t}_per_hour`]), "api_rate_limit"];
/** The setting keys of each tier, built once (not per request). */
const LIMIT_KEYS = Object.fromEntries(Object.keys(DEFAULT_LIMITS).map((t) => [t, { minute: `rate_limit_${t}_per_minute`, hour: `rate_limit_${t}_per_hour` }])) as Record<
  RateTier,
  { minute: string; hour: string }
>;

function positive(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) && value >= 1 ? Math.floor(value) : fallback;
}

/**
 * The limits of a tier: `rate_limit_<tier>_per_minute` / `_per_hour` when set, else the default.
 * For signed-in users, FastCMS's `api_rate_limit` ("max API requests per minute") stands in for
 * an unset `rate_limit_user_per_minute`. Two cached map lookups: safe on the hot path.
 */
export function limitsFor(settings: SettingsStore, tier: RateTier): Limits {
  const d = DEFAULT_LIMITS[tier];
  const keys = LIMIT_KEYS[tier];
  let minuteDefault = d.perMinute;
  if (tier === "user") minuteDefault = positive(settings.get<unknown>("api_rate_limit", undefined), minuteDefault);
  return {
    perMinute: positive(settings.get<unknown>(keys.minute, undefined), minuteDefault),
    perHour: positive(settings.get<unknown>(keys.hour, undefined), d.perHour),
  };
}

/** False when the setting `rate_limit_enabled` is `false` (runtime switch; CAIRN_RATE_LIMIT is the static one). */
export function rateLimitsOn(settings: SettingsStore): boolean {
  return settings.get<unknown>("rate_limit_enabled", true) !== false;
}
