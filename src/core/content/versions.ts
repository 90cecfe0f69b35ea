/**
 * Document versions of collections with the `versions` option: listing a document's snapshots
 * and restoring one (written by version-store.ts on every record write).
 */
import type { CollectionDef } from "../collections/types.ts";
import type { Context } from "../context.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { getRecord } from "../records/read.ts";
import type { RecordData } from "../records/values.ts";
import { updateRecord } from "../records/write.ts";
import { contentOptions, isWorkflowField } from "./options.ts";
import { VERSIONS_TABLE, versionsKeep } from "./version-store.ts";

/** One stored snapshot. */
export interface DocumentVersion {
  /** the version's id within its document: its record version as text (`"3"`) */
  id: string;
  recordId: string;
  /** the record's `version` the snapshot is of */
  recordVersion: number;
  /** status at the time (null without drafts) */
  status: string | null;
  /** the record's field values at the time */
  data: Record<string, unknown>;
  authorId: string | null;
  created: string;
}

function versioned(ctx: Context, collection: string): CollectionDef {
  const def = ctx.services.collections.require(collection);
  if (!contentOptions(def).versions) throw new ValidationError(`Collection '${def.name}' does not keep versions (option versions)`, { versions: "not enabled" });
  return def;
}

function toVersion(row: Record<string, unknown>): DocumentVersion {
  return {
    id: String(row.record_version),
    recordId: row.record_id as string,
    recordVersion: Number(row.record_version),
    status: (row.status as string | null) ?? null,
    data: JSON.parse(row.data as string) as Record<string, unknown>,
    authorId: (row.author_id as string | null) ?? null,
    created: row.created as string,
  };
}

/**
 * The versions of a document, newest first (at most `content_versions_keep`). The caller must be able to view the document
 * (drafts included: content/visibility.ts).
 * @throws NotFoundError 404 (no such document, or hidden from the caller), ValidationError 422
 *   (the collection keeps no versions), 401/403 (no view access).
 */
export async function listVersions(ctx: Context, collection: string, id: string): Promise<DocumentVersion[]> {
  const def = versioned(ctx, collection);
  await getRecord(ctx, def.name, id);
  const { db } = ctx.services;
  const rows = await db.query(
    db.qb
      .selectFrom(VERSIONS_TABLE)
      .selectAll()
      .where("collection_id", "=", def.id)
      .where("record_id", "=", id)
      .where("account_id", "=", ctx.principal.accountId)
      .orderBy("record_version", "desc")
      .limit(versionsKeep(ctx)),
  );
  return rows.map(toVersion);
}

/**
 * Restores the field values of version `versionId` onto the document: an update (so it is
 * itself recorded as a new version and sent as an update event) that keeps the status, the
 * slug and the schedule. Fields added since the snapshot keep their value; fields removed since
 * are ignored.
 * @throws NotFoundError 404 (document or version), ValidationError 422, 401/403 (update access).
 */
export async function restoreVersion(ctx: Context, collection: string, id: string, versionId: string): Promise<RecordData> {
  const def = versioned(ctx, collection);
  const { db } = ctx.services;
  const version = /^\d{1,9}$/.test(versionId) ? Number(versionId) : undefined;
  const [row] =
    version === undefined
      ? []
      : await db.query(
          db.qb
            .selectFrom(VERSIONS_TABLE)
            .selectAll()
            .where("collection_id", "=", def.id)
            .where("record_id", "=", id)
            .where("record_version", "=", version)
            .where("account_id", "=", ctx.principal.accountId),
        );
  if (!row) throw new NotFoundError(`Version '${versionId}' of document '${id}' not found`);
  const snapshot = toVersion(row).data;
  const data: Record<string, unknown> = {};
  for (const f of def.fields) if (!isWorkflowField(f) && Object.hasOwn(snapshot, f.name)) data[f.name] = snapshot[f.name];
  if (Object.keys(data).length === 0) throw new ValidationError("The version holds no field of the current definition", { versionId: "no restorable field" });
  return updateRecord(ctx, def.name, id, data);
}
