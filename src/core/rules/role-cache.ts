/**
 * Roles and their permissions (`_roles`, `_permissions`) held in memory, so `recordAccess` stays
 * synchronous and costs no query. Loaded at start-up (`loadRoles`), reloaded by every role or
 * permission write on this instance, and refreshed in the background when older than
 * {@link ROLE_CACHE_TTL_MS} so that changes made through another instance arrive within seconds.
 * Writes here also reach the other instances at once through the `roles` channel (`rolesChanged`).
 * One cache per `Services` (a WeakMap: no module-wide state shared between apps).
 */
import type { Context, Services } from "../context.ts";

export type PermissionOp = "create" | "read" | "update" | "delete";
export const PERMISSION_OPS: readonly PermissionOp[] = ["create", "read", "update", "delete"];

/** Field list of a permission: every field, or the named ones. */
export type FieldList = "*" | string[];

export interface CachedPermission {
  id: number;
  /** collection name in lower case, or `*` */
  collection: string;
  operation: PermissionOp;
  rule: string;
  fields: FieldList;
}

export interface CachedRole {
  id: number;
  name: string;
  description: string | null;
  permissions: CachedPermission[];
}

/** The seeded role whose members may do everything in their account (compat/snackbase.md §5). */
export const ADMIN_ROLE = "admin";
/** The seeded role of ordinary users: no permissions until granted. */
export const USER_ROLE = "user";
export const BUILT_IN_ROLES: ReadonlySet<string> = new Set([ADMIN_ROLE, USER_ROLE]);
export const ROLE_CACHE_TTL_MS = 10_000;

interface Snapshot {
  byId: Map<number, CachedRole>;
  byName: Map<string, CachedRole>;
}

interface State {
  snapshot: Snapshot;
  /** bumped when a load finds roles or permissions different from the previous load */
  version: number;
  fingerprint: string;
  loadedAt: number;
  loaded: boolean;
  loading: Promise<void> | undefined;
}

const states = new WeakMap<Services, State>();

/** Until the first load: the two seeded roles, without permissions (deny by default). */
function seededSnapshot(): Snapshot {
  const roles: CachedRole[] = [
    { id: 1, name: ADMIN_ROLE, description: null, permissions: [] },
    { id: 2, name: USER_ROLE, description: null, permissions: [] },
  ];
  return { byId: new Map(roles.map((r) => [r.id, r])), byName: new Map(roles.map((r) => [r.name.toLowerCase(), r])) };
}

function stateOf(services: Services): State {
  let s = states.get(services);
  if (!s) states.set(services, (s = { snapshot: seededSnapshot(), version: 0, fingerprint: "", loadedAt: 0, loaded: false, loading: undefined }));
  return s;
}

/** Parses the stored `fields` JSON (`"*"` or a list of names); anything else allows no field. */
export function parseFieldList(raw: unknown): FieldList {
  let v = raw;
  if (typeof raw === "string") {
    try {
      v = JSON.parse(raw);
    } catch {
      return [];
    }
  }
  if (v === "*") return "*";
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v.includes("*") ? "*" : (v as string[]);
  return [];
}

/** Every role with its permissions, read from the database (no cache). */
export async function readRoles(prisma: Services["prisma"]): Promise<CachedRole[]> {
  const roles = await prisma.role.findMany({ include: { permissions: true }, orderBy: { id: "asc" } });
  return roles.map((r) => ({
    id: r.id,
    name: r.name,
    description: r.description,
    permissions: r.permissions.map((p) => ({
      id: p.id,
      collection: p.collection.toLowerCase(),
      operation: p.operation as PermissionOp,
      rule: p.rule,
      fields: parseFieldList(p.fields),
    })),
  }));
}

/**
 * (Re)loads every role and permission from the database. Concurrent calls share one load.
 * @example await loadRoles(services) // at start-up, after migrations
 */
export function loadRoles(services: Services): Promise<void> {
  const state = stateOf(services);
  if (state.loading) return state.loading;
  const started = services.now().getTime();
  state.loading = (async () => {
    try {
      const list = await readRoles(services.prisma);
      const fingerprint = JSON.stringify(list);
      if (fingerprint !== state.fingerprint) {
        state.snapshot = { byId: new Map(list.map((r) => [r.id, r])), byName: new Map(list.map((r) => [r.name.toLowerCase(), r])) };
        state.fingerprint = fingerprint;
        state.version++;
      }
      state.loadedAt = started;
      state.loaded = true;
    } finally {
      state.loading = undefined;
    }
  })();
  return state.loading;
}

/**
 * Reloads the roles after a role or permission write here, and tells the other instances (the
 * `roles` channel; realtime/live-events.ts reloads there), so schemas per role follow at once.
 */
export async function rolesChanged(services: Services): Promise<void> {
  await loadRoles(services);
  services.pubsub.publish("roles", {});
}

/** The current roles; starts a background refresh when the cache is stale or was never loaded. */
function snapshot(services: Services): Snapshot {
  const state = stateOf(services);
  if (!state.loading && (!state.loaded || services.now().getTime() - state.loadedAt > ROLE_CACHE_TTL_MS)) {
    loadRoles(services).catch((err: unknown) => services.log.warn({ err }, "reloading roles failed; keeping the cached ones"));
  }
  return state.snapshot;
}

/**
 * A number that changes whenever the cached roles or permissions change (a write here, or a
 * refresh that found another instance's change); what is built from roles is keyed by it.
 */
export function rolesVersion(services: Services): number {
  snapshot(services);
  return stateOf(services).version;
}

/** Role by id or (case-insensitive) name, from the cache. */
export function cachedRole(services: Services, idOrName: number | string): CachedRole | undefined {
  const s = snapshot(services);
  return typeof idOrName === "number" ? s.byId.get(idOrName) : s.byName.get(idOrName.toLowerCase());
}

/** Every cached role, by id. */
export function cachedRoles(services: Services): CachedRole[] {
  return [...snapshot(services).byId.values()].sort((a, b) => a.id - b.id);
}

/**
 * The caller's role: `principal.roleId` when the principal carries one, else the role named
 * like `principal.role` (`admin`/`user` for tokens that only carry the public role).
 * Anonymous and system callers have none.
 */
export function callerRole(ctx: Context): CachedRole | undefined {
  const p = ctx.principal;
  if (p.kind !== "user") return undefined;
  const roleId = "roleId" in p ? p.roleId : undefined;
  if (typeof roleId === "number") return cachedRole(ctx.services, roleId);
  return cachedRole(ctx.services, p.role);
}

/** True for the seeded admin role, whose members may do everything in their account. */
export function isAdminRole(role: CachedRole | undefined): boolean {
  return role?.name.toLowerCase() === ADMIN_ROLE;
}
