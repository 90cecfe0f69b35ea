/**
 * What a floor server (bench/floor.ts) asks of its database: one implementation per engine
 * (floor-sqlite.ts, floor-pg.ts), each hand-written SQL over the same table layout as a Cairn
 * collection table (system columns, one column per field, the `(account_id, created, id)` and
 * `(account_id, id)` indexes, the reference index `(account_id, post, created, id)`, full-text
 * search as Cairn builds it) — without the trigram indexes issue 8 adds, so the floor's contains
 * is a plain LIKE/ILIKE.
 */
import type { PostData } from "./data.ts";

export const ACCOUNT = "default";

/** A post or draft row, in the domain shape both stores return. */
export interface PostRow {
  id: string;
  owner_id: string | null;
  created: string;
  updated: string;
  version: number;
  title: string | null;
  body: string | null;
  views: number | null;
  published: boolean | null;
  status: string | null;
}

export interface CommentRow {
  id: string;
  body: string | null;
  created: string;
  post: string;
}

export type WritableTable = "drafts";

export interface FloorStore {
  /** inserts posts[from..to) of data.ts's sequence (created = base + index ms) and the comments of the newest `commented` posts; returns the new post ids */
  seed(from: number, to: number, commented: number): Promise<string[]>;
  get(table: "posts" | WritableTable, id: string): Promise<PostRow | undefined>;
  /** the list workload: published and views > minViews, -views,id; `count` also counts the matches */
  list(minViews: number, limit: number, offset: number, count: boolean): Promise<{ rows: PostRow[]; total?: number }>;
  /** title contains `word` (case-insensitive), in id order, stopping after `limit` matches */
  contains(word: string, limit: number): Promise<PostRow[]>;
  /** full-text search, every word a prefix, best rank first */
  search(term: string, limit: number): Promise<PostRow[]>;
  /** newest posts first */
  newest(limit: number): Promise<PostRow[]>;
  /** the `perPost` newest comments of each post */
  commentsOf(postIds: readonly string[], perPost: number): Promise<CommentRow[]>;
  create(table: WritableTable, d: Partial<PostData>): Promise<PostRow>;
  /** one multi-row INSERT; returns the ids in input order */
  createMany(table: WritableTable, ds: Partial<PostData>[]): Promise<string[]>;
  close(): Promise<void>;
}

/** The record JSON shape of Cairn's FastCMS routes. */
export const render = (r: PostRow) => ({
  id: r.id,
  data: { title: r.title, body: r.body, views: r.views, published: r.published, status: r.status },
  created: r.created,
  updated: r.updated,
  version: r.version,
  owner_id: r.owner_id,
  expand: null,
});
