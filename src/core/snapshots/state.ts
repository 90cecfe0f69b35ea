/**
 * The schema as it is now, read through one database handle (a transaction when applying, so the
 * plan is made from what the transaction sees), rendered as a {@link Snapshot}.
 */
import type { SqlDb } from "../../db/sql-db.ts";
import { loadCatalog } from "../collections/catalog.ts";
import type { CollectionDef } from "../collections/types.ts";
import { isWorkflowField } from "../content/options.ts";
import { ADMIN_ROLE, parseFieldList, PERMISSION_OPS, type PermissionOp } from "../rules/role-cache.ts";
import { rowToWebhook } from "../webhooks/types.ts";
import { SNAPSHOT_FORMAT, SNAPSHOT_VERSION, type Snapshot, type SnapshotCollection, type SnapshotRole, type SnapshotWebhook } from "./types.ts";

export interface SchemaState {
  snapshot: Snapshot;
  /** the stored definitions, by lower-case name */
  defs: Map<string, CollectionDef>;
  /** role ids by lower-case name */
  roleIds: Map<string, number>;
}

/**
 * Collection options as a snapshot holds them: a running rename's grace period (`renamed`, see
 * core/collections/renames.ts) is this database's history, not part of the definition.
 */
export function definitionOptions(options: object): Record<string, unknown> {
  const { renamed: _renamed, ...rest } = options as Record<string, unknown>;
  return rest;
}

/** A definition as a snapshot entry. */
export function snapshotCollection(def: CollectionDef): SnapshotCollection {
  return {
    id: def.id,
    name: def.name,
    type: def.type,
    fields: def.fields,
    options: definitionOptions(def.options),
    rules: { list: def.listRule, view: def.viewRule, create: def.createRule, update: def.updateRule, delete: def.deleteRule },
    viewQuery: def.viewQuery,
    indexes: def.fields.filter((f) => (f.unique || f.index) && !isWorkflowField(f)).map((f) => ({ field: f.name, unique: f.unique })),
  };
}

/** Reads collections, roles with permissions and the account's webhooks through `db`. */
export async function readSchemaState(db: SqlDb, accountId: string): Promise<SchemaState> {
  const catalog = (await loadCatalog(db)).filter((d) => !d.system);
  const roleRows = await db.query<{ id: number; name: string; description: string | null }>(db.qb.selectFrom("_roles").select(["id", "name", "description"]).orderBy("id"));
  const permRows = await db.query<{ role_id: number; collection: string; operation: string; rule: string; fields: string }>(
    db.qb.selectFrom("_permissions").select(["role_id", "collection", "operation", "rule", "fields"]).orderBy("role_id").orderBy("collection").orderBy("operation"),
  );
  const hookRows = await db.query(db.qb.selectFrom("_webhooks").selectAll().where("account_id", "=", accountId).orderBy("created").orderBy("id"));

  const roles: SnapshotRole[] = roleRows.map((r) => ({
    name: r.name,
    description: r.description ?? null,
    // the admin role has every permission implicitly; rows stored for it would have no effect
    permissions:
      r.name.toLowerCase() === ADMIN_ROLE
        ? []
        : permRows
            .filter((p) => Number(p.role_id) === Number(r.id) && (PERMISSION_OPS as readonly string[]).includes(p.operation))
            .map((p) => ({ collection: p.collection, operation: p.operation as PermissionOp, rule: p.rule, fields: parseFieldList(p.fields) })),
  }));
  const webhooks: SnapshotWebhook[] = hookRows.map(rowToWebhook).map((w) => ({
    id: w.id,
    name: w.name,
    url: w.url,
    collections: w.collections,
    events: w.events,
    filter: w.filter,
    retryCount: w.retryCount,
    active: w.active,
    format: w.format,
  }));
  const sorted = [...catalog].sort((a, b) => a.name.localeCompare(b.name));
  return {
    snapshot: { format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, collections: sorted.map(snapshotCollection), roles, webhooks },
    defs: new Map(catalog.map((d) => [d.name.toLowerCase(), d])),
    roleIds: new Map(roleRows.map((r) => [r.name.toLowerCase(), Number(r.id)])),
  };
}
