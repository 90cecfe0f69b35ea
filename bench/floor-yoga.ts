/**
 * The GraphQL floor for the nested query (issue 8 part 4): Fastify + GraphQL Yoga (its documented
 * Fastify integration, default options) over hand-written SQL — better-sqlite3 prepared
 * statements, or `pg` with the same statements — for one query shape:
 *
 *   { posts(first: 30, orderBy: [{ created: DESC }]) { nodes { id title views published status created
 *       comments(first: 5, orderBy: [{ created: DESC }]) { nodes { id body created } pageInfo { hasNextPage } } } } }
 *
 * The posts page is one statement on the (account_id, created, id) index; the comments of all
 * posts of the page are one statement per request (a per-request DataLoader), the first N of each
 * post numbered by ROW_NUMBER() over the (account_id, post, created, id) index. No auth, no
 * rules, no limits: whatever Cairn spends above this is its overhead.
 *
 * Run as a child process by bench/graphql-nested.ts:
 *   FLOOR_PORT=… FLOOR_DB=/tmp/x.db | FLOOR_PG_URL=postgres://… FLOOR_SEED=seed.json node --import tsx bench/floor-yoga.ts
 * FLOOR_SEED: `{ account_id, posts: [{ id, created, title, body, views, published, status }], comments: [{ id, created, post, body }] }`.
 */
import { readFileSync } from "node:fs";
import Database from "better-sqlite3";
import DataLoader from "dataloader";
import Fastify from "fastify";
import { createSchema, createYoga } from "graphql-yoga";
import pg from "pg";
import type { PostData } from "./data.ts";

export interface NestedSeed {
  account_id: string;
  posts: (PostData & { id: string; created: string })[];
  comments: { id: string; created: string; post: string; body: string }[];
}

const port = Number(process.env.FLOOR_PORT);
const file = process.env.FLOOR_DB;
const pgUrl = process.env.FLOOR_PG_URL;
if (!port || !(file || pgUrl)) throw new Error("FLOOR_PORT and FLOOR_DB or FLOOR_PG_URL are required");
const seed = process.env.FLOOR_SEED ? (JSON.parse(readFileSync(process.env.FLOOR_SEED, "utf8")) as NestedSeed) : undefined;
const ACCOUNT = seed?.account_id ?? "default";

const DDL = (real: string, bool: string) => [
  `CREATE TABLE IF NOT EXISTS "posts" ("id" TEXT PRIMARY KEY NOT NULL, "account_id" TEXT NOT NULL, "owner_id" TEXT, "created" TEXT NOT NULL, "updated" TEXT NOT NULL,
     "version" INTEGER NOT NULL DEFAULT 1, "title" TEXT, "body" TEXT, "views" ${real}, "published" ${bool}, "status" TEXT)`,
  `CREATE INDEX IF NOT EXISTS "posts__created" ON "posts" ("account_id", "created", "id")`,
  `CREATE TABLE IF NOT EXISTS "comments" ("id" TEXT PRIMARY KEY NOT NULL, "account_id" TEXT NOT NULL, "owner_id" TEXT, "created" TEXT NOT NULL, "updated" TEXT NOT NULL,
     "version" INTEGER NOT NULL DEFAULT 1, "body" TEXT, "post" TEXT)`,
  `CREATE INDEX IF NOT EXISTS "comments__created" ON "comments" ("account_id", "created", "id")`,
  `CREATE INDEX IF NOT EXISTS "comments__post" ON "comments" ("account_id", "post", "created", "id")`,
];

const POST_COLS = `"id", "title", "views", "published", "status", "created"`;
const PAGE = `SELECT ${POST_COLS} FROM "posts" WHERE "account_id" = $1 ORDER BY "created" DESC, "id" DESC LIMIT $2`;
const commentsSql = (ids: string) =>
  `SELECT "id", "body", "created", "post", "rn" FROM (SELECT "id", "body", "created", "post", ROW_NUMBER() OVER (PARTITION BY "post" ORDER BY "created" DESC, "id" DESC) AS "rn"
     FROM "comments" WHERE "account_id" = $1 AND "post" IN (${ids})) AS "g" WHERE "rn" <= $3 ORDER BY "post", "rn"`;

interface PostRow {
  id: string;
  title: string | null;
  views: number | null;
  published: number | boolean | null;
  status: string | null;
  created: string;
}
interface CommentRow {
  id: string;
  body: string | null;
  created: string;
  post: string;
  rn: number;
}

interface Store {
  page(limit: number): Promise<PostRow[]>;
  /** the first `limit` comments of each post, newest first, in one statement */
  comments(posts: readonly string[], limit: number): Promise<CommentRow[]>;
}

async function sqliteStore(path: string): Promise<Store> {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  for (const s of DDL("REAL", "INTEGER")) db.exec(s);
  if (seed) {
    const p = db.prepare(`INSERT INTO "posts" ("id", "account_id", "created", "updated", "title", "body", "views", "published", "status") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const c = db.prepare(`INSERT INTO "comments" ("id", "account_id", "created", "updated", "body", "post") VALUES (?, ?, ?, ?, ?, ?)`);
    db.transaction(() => {
      for (const r of seed.posts) p.run(r.id, ACCOUNT, r.created, r.created, r.title, r.body, r.views, r.published ? 1 : 0, r.status);
      for (const r of seed.comments) c.run(r.id, ACCOUNT, r.created, r.created, r.body, r.post);
    })();
    db.exec("ANALYZE");
    db.pragma("wal_checkpoint(TRUNCATE)");
  }
  const sqlite = (s: string) => s.replace(/\$\d/g, "?");
  const page = db.prepare(sqlite(PAGE));
  // json_each keeps one prepared statement for any number of parents
  const comments = db.prepare(sqlite(commentsSql(`SELECT "value" FROM json_each($2)`)));
  return {
    page: async (limit) => page.all(ACCOUNT, limit) as PostRow[],
    comments: async (posts, limit) => comments.all(ACCOUNT, JSON.stringify(posts), limit) as CommentRow[],
  };
}

async function pgStore(url: string): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  for (const s of DDL("DOUBLE PRECISION", "BOOLEAN")) await pool.query(s);
  if (seed) {
    const chunk = 1000;
    for (let i = 0; i < seed.posts.length; i += chunk) {
      const rows = seed.posts.slice(i, i + chunk);
      await pool.query(
        `INSERT INTO "posts" ("id", "account_id", "created", "updated", "title", "body", "views", "published", "status")
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::bool[], $9::text[])`,
        [
          rows.map((r) => r.id),
          rows.map(() => ACCOUNT),
          rows.map((r) => r.created),
          rows.map((r) => r.created),
          rows.map((r) => r.title),
          rows.map((r) => r.body),
          rows.map((r) => r.views),
          rows.map((r) => r.published),
          rows.map((r) => r.status),
        ],
      );
    }
    for (let i = 0; i < seed.comments.length; i += chunk) {
      const rows = seed.comments.slice(i, i + chunk);
      await pool.query(
        `INSERT INTO "comments" ("id", "account_id", "created", "updated", "body", "post") SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])`,
        [rows.map((r) => r.id), rows.map(() => ACCOUNT), rows.map((r) => r.created), rows.map((r) => r.created), rows.map((r) => r.body), rows.map((r) => r.post)],
      );
    }
    await pool.query("ANALYZE");
  }
  const page = { name: "page", text: PAGE };
  const comments = { name: "comments", text: commentsSql(`SELECT unnest($2::text[])`) };
  return {
    page: async (limit) => (await pool.query<PostRow>({ ...page, values: [ACCOUNT, limit] })).rows,
    comments: async (posts, limit) => (await pool.query<CommentRow>({ ...comments, values: [ACCOUNT, posts, limit] })).rows,
  };
}

const store = pgUrl ? await pgStore(pgUrl) : await sqliteStore(file!);

interface Ctx {
  comments: Map<number, DataLoader<string, CommentRow[]>>;
}

const schema = createSchema<Ctx>({
  typeDefs: /* GraphQL */ `
    enum SortDirection {
      ASC
      DESC
    }
    input PostOrderBy {
      created: SortDirection
    }
    input CommentOrderBy {
      created: SortDirection
    }
    type PageInfo {
      hasNextPage: Boolean!
    }
    type Comment {
      id: ID!
      body: String
      created: String!
    }
    type CommentConnection {
      nodes: [Comment!]!
      pageInfo: PageInfo!
    }
    type Post {
      id: ID!
      title: String
      views: Float
      published: Boolean
      status: String
      created: String!
      comments(first: Int, orderBy: [CommentOrderBy!]): CommentConnection!
    }
    type PostConnection {
      nodes: [Post!]!
    }
    type Query {
      posts(first: Int, orderBy: [PostOrderBy!]): PostConnection!
    }
  `,
  resolvers: {
    Query: {
      posts: async (_r: unknown, args: { first?: number | null }) => {
        const rows = await store.page(Math.min(100, args.first ?? 30));
        return { nodes: rows.map((r) => ({ ...r, published: r.published === null ? null : Boolean(r.published) })) };
      },
    },
    Post: {
      comments: async (post: PostRow, args: { first?: number | null }, ctx: Ctx) => {
        const first = Math.min(100, args.first ?? 30);
        let loader = ctx.comments.get(first);
        if (!loader) {
          loader = new DataLoader(async (ids: readonly string[]) => {
            const byPost = new Map<string, CommentRow[]>(ids.map((id) => [id, []]));
            for (const row of await store.comments(ids, first + 1)) byPost.get(row.post)?.push(row);
            return ids.map((id) => byPost.get(id)!);
          });
          ctx.comments.set(first, loader);
        }
        const rows = await loader.load(post.id);
        return { nodes: rows.slice(0, first), pageInfo: { hasNextPage: rows.length > first } };
      },
    },
  },
});

const yoga = createYoga<Record<string, unknown>, Ctx>({ schema: schema as any, logging: false, landingPage: false, graphiql: false, context: () => ({ comments: new Map() }) });

const app = Fastify({ logger: false });
app.get("/health", async () => ({ status: "healthy", service: "floor-yoga" }));
app.route({
  url: yoga.graphqlEndpoint,
  method: ["GET", "POST", "OPTIONS"],
  handler: async (req, reply) => {
    const response = await yoga.handleNodeRequestAndResponse(req, reply, { req, reply });
    response.headers.forEach((value, key) => void reply.header(key, value));
    reply.status(response.status);
    reply.send(response.body);
    return reply;
  },
});

await app.listen({ port, host: "127.0.0.1" });
const stop = () => {
  app.close().then(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
