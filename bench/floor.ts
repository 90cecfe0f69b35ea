/**
 * The floor: the least a server can do for the benchmark's requests — Fastify (no logger, no
 * schemas) over hand-written SQL (floor-sqlite.ts: better-sqlite3; floor-pg.ts: `pg`), the same
 * table layout as Cairn's collection tables, the same JSON shapes as Cairn's FastCMS routes, and
 * a GraphQL Yoga server for the GraphQL workloads (floor-graphql.ts). No auth, no validation
 * beyond types, no outbox, no caches: whatever Cairn spends above this is its overhead.
 *
 * The list route answers the bench's fixed queries only (it recognises them, it does not parse
 * filters): the list workload (`LIST_QUERY`, with or without the total), `title~"word"` with
 * `sort=id` (LIKE/ILIKE in id order, stopping after a page; no count — `total` is -1), and
 * `search=` (full-text, ranked; no count). Anything else is a 400.
 *
 * Run as a child process by bench/run.ts:
 *   FLOOR_PORT=… FLOOR_DB=/tmp/x.db node --import tsx bench/floor.ts            (SQLite)
 *   FLOOR_PORT=… FLOOR_PG_URL=postgres://… node --import tsx bench/floor.ts     (PostgreSQL)
 * `POST /_bench/seed {from, to, commented}` fills it (see FloorStore.seed).
 */
import Fastify from "fastify";
import { CONTAINS_WORD, LIST_MIN_VIEWS, LIST_QUERY, STATUSES, type PostData } from "./data.ts";
import { floorYoga } from "./floor-graphql.ts";
import { openPgStore } from "./floor-pg.ts";
import { openSqliteStore } from "./floor-sqlite.ts";
import { render, type FloorStore, type PostRow } from "./floor-store.ts";

const port = Number(process.env.FLOOR_PORT);
const file = process.env.FLOOR_DB;
const pgUrl = process.env.FLOOR_PG_URL;
if (!port || (!file && !pgUrl)) throw new Error("FLOOR_PORT and FLOOR_DB or FLOOR_PG_URL are required");
// created timestamps of seeded rows: base + row index (ms), all in the past
const base = Date.now() - 10_000_000;
const store: FloorStore = pgUrl ? await openPgStore(pgUrl, base) : openSqliteStore(file!, base);

const app = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024 });
const PREFIX = "/api/v1/collections/:collection/records";
const CONTAINS = /^title~"(\w+)"$/;

app.get("/health", async () => ({ status: "healthy", service: "floor" }));

app.post<{ Body: { from: number; to: number; commented?: number } }>("/_bench/seed", async (req) => ({ ids: await store.seed(req.body.from, req.body.to, req.body.commented ?? 0) }));

app.get<{ Params: { collection: string; id: string } }>(`${PREFIX}/:id`, async (req, reply) => {
  const t = req.params.collection;
  if (t !== "posts" && t !== "drafts") return reply.status(404).send({ code: "NOT_FOUND", message: "Collection not found" });
  const row = await store.get(t, req.params.id);
  if (!row) return reply.status(404).send({ code: "NOT_FOUND", message: "Record not found" });
  return render(row);
});

type ListQs = { page?: string; per_page?: string; filter?: string; sort?: string; search?: string; skip_total?: string };

app.get<{ Params: { collection: string }; Querystring: ListQs }>(PREFIX, async (req, reply) => {
  const qs = req.query;
  if (req.params.collection !== "posts") return reply.status(404).send({ code: "NOT_FOUND", message: "Collection not found" });
  const perPage = Math.min(100, Math.max(1, Number(qs.per_page ?? 30) || 30));
  const page = Math.max(1, Number(qs.page ?? 1) || 1);
  let rows: PostRow[];
  let total: number | undefined;
  const contains = qs.filter ? CONTAINS.exec(qs.filter) : null;
  if (qs.filter === LIST_QUERY.filter && qs.sort === LIST_QUERY.sort && !qs.search) {
    ({ rows, total } = await store.list(LIST_MIN_VIEWS, perPage + 1, (page - 1) * perPage, qs.skip_total !== "true"));
  } else if (contains && qs.sort === "id" && !qs.search && page === 1) {
    rows = await store.contains(contains[1] ?? CONTAINS_WORD, perPage + 1);
  } else if (qs.search && !qs.filter && !qs.sort && page === 1) {
    rows = await store.search(qs.search, perPage + 1);
  } else return reply.status(400).send({ code: "BAD_REQUEST", message: "the floor answers the bench's fixed queries only" });
  const hasMore = rows.length > perPage;
  return {
    items: (hasMore ? rows.slice(0, perPage) : rows).map(render),
    total: total ?? -1,
    page,
    per_page: perPage,
    total_pages: total === undefined ? -1 : Math.ceil(total / perPage),
    next_cursor: null,
    prev_cursor: null,
    has_more: hasMore,
  };
});

app.post<{ Params: { collection: string }; Body: { data?: Partial<PostData> } }>(PREFIX, async (req, reply) => {
  const d = req.body?.data;
  if (req.params.collection !== "drafts") return reply.status(404).send({ code: "NOT_FOUND", message: "Collection not found" });
  if (
    !d ||
    typeof d.title !== "string" ||
    (d.body !== undefined && typeof d.body !== "string") ||
    (d.views !== undefined && typeof d.views !== "number") ||
    (d.published !== undefined && typeof d.published !== "boolean") ||
    (d.status !== undefined && !(STATUSES as readonly string[]).includes(d.status))
  )
    return reply.status(422).send({ code: "VALIDATION_FAILED", message: "Invalid data" });
  return reply.status(201).send(render(await store.create("drafts", d)));
});

const yoga = floorYoga(store);
app.route({
  url: "/graphql",
  method: ["GET", "POST"],
  handler: async (req, reply) => {
    const response = await yoga.handleNodeRequestAndResponse(req, reply);
    response.headers.forEach((value, key) => void reply.header(key, value));
    reply.status(response.status);
    return reply.send(response.body);
  },
});

await app.listen({ port, host: "127.0.0.1" });
const stop = () => {
  app.close().then(async () => {
    await store.close();
    process.exit(0);
  });
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
