/**
 * Roles and permissions of a snapshot written through the applying transaction. The roles API
 * (core/rules/roles.ts, permissions.ts) writes through Prisma, which on SQLite would wait for the
 * open transaction; these statements do the same writes on the transaction itself, with the same
 * checks (role names, rules against the collection's fields, known field names). The role cache
 * is reloaded by the applier after commit.
 */
import type { SqlDb } from "../../db/sql-db.ts";
import type { CollectionRegistry } from "../collections/registry.ts";
import { ValidationError } from "../errors.ts";
import { ADMIN_ROLE, BUILT_IN_ROLES } from "../rules/role-cache.ts";
import { ruleProblem } from "../rules/validate-rule.ts";
import { canonical, type Change } from "./plan.ts";
import type { SnapshotPermission, SnapshotRole } from "./types.ts";

const ROLE_NAME_RE = /^[A-Za-z][A-Za-z0-9_ -]{0,99}$/;

function checkPermission(role: string, p: SnapshotPermission, registry: CollectionRegistry): string {
  const where = `role '${role}' permission ${p.collection}/${p.operation}`;
  const def = p.collection === "*" ? undefined : registry.get(p.collection);
  if (p.collection !== "*" && !def) throw new ValidationError(`Invalid ${where}: collection '${p.collection}' does not exist`, { [where]: "unknown collection" });
  if (!p.rule.trim()) throw new ValidationError(`Invalid ${where}: the rule is empty`, { [where]: "empty rule" });
  const problem = ruleProblem(p.rule, def);
  if (problem) throw new ValidationError(`Invalid ${where}: ${problem}`, { [where]: problem });
  if (def && p.fields !== "*") {
    const known = new Set(def.fields.map((f) => f.name));
    const unknown = p.fields.filter((f) => !known.has(f));
    if (unknown.length) throw new ValidationError(`Invalid ${where}: unknown field ${unknown.map((f) => `'${f}'`).join(", ")}`, { [where]: "unknown field" });
  }
  return def?.name ?? "*";
}

async function roleId(tx: SqlDb, name: string): Promise<number> {
  const rows = await tx.query<{ id: number; name: string }>(tx.qb.selectFrom("_roles").select(["id", "name"]));
  const row = rows.find((r) => r.name.toLowerCase() === name.toLowerCase());
  if (!row) throw new ValidationError(`Role '${name}' not found`, { role: "not found" });
  return Number(row.id);
}

async function writePermissions(tx: SqlDb, id: number, role: SnapshotRole, registry: CollectionRegistry): Promise<void> {
  await tx.execute(tx.qb.deleteFrom("_permissions").where("role_id", "=", id));
  for (const p of role.permissions) {
    const collection = checkPermission(role.name, p, registry);
    await tx.execute(tx.qb.insertInto("_permissions").values({ role_id: id, collection, operation: p.operation, rule: p.rule, fields: JSON.stringify(p.fields) }));
  }
}

/** Creates or alters one role (description and the whole permission set) as the snapshot says. */
export async function applyRole(tx: SqlDb, change: Change<SnapshotRole>, registry: CollectionRegistry): Promise<void> {
  const role = change.target!;
  if (change.kind === "create") {
    if (!ROLE_NAME_RE.test(role.name))
      throw new ValidationError(`Invalid role name '${role.name.slice(0, 100)}'`, { [`role ${role.name}`]: "must be 1-100 characters: a letter, then letters, digits, spaces, '_' or '-'" });
    await tx.execute(tx.qb.insertInto("_roles").values({ name: role.name, description: role.description }));
  } else if ((change.current?.description ?? null) !== (role.description ?? null)) {
    await tx.execute(
      tx.qb
        .updateTable("_roles")
        .set({ description: role.description })
        .where("id", "=", await roleId(tx, role.name)),
    );
  }
  if (role.name.toLowerCase() === ADMIN_ROLE) return;
  const key = (ps: readonly SnapshotPermission[]) => canonical([...ps].sort((a, b) => `${a.collection}/${a.operation}`.localeCompare(`${b.collection}/${b.operation}`)));
  if (change.current && key(change.current.permissions) === key(role.permissions)) return;
  await writePermissions(tx, await roleId(tx, role.name), role, registry);
}

/**
 * Drops a role and its permissions.
 * @throws ValidationError (422) while users still have the role.
 */
export async function dropRole(tx: SqlDb, role: SnapshotRole): Promise<void> {
  if (BUILT_IN_ROLES.has(role.name.toLowerCase())) return;
  const id = await roleId(tx, role.name);
  const users = await tx.query(tx.qb.selectFrom("_users").select("id").where("role_id", "=", id).limit(1));
  if (users.length) throw new ValidationError(`Role '${role.name}' is assigned to users; reassign them before applying a snapshot without it`, { [`role ${role.name}`]: "assigned to users" });
  await tx.execute(tx.qb.deleteFrom("_permissions").where("role_id", "=", id));
  await tx.execute(tx.qb.deleteFrom("_roles").where("id", "=", id));
}
