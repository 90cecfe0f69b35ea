/**
 * Publishing: `publishDocument` / `unpublishDocument`, now or at a time. Both are record updates
 * (records/write.ts), so rules, versions, events, subscriptions and webhooks see them like any
 * change; write-hooks.ts sets `published_at` and applies a schedule that is due, and
 * schedule.ts applies the future ones.
 */
import type { Context } from "../context.ts";
import { ValidationError } from "../errors.ts";
import type { RecordData } from "../records/values.ts";
import { updateRecord } from "../records/write.ts";
import { parseIso } from "../../lib/iso-date.ts";
import { CONTENT_FIELD as F, contentOptions } from "./options.ts";

function drafted(ctx: Context, collection: string): void {
  const def = ctx.services.collections.require(collection);
  if (!contentOptions(def).drafts) throw new ValidationError(`Collection '${def.name}' has no publishing workflow (option drafts)`, { drafts: "not enabled" });
}

/**
 * A schedule time: null/undefined → now; else an ISO 8601 date-time (normalised to UTC).
 * @throws ValidationError 422 naming `field` when it is not one.
 */
export function scheduleTime(value: unknown, field: string): string | null {
  if (value === undefined || value === null || value === "") return null;
  const d = typeof value === "string" ? parseIso(value.trim())?.date : undefined;
  if (!d) throw new ValidationError(`Invalid ${field}: must be an ISO 8601 date-time`, { [field]: "must be an ISO 8601 date-time" });
  return d.toISOString();
}

/**
 * Publishes a document now (status `published`, `published_at` now, a pending publication
 * dropped) or, with `at` in the future, schedules it (`publish_at`; the status stays).
 * @throws NotFoundError 404, ValidationError 422 (no drafts option, bad time), 401/403.
 */
export async function publishDocument(ctx: Context, collection: string, id: string, at?: string | null): Promise<RecordData> {
  drafted(ctx, collection);
  if (at && at > ctx.services.now().toISOString()) return updateRecord(ctx, collection, id, { [F.publishAt]: at });
  return updateRecord(ctx, collection, id, { [F.status]: "published", [F.publishAt]: null });
}

/**
 * Unpublishes a document now (back to `draft`, hidden from those who may not see drafts) or,
 * with `at` in the future, schedules it (`unpublish_at`).
 * @throws NotFoundError 404, ValidationError 422 (no drafts option, bad time), 401/403.
 */
export async function unpublishDocument(ctx: Context, collection: string, id: string, at?: string | null): Promise<RecordData> {
  drafted(ctx, collection);
  if (at && at > ctx.services.now().toISOString()) return updateRecord(ctx, collection, id, { [F.unpublishAt]: at });
  return updateRecord(ctx, collection, id, { [F.status]: "draft", [F.unpublishAt]: null });
}
