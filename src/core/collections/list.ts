/**
 * `listCollections`: a page of definitions from the registry.
 */
import { requireSuperadmin } from "../auth/guards.ts";
import type { Context } from "../context.ts";
import type { CollectionDef } from "./types.ts";

export interface ListCollectionsQuery {
  page: number;
  perPage: number;
  /** substring of the name or the exact id (case-insensitive) */
  search?: string;
  sortBy?: "name" | "created" | "updated";
  sortOrder?: "asc" | "desc";
}

export interface CollectionPage {
  items: CollectionDef[];
  total: number;
  page: number;
  perPage: number;
}

/**
 * Lists collections, oldest first unless sorted otherwise.
 * @throws 401/403 (superadmins only).
 */
export async function listCollections(ctx: Context, query: ListCollectionsQuery): Promise<CollectionPage> {
  requireSuperadmin(ctx);
  const { page, perPage, sortBy = "created", sortOrder = "asc" } = query;
  const search = query.search?.toLowerCase();
  let all = ctx.services.collections.list();
  if (search) all = all.filter((c) => c.name.toLowerCase().includes(search) || c.id.toLowerCase() === search);
  const dir = sortOrder === "desc" ? -1 : 1;
  all.sort((a, b) => dir * (a[sortBy] < b[sortBy] ? -1 : a[sortBy] > b[sortBy] ? 1 : 0) || a.name.localeCompare(b.name));
  const start = (page - 1) * perPage;
  return { items: all.slice(start, start + perPage), total: all.length, page, perPage };
}
