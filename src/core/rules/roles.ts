/**
 * Roles (compat/snackbase.md §5), superadmin only: create, list, get, rename/describe, delete.
 * The seeded `admin` and `user` roles can be described but not renamed or deleted; a role still
 * assigned to users cannot be deleted (422). Every change reloads the role cache.
 */
import { audit } from "../audit/audit.ts";
import { requireSuperadmin } from "../auth/guards.ts";
import type { Context } from "../context.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { BUILT_IN_ROLES, isAdminRole, rolesChanged } from "./role-cache.ts";
import { dict } from "../../lib/own.ts";

export interface RoleView {
  id: number;
  name: string;
  description: string | null;
  /** number of collections (or `*`) the role has permissions for */
  collections_count: number;
}

const NAME_RE = /^[A-Za-z][A-Za-z0-9_ -]{0,99}$/;

type RoleRow = { id: number; name: string; description: string | null };

/**
 * Finds a role by id (number or numeric string) or name.
 * @throws NotFoundError 404
 */
export async function findRole(ctx: Context, ref: string | number): Promise<RoleRow> {
  const { prisma } = ctx.services;
  const text = String(ref).trim();
  const row = /^\d{1,9}$/.test(text)
    ? await prisma.role.findUnique({ where: { id: Number(text) } })
    : (await prisma.role.findMany({ orderBy: { id: "asc" } })).find((r) => r.name.toLowerCase() === text.toLowerCase());
  if (!row) throw new NotFoundError(`Role '${text.slice(0, 100)}' not found`);
  return row;
}

async function view(ctx: Context, row: RoleRow): Promise<RoleView> {
  const perms = await ctx.services.prisma.permission.findMany({ where: { roleId: row.id }, select: { collection: true } });
  const count = isAdminRole({ ...row, permissions: [] }) ? Math.max(1, new Set(perms.map((p) => p.collection)).size) : new Set(perms.map((p) => p.collection.toLowerCase())).size;
  return { id: row.id, name: row.name, description: row.description, collections_count: count };
}

function readInput(body: unknown, partial: boolean): { name?: string; description?: string | null } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new ValidationError("Request body must be a JSON object", { body: "must be an object" });
  const b = body as Record<string, unknown>;
  const errors = dict<string>();
  const out: { name?: string; description?: string | null } = {};
  const unknown = Object.keys(b).filter((k) => k !== "name" && k !== "description");
  for (const k of unknown) errors[k] = "unknown field";
  if (b.name !== undefined || !partial) {
    if (typeof b.name !== "string" || !NAME_RE.test(b.name.trim())) errors.name = "must be 1-100 characters: a letter, then letters, digits, spaces, '_' or '-'";
    else out.name = b.name.trim();
  }
  if (b.description !== undefined) {
    if (b.description !== null && (typeof b.description !== "string" || b.description.length > 1000)) errors.description = "must be a string of at most 1000 characters, or null";
    else out.description = b.description as string | null;
  }
  if (Object.keys(errors).length) {
    const [k, v] = Object.entries(errors)[0]!;
    throw new ValidationError(`Invalid role: ${k} ${v}`, errors);
  }
  return out;
}

async function assertNameFree(ctx: Context, name: string, exceptId?: number): Promise<void> {
  const all = await ctx.services.prisma.role.findMany({ select: { id: true, name: true } });
  const clash = all.find((r) => r.id !== exceptId && r.name.toLowerCase() === name.toLowerCase());
  if (clash) throw new ConflictError(`Role with name '${clash.name}' already exists`, { name: "already exists" });
}

/** All roles with their collection counts. @throws 401/403 */
export async function listRoles(ctx: Context): Promise<{ items: RoleView[]; total: number }> {
  requireSuperadmin(ctx);
  const rows = await ctx.services.prisma.role.findMany({ orderBy: { id: "asc" } });
  const items = await Promise.all(rows.map((r) => view(ctx, r)));
  return { items, total: items.length };
}

/** One role by id or name. @throws 401/403, 404 */
export async function getRole(ctx: Context, ref: string | number): Promise<RoleView> {
  requireSuperadmin(ctx);
  return view(ctx, await findRole(ctx, ref));
}

/**
 * Creates a role `{name, description?}`.
 * @throws 401/403, ValidationError 422 (bad name), ConflictError 409 (name taken, case-insensitive)
 */
export async function createRole(ctx: Context, body: unknown): Promise<RoleView> {
  requireSuperadmin(ctx);
  const input = readInput(body, false);
  await assertNameFree(ctx, input.name!);
  const row = await ctx.services.prisma.role.create({ data: { name: input.name!, description: input.description ?? null } }).catch((e: { code?: string }) => {
    if (e?.code === "P2002") throw new ConflictError(`Role with name '${input.name}' already exists`, { name: "already exists" });
    throw e;
  });
  await rolesChanged(ctx.services);
  void audit(ctx, { eventType: "admin", eventAction: "create", resourceType: "role", resourceId: String(row.id), description: `Role '${row.name}' created` });
  return view(ctx, row);
}

/**
 * Renames and/or describes a role (`{name?, description?}`; SnackBase sends both).
 * @throws 401/403, 404, 422 (bad input, renaming a seeded role), 409 (name taken)
 */
export async function updateRole(ctx: Context, ref: string | number, body: unknown): Promise<RoleView> {
  requireSuperadmin(ctx);
  const role = await findRole(ctx, ref);
  const input = readInput(body, true);
  if (input.name !== undefined && input.name !== role.name) {
    if (BUILT_IN_ROLES.has(role.name.toLowerCase())) throw new ValidationError(`The built-in role '${role.name}' cannot be renamed`, { name: "built-in roles cannot be renamed" });
    await assertNameFree(ctx, input.name, role.id);
  }
  const row = await ctx.services.prisma.role.update({ where: { id: role.id }, data: input });
  await rolesChanged(ctx.services);
  void audit(ctx, { eventType: "admin", eventAction: "update", resourceType: "role", resourceId: String(row.id), description: `Role '${row.name}' updated` });
  return view(ctx, row);
}

/**
 * Deletes a role and its permissions.
 * @throws 401/403, 404, ValidationError 422 (a seeded role, or a role still assigned to users)
 */
export async function deleteRole(ctx: Context, ref: string | number): Promise<void> {
  requireSuperadmin(ctx);
  const role = await findRole(ctx, ref);
  if (BUILT_IN_ROLES.has(role.name.toLowerCase())) throw new ValidationError(`Cannot delete the built-in role '${role.name}'`, { role: "built-in roles cannot be deleted" });
  const users = await ctx.services.prisma.user.count({ where: { roleId: role.id } });
  if (users > 0) throw new ValidationError(`Role '${role.name}' is assigned to ${users} user(s); reassign them first`, { role: `assigned to ${users} user(s)` });
  await ctx.services.prisma.role.delete({ where: { id: role.id } });
  await rolesChanged(ctx.services);
  void audit(ctx, { eventType: "admin", eventAction: "delete", resourceType: "role", resourceId: String(role.id), description: `Role '${role.name}' deleted` });
}
