// Accounts and roles to choose from in forms (GET /api/v1/accounts, GET /api/v1/roles). Either may
// be refused (account admins cannot list roles): the form then offers what it knows.
import { api } from "../../lib/api.ts";

export interface AccountRow {
  id: string;
  code: string | null;
  slug: string;
  name: string;
  user_count: number;
  created_at: string;
  updated_at: string;
}

export interface RoleRow {
  id: number;
  name: string;
  description: string | null;
  collections_count?: number;
}

export const BUILT_IN_ROLES: RoleRow[] = [
  { id: 1, name: "admin", description: "Everything in its account" },
  { id: 2, name: "user", description: "Nothing until granted" },
];

export async function loadRoles(signal?: AbortSignal): Promise<RoleRow[]> {
  try {
    return (await api<{ items: RoleRow[] }>("GET", "/api/v1/roles", { signal })).items;
  } catch (err) {
    if ((err as { status?: number }).status === 403) return BUILT_IN_ROLES;
    throw err;
  }
}

/** The first 100 accounts by name (the account pickers; more are found by search on the accounts page). */
export async function loadAccounts(signal?: AbortSignal): Promise<AccountRow[]> {
  return (await api<{ items: AccountRow[] }>("GET", "/api/v1/accounts?page=1&page_size=100&sort_by=name&sort_order=asc", { signal })).items;
}
