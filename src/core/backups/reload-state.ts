/**
 * Bringing an instance's in-memory copies of database state up to date after the database was
 * replaced underneath it (a restore, here or on another instance sharing the database).
 */
import { invalidateApiKeys } from "../api-keys/authenticate.ts";
import { syncRegistry } from "../collections/sync-registry.ts";
import type { Services } from "../context.ts";
import { loadRoles } from "../rules/role-cache.ts";

/** Re-reads the collection registry (the GraphQL schema follows), settings, roles and API keys; forgets cached totals, pages and statements. */
export async function reloadState(services: Services): Promise<void> {
  services.db.resetStatements();
  const before = services.collections.list().map((d) => d.name);
  await syncRegistry(services);
  for (const name of new Set([...before, ...services.collections.list().map((d) => d.name)])) services.listCache.invalidate(name);
  await services.settings.reload();
  await loadRoles(services);
  invalidateApiKeys(services, { all: true });
}
