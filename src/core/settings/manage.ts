/**
 * Settings administration (compat/fastcms.md §14): list by category, create or update, delete.
 * Superadmins only. Keys the features read are type-checked (e.g. `maintenance_mode` must be a
 * boolean, rate limits positive integers) so a typo cannot silently switch a feature off.
 * Every change is audited as `admin/<create|update|delete>` on resource `setting` (values are
 * not copied into the audit log: they may be secrets such as mail passwords).
 */
import { audit } from "../audit/audit.ts";
import { requireSuperadmin } from "../auth/guards.ts";
import type { Context } from "../context.ts";
import { ValidationError } from "../errors.ts";
import { SETTING_CATEGORIES, type Setting, type SettingCategory } from "./store.ts";
import { dict, own } from "../../lib/own.ts";
import { deeperThan } from "../../lib/json-depth.ts";
import { MAX_JSON_DEPTH } from "../collections/check-value.ts";
import { scheduleProblem } from "../backups/schedule.ts";
import { certificateProblem, privateKeyProblem, SP_CERT_SETTING, SP_KEY_SETTING } from "../saml/sp-signing.ts";
import { redirectOriginsProblem, SAML_REDIRECTS_SETTING } from "../saml/relay-state.ts";

const KEY_RE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;
/** Stored value size limit (JSON text). */
const MAX_VALUE_CHARS = 64 * 1024;

const RATE_LIMIT_KEY = /^rate_limit_[a-z_]+_per_(minute|hour)$/;

type Check = (value: unknown) => string | undefined;
const boolean: Check = (v) => (typeof v === "boolean" ? undefined : "must be true or false");
const integerAtLeast =
  (min: number): Check =>
  (v) =>
    typeof v === "number" && Number.isInteger(v) && v >= min && v <= Number.MAX_SAFE_INTEGER ? undefined : `must be an integer of at least ${min}`;

const numberAtLeast =
  (min: number): Check =>
  (v) =>
    typeof v === "number" && Number.isFinite(v) && v >= min ? undefined : `must be a number of at least ${min}`;

/** Value checks for the keys Cairn's features read (plus every `rate_limit_<tier>_per_minute|hour`). */
const KNOWN: Readonly<Record<string, Check>> = {
  maintenance_mode: boolean,
  rate_limit_enabled: boolean,
  api_rate_limit: integerAtLeast(1),
  login_lockout_attempts: integerAtLeast(0),
  login_lockout_window_minutes: integerAtLeast(1),
  login_lockout_minutes: integerAtLeast(1),
  max_upload_size: integerAtLeast(1),
  max_file_size: integerAtLeast(1),
  events_retention_hours: numberAtLeast(0),
  orphan_file_grace_hours: (v) => (typeof v === "number" && Number.isFinite(v) && v > 0 ? undefined : "must be a number of hours above 0"),
  allowed_file_types: (v) =>
    Array.isArray(v) && v.length > 0 && v.length <= 200 && v.every((x) => typeof x === "string" && /^(\*|[a-z0-9.+-]+\/(\*|[a-z0-9!#$&^_.+-]+))$/.test(x))
      ? undefined
      : "must be a non-empty list of MIME types (image/png), patterns (image/*) or *",
  webhook_log_retention_hours: numberAtLeast(0),
  backup_schedule: (v) => scheduleProblem(v) ?? undefined,
  backup_keep: integerAtLeast(1),
  content_versions_keep: integerAtLeast(1),
  r3_rate_limit_per_minute: integerAtLeast(1),
  r3_rate_limit_per_day: integerAtLeast(1),
  [SP_KEY_SETTING]: privateKeyProblem,
  [SP_CERT_SETTING]: certificateProblem,
  [SAML_REDIRECTS_SETTING]: redirectOriginsProblem,
};

export type SettingsView = Record<string, { value: unknown; description: string | null }>;

/** Throws ValidationError 422 unless `category` is one of the documented categories. */
export function checkCategory(category: unknown, field = "category"): SettingCategory {
  if (typeof category !== "string" || !(SETTING_CATEGORIES as readonly string[]).includes(category)) {
    throw new ValidationError(`Unknown settings category '${String(category)}'; expected one of ${SETTING_CATEGORIES.join(", ")}`, { [field]: `must be one of ${SETTING_CATEGORIES.join(", ")}` });
  }
  return category as SettingCategory;
}

function view(settings: Setting[]): SettingsView {
  return Object.fromEntries(settings.map((s) => [s.key, { value: s.value, description: s.description }]));
}

/** All settings grouped by category: `{category: {key: {value, description}}}`. @throws 401/403 */
export function listSettings(ctx: Context): Record<string, SettingsView> {
  requireSuperadmin(ctx);
  const out: Record<string, SettingsView> = {};
  for (const s of ctx.services.settings.list()) (out[s.category] ??= dict())[s.key] = { value: s.value, description: s.description };
  return out;
}

/** One category's settings: `{key: {value, description}}` (empty when none). @throws 401/403, 422 unknown category */
export function listCategorySettings(ctx: Context, category: string): SettingsView {
  requireSuperadmin(ctx);
  return view(ctx.services.settings.list(checkCategory(category)));
}

export interface SaveSettingInput {
  key?: unknown;
  value?: unknown;
  category?: unknown;
  description?: unknown;
}

/**
 * Creates or updates a setting (category defaults to `app`).
 * @throws 401/403, ValidationError 422 (bad key, category, description, missing or oversized value,
 *   wrong type for a known key).
 */
export async function saveSetting(ctx: Context, input: SaveSettingInput): Promise<Setting> {
  requireSuperadmin(ctx);
  const problems: Record<string, string> = {};
  const key = input.key;
  if (typeof key !== "string" || !KEY_RE.test(key)) problems.key = "must be 1-100 characters: letters, digits, _ . : - (starting with a letter or digit)";
  const category = input.category ?? "app";
  if (typeof category !== "string" || !(SETTING_CATEGORIES as readonly string[]).includes(category)) problems.category = `must be one of ${SETTING_CATEGORIES.join(", ")}`;
  const description = input.description ?? null;
  if (description !== null && (typeof description !== "string" || description.length > 1000)) problems.description = "must be a string of at most 1000 characters, or null";
  if (input.value === undefined) problems.value = "is required";
  else if (deeperThan(input.value, MAX_JSON_DEPTH)) problems.value = `must not be nested more than ${MAX_JSON_DEPTH} levels deep`;
  else if (JSON.stringify(input.value).length > MAX_VALUE_CHARS) problems.value = `must be at most ${MAX_VALUE_CHARS} characters as JSON`;
  else if (typeof key === "string") {
    const check = own(KNOWN, key) ?? (RATE_LIMIT_KEY.test(key) ? integerAtLeast(1) : undefined);
    const p = check?.(input.value);
    if (p) problems.value = `${key} ${p}`;
  }
  const fields = Object.entries(problems);
  if (fields.length) throw new ValidationError(`Invalid setting: ${fields.map(([f, m]) => `${f} ${m}`).join("; ")}`, problems);
  const existed = ctx.services.settings.entry(key as string) !== undefined;
  // an absent description keeps the stored one
  const saved = await ctx.services.settings.set(key as string, input.value, category as string, input.description === undefined ? undefined : (description as string | null));
  void audit(ctx, {
    eventType: "admin",
    eventAction: existed ? "update" : "create",
    resourceType: "setting",
    resourceId: saved.key,
    description: `Setting '${saved.key}' ${existed ? "updated" : "created"} (${saved.category})`,
    details: { key: saved.key, category: saved.category },
  });
  return saved;
}

/** Deletes a setting; answers whether it existed. @throws 401/403 */
export async function deleteSetting(ctx: Context, key: string): Promise<boolean> {
  requireSuperadmin(ctx);
  const deleted = await ctx.services.settings.delete(key);
  if (deleted) void audit(ctx, { eventType: "admin", eventAction: "delete", resourceType: "setting", resourceId: key, description: `Setting '${key}' deleted` });
  return deleted;
}
