// The collections the signed-in user may see (GET /api/v1/collections), shared by the sidebar,
// the collection pages and the record pages. Pages that change a collection call `reloadCollections()`.
import { api } from "./api.ts";
import { store, useStore } from "./store.ts";

export interface CollectionField {
  id: string;
  name: string;
  type: string;
  required: boolean;
  unique: boolean;
  index: boolean;
  default: unknown;
  validation: Record<string, unknown>;
  relation: { collection: string; cascade_delete: string; multiple: boolean } | null;
  select: { values: string[]; max_select: number } | null;
  file: { max_files: number; max_size: number; mime_types: string[] } | null;
  options: Record<string, unknown>;
  label: string | null;
  hint: string | null;
  hidden: boolean;
  system: boolean;
}

export interface Collection {
  id: string;
  name: string;
  type: string;
  schema: CollectionField[];
  options: Record<string, unknown>;
  list_rule: string | null;
  view_rule: string | null;
  create_rule: string | null;
  update_rule: string | null;
  delete_rule: string | null;
  system: boolean;
  created: string;
  updated: string;
}

interface CollectionsState {
  items: Collection[];
  loading: boolean;
  error: Error | null;
}

export const collections = store<CollectionsState>({ items: [], loading: false, error: null });

export async function reloadCollections(): Promise<void> {
  collections.set({ ...collections.value, loading: true });
  try {
    const items: Collection[] = [];
    for (let page = 1; page < 100; page++) {
      const answer = await api<{ items: Collection[]; total: number }>("GET", `/api/v1/collections?page=${page}&per_page=100`);
      items.push(...answer.items);
      if (items.length >= answer.total || answer.items.length === 0) break;
    }
    items.sort((a, b) => a.name.localeCompare(b.name));
    collections.set({ items, loading: false, error: null });
  } catch (err) {
    collections.set({ items: collections.value.items, loading: false, error: err as Error });
  }
}

export function useCollections(): CollectionsState {
  return useStore(collections);
}

/** One collection by name from the shared list (undefined while loading or when absent). */
export function useCollection(name: string): Collection | undefined {
  return useCollections().items.find((c) => c.name === name);
}
