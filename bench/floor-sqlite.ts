/**
 * The SQLite floor's store: better-sqlite3, prepared statements, WAL with synchronous=NORMAL
 * (as Cairn), the FTS5 external-content table with its sync triggers, ANALYZE after seeding.
 */
import Database from "better-sqlite3";
import { v7 as uuidv7 } from "uuid";
import { generateComments, generatePosts, type PostData } from "./data.ts";
import { ACCOUNT, type CommentRow, type FloorStore, type PostRow, type WritableTable } from "./floor-store.ts";

const SYSTEM = `"id" TEXT PRIMARY KEY NOT NULL, "account_id" TEXT NOT NULL, "owner_id" TEXT, "created" TEXT NOT NULL, "updated" TEXT NOT NULL, "version" INTEGER NOT NULL DEFAULT 1`;
const POST_COLS = `"title" TEXT, "body" TEXT, "views" REAL, "published" INTEGER, "status" TEXT`;

function postTable(t: string): string {
  return `
CREATE TABLE "${t}" (${SYSTEM}, ${POST_COLS});
CREATE INDEX "${t}__created" ON "${t}" ("account_id", "created", "id");
CREATE INDEX "${t}__id" ON "${t}" ("account_id", "id");
CREATE VIRTUAL TABLE "_fts_${t}" USING fts5("title", "body", content='${t}', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER "${t}__fts_ai" AFTER INSERT ON "${t}" BEGIN INSERT INTO "_fts_${t}"(rowid, "title", "body") VALUES (new.rowid, new."title", new."body"); END;`;
}

const COLS = `"id", "owner_id", "created", "updated", "version", "title", "body", "views", "published", "status"`;
const bool = (v: boolean | undefined) => (v === undefined ? null : v ? 1 : 0);

interface RawRow extends Omit<PostRow, "published"> {
  published: number | null;
}
const row = (r: RawRow): PostRow => ({ ...r, published: r.published === null ? null : r.published === 1 });

export function openSqliteStore(file: string, base: number): FloorStore {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  db.exec(`${postTable("posts")}${postTable("drafts")}
CREATE TABLE "comments" (${SYSTEM}, "body" TEXT, "post" TEXT);
CREATE INDEX "comments__created" ON "comments" ("account_id", "created", "id");
CREATE INDEX "comments__id" ON "comments" ("account_id", "id");
CREATE INDEX "comments__ix_post" ON "comments" ("account_id", "post", "created", "id");
CREATE VIRTUAL TABLE "_fts_comments" USING fts5("body", content='comments', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER "comments__fts_ai" AFTER INSERT ON "comments" BEGIN INSERT INTO "_fts_comments"(rowid, "body") VALUES (new.rowid, new."body"); END;`);

  const insertSql = (t: string, n: number) =>
    `INSERT INTO "${t}" ("id", "account_id", "owner_id", "created", "updated", "version", "title", "body", "views", "published", "status") VALUES ${Array.from({ length: n }, () => "(?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)").join(", ")}`;
  const insertPost = db.prepare(insertSql("posts", 1));
  const insertDraft = db.prepare(insertSql("drafts", 1));
  const insertMany = new Map<string, Database.Statement>();
  const insertComment = db.prepare(`INSERT INTO "comments" ("id", "account_id", "owner_id", "created", "updated", "version", "body", "post") VALUES (?, ?, NULL, ?, ?, 1, ?, ?)`);
  const byId = { posts: db.prepare(`SELECT ${COLS} FROM "posts" WHERE "account_id" = ? AND "id" = ?`), drafts: db.prepare(`SELECT ${COLS} FROM "drafts" WHERE "account_id" = ? AND "id" = ?`) };
  const list = db.prepare(`SELECT ${COLS} FROM "posts" WHERE "account_id" = ? AND "published" = 1 AND "views" > ? ORDER BY "views" DESC, "id" ASC LIMIT ? OFFSET ?`);
  const count = db.prepare(`SELECT count(*) AS "n" FROM "posts" WHERE "account_id" = ? AND "published" = 1 AND "views" > ?`);
  const contains = db.prepare(`SELECT ${COLS} FROM "posts" WHERE "account_id" = ? AND "title" LIKE ? ESCAPE '\\' ORDER BY "id" LIMIT ?`);
  const search = db.prepare(
    `SELECT ${COLS.replace(/"(\w+)"/g, 'p."$1"')} FROM "_fts_posts" JOIN "posts" p ON p.rowid = "_fts_posts".rowid WHERE "_fts_posts" MATCH ? AND p."account_id" = ? ORDER BY "_fts_posts".rank LIMIT ?`,
  );
  const newest = db.prepare(`SELECT ${COLS} FROM "posts" WHERE "account_id" = ? ORDER BY "created" DESC, "id" DESC LIMIT ?`);
  const commentsOf = db.prepare(`SELECT "id", "body", "created", "post" FROM "comments" WHERE "account_id" = ? AND "post" = ? ORDER BY "created" DESC, "id" DESC LIMIT ?`);

  const values = (id: string, ts: string, d: Partial<PostData>) => [id, ACCOUNT, null, ts, ts, d.title ?? null, d.body ?? null, d.views ?? null, bool(d.published), d.status ?? null];

  return {
    async seed(from, to, commented) {
      const posts = generatePosts(to, from);
      const ids = posts.map(() => uuidv7());
      db.transaction(() => {
        posts.forEach((p, i) => insertPost.run(...values(ids[i]!, new Date(base + from + i).toISOString(), p)));
        if (commented > 0) {
          const postIds = [...(db.prepare(`SELECT "id" FROM "posts" ORDER BY "created" DESC, "id" DESC LIMIT ?`).all(commented) as { id: string }[])].reverse();
          const offset = to - postIds.length;
          generateComments(to, commented).forEach((c, k) => {
            const ts = new Date(base + to + k).toISOString();
            insertComment.run(uuidv7(), ACCOUNT, ts, ts, c.body, postIds[c.post - offset]!.id);
          });
        }
      })();
      db.exec("ANALYZE");
      db.pragma("wal_checkpoint(TRUNCATE)");
      return ids;
    },
    async get(table, id) {
      const r = byId[table].get(ACCOUNT, id) as RawRow | undefined;
      return r && row(r);
    },
    async list(minViews, limit, offset, withCount) {
      const rows = (list.all(ACCOUNT, minViews, limit, offset) as RawRow[]).map(row);
      return withCount ? { rows, total: (count.get(ACCOUNT, minViews) as { n: number }).n } : { rows };
    },
    async contains(word, limit) {
      return (contains.all(ACCOUNT, `%${word.replace(/[\\%_]/g, "\\$&")}%`, limit) as RawRow[]).map(row);
    },
    async search(term, limit) {
      const match = (term.match(/[\p{L}\p{N}_]+/gu) ?? []).map((w) => `"${w}"*`).join(" ");
      return (search.all(match, ACCOUNT, limit) as RawRow[]).map(row);
    },
    async newest(limit) {
      return (newest.all(ACCOUNT, limit) as RawRow[]).map(row);
    },
    async commentsOf(postIds, perPost) {
      // in-process SQLite: one indexed statement per post costs less than a window function over the page
      return postIds.flatMap((id) => commentsOf.all(ACCOUNT, id, perPost) as CommentRow[]);
    },
    async create(table: WritableTable, d) {
      const id = uuidv7();
      const ts = new Date().toISOString();
      (table === "drafts" ? insertDraft : insertPost).run(...values(id, ts, d));
      return {
        id,
        owner_id: null,
        created: ts,
        updated: ts,
        version: 1,
        title: d.title ?? null,
        body: d.body ?? null,
        views: d.views ?? null,
        published: d.published ?? null,
        status: d.status ?? null,
      };
    },
    async createMany(table, ds) {
      const key = `${table}:${ds.length}`;
      let stmt = insertMany.get(key);
      if (!stmt) insertMany.set(key, (stmt = db.prepare(insertSql(table, ds.length))));
      const ts = new Date().toISOString();
      const ids = ds.map(() => uuidv7());
      stmt.run(...ds.flatMap((d, i) => values(ids[i]!, ts, d)));
      return ids;
    },
    async close() {
      db.close();
    },
  };
}
