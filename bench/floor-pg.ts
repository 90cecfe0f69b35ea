/**
 * The PostgreSQL floor's store (issue 8 part 6): `pg` with a pool of 10 (as Cairn), named
 * prepared statements, the same table layout as a Cairn collection table on PostgreSQL (TIMESTAMPTZ
 * times, the generated `_search` tsvector column with its GIN index, the same B-tree indexes),
 * ANALYZE after seeding.
 */
import pg from "pg";
import { v7 as uuidv7 } from "uuid";
import { generateComments, generatePosts, type PostData } from "./data.ts";
import { ACCOUNT, type CommentRow, type FloorStore, type PostRow } from "./floor-store.ts";

const SYSTEM = `"id" TEXT NOT NULL, "account_id" TEXT NOT NULL, "owner_id" TEXT, "created" TIMESTAMPTZ NOT NULL, "updated" TIMESTAMPTZ NOT NULL, "version" INTEGER NOT NULL DEFAULT 1`;

function table(t: string, fields: string, searchDoc: string, extra = ""): string {
  return `
CREATE TABLE "${t}" (${SYSTEM}, ${fields}, CONSTRAINT "${t}__pkey" PRIMARY KEY ("id"));
ALTER TABLE "${t}" ADD COLUMN "_search" tsvector GENERATED ALWAYS AS (to_tsvector('simple', ${searchDoc})) STORED;
CREATE INDEX "${t}__search" ON "${t}" USING GIN ("_search");
CREATE INDEX "${t}__created" ON "${t}" ("account_id", "created", "id");
CREATE INDEX "${t}__id" ON "${t}" ("account_id", "id");${extra}`;
}
const POST_FIELDS = `"title" TEXT, "body" TEXT, "views" DOUBLE PRECISION, "published" BOOLEAN, "status" TEXT`;
const POST_DOC = `coalesce("title", '') || ' ' || coalesce("body", '')`;

const COLS = `"id", "owner_id", "created", "updated", "version", "title", "body", "views", "published", "status"`;
const INSERT_COLS = `"id", "account_id", "owner_id", "created", "updated", "version", "title", "body", "views", "published", "status"`;

interface RawRow extends Omit<PostRow, "created" | "updated"> {
  created: Date;
  updated: Date;
}
const row = (r: RawRow): PostRow => ({ ...r, created: r.created.toISOString(), updated: r.updated.toISOString() });

export async function openPgStore(url: string, base: number): Promise<FloorStore> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  await pool.query(
    `${table("posts", POST_FIELDS, POST_DOC)}${table("drafts", POST_FIELDS, POST_DOC)}${table("comments", `"body" TEXT, "post" TEXT`, `coalesce("body", '')`, `\nCREATE INDEX "comments__ix_post" ON "comments" ("account_id", "post", "created", "id");`)}`,
  );
  const q = async <T>(name: string, text: string, values: unknown[]): Promise<T[]> => (await pool.query<any>({ name, text, values })).rows as T[];
  const values = (id: string, ts: Date, d: Partial<PostData>) => [id, ACCOUNT, null, ts, ts, d.title ?? null, d.body ?? null, d.views ?? null, d.published ?? null, d.status ?? null];
  const rowsSql = (n: number, width: number, from = 1) => Array.from({ length: n }, (_, r) => `(${Array.from({ length: width }, (_, c) => `$${from + r * width + c}`).join(", ")})`).join(", ");

  /** Bulk load by unnest: one statement per 5,000 rows. */
  const load = async (client: pg.PoolClient, ids: string[], posts: PostData[], from: number) => {
    for (let i = 0; i < posts.length; i += 5000) {
      const chunk = posts.slice(i, i + 5000);
      await client.query(
        `INSERT INTO "posts" (${INSERT_COLS}) SELECT u.id, $1, NULL, u.ts, u.ts, 1, u.title, u.body, u.views, u.published, u.status
         FROM unnest($2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::float8[], $7::boolean[], $8::text[]) AS u(id, ts, title, body, views, published, status)`,
        [
          ACCOUNT,
          ids.slice(i, i + 5000),
          chunk.map((_, k) => new Date(base + from + i + k)),
          chunk.map((p) => p.title),
          chunk.map((p) => p.body),
          chunk.map((p) => p.views),
          chunk.map((p) => p.published),
          chunk.map((p) => p.status),
        ],
      );
    }
  };

  return {
    async seed(from, to, commented) {
      const posts = generatePosts(to, from);
      const ids = posts.map(() => uuidv7());
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        await load(client, ids, posts, from);
        if (commented > 0) {
          const postIds = (await client.query<{ id: string }>(`SELECT "id" FROM "posts" ORDER BY "created" DESC, "id" DESC LIMIT $1`, [commented])).rows.reverse();
          const offset = to - postIds.length;
          const comments = generateComments(to, commented);
          await client.query(
            `INSERT INTO "comments" ("id", "account_id", "owner_id", "created", "updated", "version", "body", "post")
             SELECT u.id, $1, NULL, u.ts, u.ts, 1, u.body, u.post FROM unnest($2::text[], $3::timestamptz[], $4::text[], $5::text[]) AS u(id, ts, body, post)`,
            [ACCOUNT, comments.map(() => uuidv7()), comments.map((_, k) => new Date(base + to + k)), comments.map((c) => c.body), comments.map((c) => postIds[c.post - offset]!.id)],
          );
        }
        await client.query("COMMIT");
        await client.query("ANALYZE");
      } catch (e) {
        await client.query("ROLLBACK").catch(() => {});
        throw e;
      } finally {
        client.release();
      }
      return ids;
    },
    async get(t, id) {
      const [r] = await q<RawRow>(`get_${t}`, `SELECT ${COLS} FROM "${t}" WHERE "account_id" = $1 AND "id" = $2`, [ACCOUNT, id]);
      return r && row(r);
    },
    async list(minViews, limit, offset, withCount) {
      const filter = `"account_id" = $1 AND "published" = true AND "views" > $2`;
      const rowsP = q<RawRow>("list", `SELECT ${COLS} FROM "posts" WHERE ${filter} ORDER BY "views" DESC NULLS LAST, "id" ASC LIMIT $3 OFFSET $4`, [ACCOUNT, minViews, limit, offset]);
      const countP = withCount ? q<{ n: string }>("count", `SELECT count(*) AS "n" FROM "posts" WHERE ${filter}`, [ACCOUNT, minViews]) : undefined;
      const [rows, counted] = await Promise.all([rowsP, countP]);
      return { rows: rows.map(row), ...(counted ? { total: Number(counted[0]!.n) } : {}) };
    },
    async contains(word, limit) {
      const pattern = `%${word.replace(/[\\%_]/g, "\\$&")}%`;
      return (await q<RawRow>("contains", `SELECT ${COLS} FROM "posts" WHERE "account_id" = $1 AND "title" ILIKE $2 ESCAPE '\\' ORDER BY "id" LIMIT $3`, [ACCOUNT, pattern, limit])).map(row);
    },
    async search(term, limit) {
      const query = (term.match(/[\p{L}\p{N}_]+/gu) ?? []).map((w) => `${w.toLowerCase()}:*`).join(" & ");
      const sql = `SELECT ${COLS} FROM "posts", to_tsquery('simple', $2) AS "q" WHERE "account_id" = $1 AND "_search" @@ "q" ORDER BY ts_rank("_search", "q") DESC, "id" LIMIT $3`;
      return (await q<RawRow>("search", sql, [ACCOUNT, query, limit])).map(row);
    },
    async newest(limit) {
      return (await q<RawRow>("newest", `SELECT ${COLS} FROM "posts" WHERE "account_id" = $1 ORDER BY "created" DESC, "id" DESC LIMIT $2`, [ACCOUNT, limit])).map(row);
    },
    async commentsOf(postIds, perPost) {
      const sql = `SELECT "id", "body", "created", "post" FROM (SELECT "id", "body", "created", "post", ROW_NUMBER() OVER (PARTITION BY "post" ORDER BY "created" DESC, "id" DESC) AS "rn" FROM "comments" WHERE "account_id" = $1 AND "post" = ANY($2)) AS "c" WHERE "rn" <= $3`;
      return (await q<Omit<CommentRow, "created"> & { created: Date }>("comments_of", sql, [ACCOUNT, postIds, perPost])).map((c) => ({ ...c, created: c.created.toISOString() }));
    },
    async create(t, d) {
      const id = uuidv7();
      const ts = new Date();
      const [r] = await q<RawRow>(`create_${t}`, `INSERT INTO "${t}" (${INSERT_COLS}) VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8, $9, $10) RETURNING ${COLS}`, values(id, ts, d));
      return row(r!);
    },
    async createMany(t, ds) {
      const ts = new Date();
      const ids = ds.map(() => uuidv7());
      const sql = `INSERT INTO "${t}" (${INSERT_COLS.replace(`"version", `, "")}) VALUES ${rowsSql(ds.length, 10)}`;
      await q(
        `create_many_${t}_${ds.length}`,
        sql,
        ds.flatMap((d, i) => values(ids[i]!, ts, d)),
      );
      return ids;
    },
    async close() {
      await pool.end();
    },
  };
}
