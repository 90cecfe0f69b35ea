/**
 * The schema snapshot document (`cairn schema snapshot`, `GET /api/v1/schema/snapshot`): every
 * definition that moves between environments — collections with their stable field ids, rules,
 * options (declared actions and UI effects live there), indexes; roles and their permissions;
 * webhooks without their secrets. Records, users, files and settings are not part of it.
 */
import type { CollectionDef, FieldDef } from "../collections/types.ts";
import type { FieldList, PermissionOp } from "../rules/role-cache.ts";
import type { WebhookFormat } from "../webhooks/types.ts";

export const SNAPSHOT_FORMAT = "cairn-schema-snapshot";
export const SNAPSHOT_VERSION = 1;

/** An index a collection has, derived from its fields' `unique` and `index` flags (read-only). */
export interface SnapshotIndex {
  field: string;
  unique: boolean;
}

export interface SnapshotCollection {
  /** stable id: a collection renamed in the source is renamed (not re-created) in the target */
  id: string;
  name: string;
  type: CollectionDef["type"];
  /** field definitions with their stable ids (a renamed field keeps its id, so its data) */
  fields: FieldDef[];
  options: Record<string, unknown>;
  rules: { list: string | null; view: string | null; create: string | null; update: string | null; delete: string | null };
  viewQuery: string | null;
  /** derived from the fields (informational; ignored when applying) */
  indexes: SnapshotIndex[];
}

export interface SnapshotPermission {
  /** collection name, or `*` */
  collection: string;
  operation: PermissionOp;
  rule: string;
  fields: FieldList;
}

export interface SnapshotRole {
  name: string;
  description: string | null;
  permissions: SnapshotPermission[];
}

/** A webhook without its secret (the target keeps its own, or generates one). */
export interface SnapshotWebhook {
  id: string;
  name: string | null;
  url: string;
  collections: string[];
  events: string[];
  filter: string | null;
  retryCount: number;
  active: boolean;
  format: WebhookFormat;
}

export interface Snapshot {
  format: typeof SNAPSHOT_FORMAT;
  version: typeof SNAPSHOT_VERSION;
  collections: SnapshotCollection[];
  roles: SnapshotRole[];
  webhooks: SnapshotWebhook[];
}
