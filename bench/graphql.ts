/**
 * GraphQL benchmark module (issue 3 part 9), run by bench/run.ts after the REST scenarios:
 *
 * 1. Query vs REST: 30 posts with their author (one level of relation) through GraphQL, and
 *    the same 30 posts through the REST list, at the runner's concurrency (32). Reports req/s
 *    and p99 of both and the ratio GraphQL/REST (target ≥ 0.6).
 * 2. Schema build: 100 collections × 20 fields built in this process (target < 300 ms, warm).
 * 3. Subscription fan-out: 1,000 graphql-ws clients subscribed to postCreated on the server,
 *    one mutation, the time until each client received it (target p99 < 200 ms).
 *
 * Preparation: adds an `author` reference to the seeded posts collection, creates 50 authors
 * and assigns them to the 200 newest posts (all through the public APIs).
 */
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import type { CollectionDef, FieldDef } from "../src/core/collections/types.ts";
import { buildSchema } from "../src/graphql/build-schema.ts";
import type { Prisma } from "../src/db/prisma.ts";
import type { RealtimeHub } from "../src/realtime/hub.ts";
import type { BenchContext } from "./context.ts";
import { COLLECTION } from "./data.ts";
import type { LoadResult } from "./load.ts";

const QUERY_TARGET = 0.6;
const BUILD_TARGET_MS = 300;
const FANOUT_TARGET_P99_MS = 200;
const SUBSCRIBERS = 1000;

const GRAPHQL_QUERY = `{ posts(first: 30, orderBy: [{ created: DESC }]) { nodes { id title views published status created author { id name } } } }`;

async function call(ctx: BenchContext, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(ctx.url + path, {
    method,
    headers: { authorization: `Bearer ${ctx.token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => null);
  if (!res.ok || json?.errors) throw new Error(`${method} ${path} failed: ${res.status} ${JSON.stringify(json).slice(0, 500)}`);
  return json;
}

const gql = (ctx: BenchContext, query: string, variables?: unknown) => call(ctx, "POST", "/graphql", { query, variables }).then((r) => r.data);

/** Adds posts.author → authors and fills it for the newest posts. */
async function prepare(ctx: BenchContext): Promise<void> {
  await call(ctx, "POST", "/api/v1/collections", { name: "authors", schema: [{ name: "name", type: "text", validation: { required: true } }] });
  const current = await call(ctx, "GET", `/api/v1/collections/${COLLECTION}`);
  const schema = [...(current.schema ?? current.fields), { name: "author", type: "reference", relation: { collection: "authors" } }];
  await call(ctx, "PATCH", `/api/v1/collections/${COLLECTION}`, { schema });
  const authors: { id: string }[] = (await gql(ctx, `mutation($d: [AuthorCreateInput!]!) { createAuthors(data: $d) { id } }`, { d: Array.from({ length: 50 }, (_, i) => ({ name: `Author ${i}` })) }))
    .createAuthors;
  const newest: string[] = [];
  for (let after: string | null = null; newest.length < 200;) {
    const page: any = (await gql(ctx, `query($a: String) { posts(first: 100, after: $a, orderBy: [{ created: DESC }]) { nodes { id } pageInfo { endCursor hasNextPage } } }`, { a: after })).posts;
    newest.push(...page.nodes.map((n: { id: string }) => n.id));
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  for (let i = 0; i < newest.length; i += 100) {
    const ids = newest.slice(i, i + 100);
    // One bulk update per author group keeps it to a few requests.
    for (let a = 0; a < 5; a++) {
      const group = ids.filter((_, j) => j % 5 === a);
      if (group.length) await gql(ctx, `mutation($ids: [ID!]!, $a: ID) { updatePosts(ids: $ids, data: { author: $a }) }`, { ids: group, a: authors[(i / 100) * 5 + a]!.id });
    }
  }
}

const summary = (r: LoadResult) => ({
  rps: Math.round(r.rps),
  p50: r.p50,
  p99: r.p99,
  requests: r.requests,
  non2xx: r.non2xx,
  errors: r.errors,
  cpuUsPerReq: r.cpuUsPerReq === undefined ? undefined : Math.round(r.cpuUsPerReq),
});

async function queryVsRest(ctx: BenchContext) {
  const sample = (await gql(ctx, GRAPHQL_QUERY)).posts.nodes;
  if (sample.length !== 30 || sample.some((p: any) => !p.author)) throw new Error("the GraphQL query did not return 30 posts with authors");
  const headers = { authorization: `Bearer ${ctx.token}` };
  const graphql = await ctx.measure("cairn", "graphql: 30 posts + author", {
    method: "POST",
    path: "/graphql",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify({ query: GRAPHQL_QUERY }),
  });
  const rest = await ctx.measure("cairn", "rest: list 30 posts", { method: "GET", path: `/api/v1/collections/${COLLECTION}/records?per_page=30&sort=-created&skip_total=true`, headers });
  const withTotal = await ctx.measure("cairn", "rest: list 30 posts with total", { method: "GET", path: `/api/v1/collections/${COLLECTION}/records?per_page=30&sort=-created`, headers });
  const ratio = graphql.rps / rest.rps;
  const cpuRatio = graphql.cpuUsPerReq && rest.cpuUsPerReq ? rest.cpuUsPerReq / graphql.cpuUsPerReq : undefined;
  return {
    graphql: summary(graphql),
    rest: summary(rest),
    ratio: Number(ratio.toFixed(2)),
    cpuRatio: cpuRatio === undefined ? undefined : Number(cpuRatio.toFixed(2)),
    target: `≥ ${QUERY_TARGET}`,
    verdict: graphql.non2xx + graphql.errors + rest.non2xx + rest.errors > 0 ? "FAIL (errors)" : ratio >= QUERY_TARGET ? "PASS" : "below target",
    restWithTotal: { ...summary(withTotal), ratio: Number((graphql.rps / withTotal.rps).toFixed(2)) },
    note: "ratio = GraphQL req/s ÷ REST req/s against the REST list without its total (skip_total: the same rows, author ids instead of authors); cpuRatio = REST CPU/req ÷ GraphQL CPU/req (server process). restWithTotal: the REST list as clients get it by default.",
  };
}

/** 100 collections × 20 fields (every field type, references between collections). */
function syntheticDefs(): CollectionDef[] {
  const types: FieldDef["type"][] = ["text", "textarea", "editor", "email", "url", "number", "bool", "date", "datetime", "select", "json", "tags", "file", "geopoint"];
  const now = new Date().toISOString();
  return Array.from({ length: 100 }, (_, c) => {
    const fields: FieldDef[] = Array.from({ length: 20 }, (_, f) => {
      const type: FieldDef["type"] = f >= 18 && c > 0 ? "reference" : types[f % types.length]!;
      const options = type === "select" ? { values: ["a", "b", "c"] } : type === "reference" ? { collection: `coll${String((c * 7 + f) % c).padStart(3, "0")}` } : {};
      return { id: `f${f}`, name: `field${f}`, type, required: f % 5 === 0, unique: false, index: false, options };
    });
    return {
      id: `c${c}`,
      name: `coll${String(c).padStart(3, "0")}`,
      type: "base",
      fields,
      options: {},
      listRule: null,
      viewRule: null,
      createRule: null,
      updateRule: null,
      deleteRule: null,
      viewQuery: null,
      system: false,
      created: now,
      updated: now,
    };
  });
}

/**
 * Builds as the server does: the system schema once per Prisma client (the first build), then
 * only the collection types on each rebuild. Wall time is what the target is about; CPU time
 * (this process) is reported too, as it is less sensitive to other load on the machine.
 */
function schemaBuild() {
  const defs = syntheticDefs();
  const opts = { prisma: {} as Prisma, hub: {} as RealtimeHub };
  const wall: number[] = [];
  const cpu: number[] = [];
  let types = 0;
  for (let i = 0; i < 12; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const schema = buildSchema(defs, opts);
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    types = Object.keys(schema.getTypeMap()).length;
  }
  const sorted = (a: number[]) => a.slice(2).sort((x, y) => x - y);
  const median = (a: number[]) => sorted(a)[Math.floor(sorted(a).length / 2)]!;
  return {
    collections: defs.length,
    fieldsPerCollection: 20,
    types,
    firstMs: Math.round(wall[0]!),
    medianMs: Math.round(median(wall)),
    minMs: Math.round(sorted(wall)[0]!),
    medianCpuMs: Math.round(median(cpu)),
    target: `< ${BUILD_TARGET_MS} ms`,
    verdict: median(wall) < BUILD_TARGET_MS ? "PASS" : "FAIL",
    note: "rebuild after a collection change (the system schema is built once per process: firstMs)",
  };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function fanout(ctx: BenchContext) {
  const url = `${ctx.url.replace(/^http/, "ws")}/graphql`;
  const clients: Client[] = [];
  const probed = new Set<number>();
  const received = new Map<number, number>();
  let sentAt = 0;
  let connected = 0;
  let wake: (() => void) | undefined;
  const marker = `fanout-${Date.now()}`;
  const until = async (cond: () => boolean, ms: number, what: string, poke?: () => Promise<unknown>) => {
    const deadline = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`fan-out: ${what}`);
      await poke?.();
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 200);
      });
    }
  };
  const create = (title: string) => gql(ctx, `mutation($t: String!) { createPost(data: { title: $t, views: 1, published: false, status: "draft" }) { id } }`, { t: title });
  try {
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const client = createClient({ url, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${ctx.token}` }, lazy: false, retryAttempts: 0 });
      clients.push(client);
      client.on("connected", () => {
        connected++;
        client.subscribe(
          { query: `subscription($w: PostWhere) { postCreated(where: $w) { id title } }`, variables: { w: { title: { startsWith: marker } } } },
          {
            next: (r: any) => {
              const title: string = r.data?.postCreated?.title ?? "";
              if (title.endsWith("-go")) {
                if (!received.has(i)) received.set(i, performance.now() - sentAt);
                if (received.size === SUBSCRIBERS) wake?.();
              } else probed.add(i);
            },
            error: () => {},
            complete: () => {},
          },
        );
      });
      // Connect in batches so the handshake burst stays within the server's backlog.
      if (i % 100 === 99) await new Promise((r) => setTimeout(r, 20));
    }
    await until(() => connected === SUBSCRIBERS, 30_000, `only ${connected}/${SUBSCRIBERS} clients connected`);
    // Probe posts until every subscription is known to be registered on the server.
    let probes = 0;
    await until(
      () => probed.size === SUBSCRIBERS,
      30_000,
      `only ${probed.size}/${SUBSCRIBERS} subscriptions active`,
      () => create(`${marker}-probe-${probes++}`),
    );
    sentAt = performance.now();
    await create(`${marker}-go`);
    const mutationMs = performance.now() - sentAt;
    await until(() => received.size === SUBSCRIBERS, 10_000, `only ${received.size}/${SUBSCRIBERS} received the event`).catch(() => {});
    const times = [...received.values()].sort((a, b) => a - b);
    const p99 = times.length ? percentile(times, 99) : Infinity;
    return {
      subscribers: SUBSCRIBERS,
      received: times.length,
      mutationRoundTripMs: Math.round(mutationMs),
      p50Ms: Math.round(percentile(times, 50)),
      p99Ms: Math.round(p99),
      maxMs: Math.round(times[times.length - 1] ?? Infinity),
      target: `p99 < ${FANOUT_TARGET_P99_MS} ms`,
      verdict: times.length === SUBSCRIBERS && p99 < FANOUT_TARGET_P99_MS ? "PASS" : "FAIL",
      note: `from sending the mutation to each client's receipt (clients in the bench process; ${probes} probe posts first)`,
    };
  } finally {
    await Promise.all(clients.map((c) => c.dispose()));
  }
}

/** Entry point called by bench/run.ts. */
export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  ctx.log("graphql: preparing authors and references");
  await prepare(ctx);
  const query = await queryVsRest(ctx);
  ctx.log(`graphql: query/REST ratio ${query.ratio} (${query.verdict})`);
  const build = schemaBuild();
  ctx.log(`graphql: schema build ${build.medianMs} ms for 100 × 20 (${build.verdict})`);
  const subs = await fanout(ctx);
  ctx.log(`graphql: fan-out to ${subs.received}/${subs.subscribers} subscribers, p99 ${subs.p99Ms} ms (${subs.verdict})`);
  return { queryVsRest: query, schemaBuild: build, subscriptionFanout: subs };
}
