/**
 * Role permissions (compat/snackbase.md §5), superadmin only: one rule and field list per
 * (role, collection or `*`, operation). The seeded `admin` role has every permission implicitly
 * (shown as `*` with rule `true`) and cannot be edited.
 */
import { audit } from "../audit/audit.ts";
import { requireSuperadmin } from "../auth/guards.ts";
import type { Context } from "../context.ts";
import { ValidationError } from "../errors.ts";
import { findRole } from "./roles.ts";
import { isAdminRole, parseFieldList, PERMISSION_OPS, rolesChanged, type FieldList, type PermissionOp } from "./role-cache.ts";
import { MAX_RULE_LENGTH, ruleProblem } from "./validate-rule.ts";

type OpEntry = { rule: string; fields: FieldList } | null;

export interface CollectionPermissionView {
  collection: string;
  permission_id: number | null;
  create: OpEntry;
  read: OpEntry;
  update: OpEntry;
  delete: OpEntry;
}

export interface RolePermissionsView {
  role_id: number;
  role_name: string;
  permissions: CollectionPermissionView[];
}

export interface BulkUpdate {
  collection: string;
  operation: PermissionOp;
  rule: string;
  fields: FieldList;
}

export interface BulkResult {
  success_count: number;
  failure_count: number;
  errors: string[];
}

export const MAX_BULK_PERMISSION_UPDATES = 500;

/** A role's permissions grouped by collection. @throws 401/403, 404 */
export async function getRolePermissions(ctx: Context, ref: string | number): Promise<RolePermissionsView> {
  requireSuperadmin(ctx);
  const role = await findRole(ctx, ref);
  const rows = await ctx.services.prisma.permission.findMany({ where: { roleId: role.id }, orderBy: { id: "asc" } });
  const byCollection = new Map<string, CollectionPermissionView>();
  if (isAdminRole({ ...role, permissions: [] })) {
    const all = { rule: "true", fields: "*" as const };
    byCollection.set("*", { collection: "*", permission_id: null, create: all, read: all, update: all, delete: all });
  }
  for (const r of rows) {
    let entry = byCollection.get(r.collection);
    if (!entry) byCollection.set(r.collection, (entry = { collection: r.collection, permission_id: r.id, create: null, read: null, update: null, delete: null }));
    if ((PERMISSION_OPS as readonly string[]).includes(r.operation)) entry[r.operation as PermissionOp] = { rule: r.rule, fields: parseFieldList(r.fields) };
  }
  return { role_id: role.id, role_name: role.name, permissions: [...byCollection.values()] };
}

/** Checks the shape of a bulk body; every malformed entry is a 422 naming its path. */
function readUpdates(body: unknown): BulkUpdate[] {
  const updates = typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>).updates : undefined;
  if (!Array.isArray(updates)) throw new ValidationError("updates must be a list", { updates: "must be a list of {collection, operation, rule, fields}" });
  if (updates.length > MAX_BULK_PERMISSION_UPDATES) throw new ValidationError(`At most ${MAX_BULK_PERMISSION_UPDATES} updates per request`, { updates: `at most ${MAX_BULK_PERMISSION_UPDATES}` });
  const errors: Record<string, string> = {};
  const out: BulkUpdate[] = [];
  updates.forEach((u, i) => {
    const at = `updates[${i}]`;
    if (typeof u !== "object" || u === null || Array.isArray(u)) return void (errors[at] = "must be an object");
    const { collection, operation, rule, fields = "*" } = u as Record<string, unknown>;
    if (typeof collection !== "string" || collection.trim() === "" || collection.length > 100) errors[`${at}.collection`] = "must be a collection name or '*'";
    if (typeof operation !== "string" || !(PERMISSION_OPS as readonly string[]).includes(operation)) errors[`${at}.operation`] = `must be one of ${PERMISSION_OPS.join(", ")}`;
    if (typeof rule !== "string" || rule.trim() === "") errors[`${at}.rule`] = "must be a non-empty string";
    else if (rule.length > MAX_RULE_LENGTH) errors[`${at}.rule`] = `must be at most ${MAX_RULE_LENGTH} characters`;
    const list = fields === "*" ? "*" : Array.isArray(fields) && fields.every((f) => typeof f === "string" && f.length > 0 && f.length <= 100) ? (fields as string[]) : undefined;
    if (!list) errors[`${at}.fields`] = 'must be "*" or a list of field names';
    if (!Object.keys(errors).some((k) => k.startsWith(at))) out.push({ collection: (collection as string).trim(), operation: operation as PermissionOp, rule: rule as string, fields: list! });
  });
  if (Object.keys(errors).length) {
    const [k, v] = Object.entries(errors)[0]!;
    throw new ValidationError(`Invalid permission update: ${k} ${v}`, errors);
  }
  return out;
}

/**
 * Replaces the (role, collection, operation) rules listed in `{updates:[…]}`. Malformed entries
 * (operation outside create/read/update/delete, empty rule, bad `fields`) reject the request
 * with 422; an unknown collection, unknown field or a rule that does not parse only fails its
 * own entry and is reported in `errors`.
 * @throws 401/403, 404 (role), ValidationError 422 (malformed body, or the seeded admin role)
 * @example await bulkUpdatePermissions(ctx, 3, { updates: [{ collection: "posts", operation: "read", rule: "true", fields: "*" }] })
 */
export async function bulkUpdatePermissions(ctx: Context, ref: string | number, body: unknown): Promise<BulkResult> {
  requireSuperadmin(ctx);
  const role = await findRole(ctx, ref);
  const updates = readUpdates(body);
  if (isAdminRole({ ...role, permissions: [] })) throw new ValidationError(`The '${role.name}' role has every permission; it cannot be edited`, { role: "the admin role cannot be edited" });
  const { prisma, collections } = ctx.services;
  const result: BulkResult = { success_count: 0, failure_count: 0, errors: [] };
  const fail = (u: BulkUpdate, why: string) => {
    result.failure_count++;
    result.errors.push(`${u.collection}/${u.operation}: ${why}`);
  };
  for (const u of updates) {
    const def = u.collection === "*" ? undefined : collections.get(u.collection);
    if (u.collection !== "*" && !def) {
      fail(u, `collection '${u.collection}' not found`);
      continue;
    }
    const problem = ruleProblem(u.rule, def);
    if (problem) {
      fail(u, `invalid rule: ${problem}`);
      continue;
    }
    if (def && u.fields !== "*") {
      const known = new Set(def.fields.map((f) => f.name));
      const unknown = u.fields.filter((f) => !known.has(f));
      if (unknown.length) {
        fail(u, `unknown field${unknown.length > 1 ? "s" : ""} ${unknown.map((f) => `'${f}'`).join(", ")}`);
        continue;
      }
    }
    const collection = def?.name ?? "*";
    const fields = JSON.stringify(u.fields);
    await prisma.permission.upsert({
      where: { roleId_collection_operation: { roleId: role.id, collection, operation: u.operation } },
      create: { roleId: role.id, collection, operation: u.operation, rule: u.rule, fields },
      update: { rule: u.rule, fields },
    });
    result.success_count++;
  }
  await rolesChanged(ctx.services);
  void audit(ctx, {
    eventType: "admin",
    eventAction: "role_change",
    resourceType: "role",
    resourceId: String(role.id),
    description: `Permissions of role '${role.name}' updated`,
    details: { success_count: result.success_count, failure_count: result.failure_count },
  });
  return result;
}
