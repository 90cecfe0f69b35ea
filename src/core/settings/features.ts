/**
 * Settings that features read on hot paths — synchronous (cached), with their defaults.
 */
import type { Services } from "../context.ts";

/** Default upload limit (FastCMS MAX_FILE_SIZE): 10 MiB. */
export const DEFAULT_MAX_UPLOAD_SIZE = 10 * 1024 * 1024;

/** True while the setting `maintenance_mode` is `true`: non-superadmin writes are refused with 503. */
export function inMaintenance(services: Pick<Services, "settings">): boolean {
  return services.settings.get<unknown>("maintenance_mode", false) === true;
}

/**
 * The upload size limit in bytes: setting `max_upload_size` (category storage), or FastCMS's
 * `max_file_size`, else 10 MiB. For the files feature to enforce (413 above it).
 */
export function maxUploadSize(services: Pick<Services, "settings">): number {
  for (const key of ["max_upload_size", "max_file_size"]) {
    const v = services.settings.get<unknown>(key, undefined);
    if (typeof v === "number" && Number.isInteger(v) && v > 0) return v;
  }
  return DEFAULT_MAX_UPLOAD_SIZE;
}

/** Default time delivered events stay in the outbox: 24 hours. */
export const DEFAULT_EVENTS_RETENTION_HOURS = 24;

/**
 * How long delivered events stay in the outbox before pruning, in milliseconds: setting
 * `events_retention_hours` (a number ≥ 0; 0 prunes as soon as every consumer has them), else 24 h.
 */
export function eventsRetentionMs(services: Pick<Services, "settings">): number {
  const v = services.settings.get<unknown>("events_retention_hours", undefined);
  const hours = typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : DEFAULT_EVENTS_RETENTION_HOURS;
  return hours * 3_600_000;
}

/** FastCMS's allowed upload types, the default of `allowed_file_types`. */
export const DEFAULT_ALLOWED_FILE_TYPES: readonly string[] = Object.freeze(["image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf", "application/zip", "text/plain", "text/csv"]);

/**
 * The MIME types uploads may have: setting `allowed_file_types` (category storage), a list of
 * types, `type/*` patterns or `*`, else {@link DEFAULT_ALLOWED_FILE_TYPES}.
 */
export function allowedFileTypes(services: Pick<Services, "settings">): readonly string[] {
  const v = services.settings.get<unknown>("allowed_file_types", undefined);
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "string")) return v as string[];
  return DEFAULT_ALLOWED_FILE_TYPES;
}
