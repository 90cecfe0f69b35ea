/**
 * Standalone measurement of the nested GraphQL query of issue 8 part 4 — 30 posts × their 5
 * newest comments (a reverse connection) — on Cairn against the GraphQL floor (bench/floor-yoga.ts:
 * Fastify + Yoga + hand-written SQL), in interleaved rounds (floor, Cairn, floor, Cairn…), on
 * SQLite or PostgreSQL. Prints per round req/s, p50, p99 and server CPU µs/request of both, the
 * ratio Cairn ÷ floor, and the medians. Separate from `npm run bench` (its runner is being
 * rewritten); it reuses the runner's process, load and profiler helpers.
 *
 *   npx tsx bench/graphql-nested.ts                        # SQLite, 10,000 posts, 10,000 comments
 *   NESTED_DB=postgres npx tsx bench/graphql-nested.ts     # both servers on fresh PostgreSQL databases
 *   NESTED_PROFILE=1 …                                     # CPU profile of Cairn's last round (bench/.tmp/prof/)
 *   NESTED_LOOP_DELAY=1 …                                  # Cairn's event-loop delay during each round (via the inspector)
 *
 * Options: NESTED_ROUNDS (5), NESTED_DURATION (8 s), NESTED_WARMUP (2 s), NESTED_CONNECTIONS (32),
 * NESTED_POSTS (10000), NESTED_ENTRY (Cairn's entry: dist/app/cli.js as `npm start` runs it when
 * built, else src/cli.ts through tsx), NESTED_CAIRN_ROOT (another checkout, for A/B),
 * BENCH_PG_URL (admin URL, as the bench).
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { v7 as uuidv7 } from "uuid";
import { collectionBody, generatePosts } from "./data.ts";
import type { NestedSeed } from "./floor-yoga.ts";
import { runLoad, type LoadResult } from "./load.ts";
import { startCommand } from "./options.ts";
import { createPgDatabase } from "./pg.ts";
import { freePort, startServer, type ServerProcess } from "./proc.ts";
import { formatSummary, HOT_PATH, InspectorSession, summarize } from "./profiler.ts";
import { login, raiseRateLimits } from "./seed.ts";

const env = process.env;
const int = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
const DB = env.NESTED_DB === "postgres" ? "postgres" : "sqlite";
const ROUNDS = int("NESTED_ROUNDS", 5);
const DURATION = int("NESTED_DURATION", 8);
const WARMUP = int("NESTED_WARMUP", 2);
const CONNECTIONS = int("NESTED_CONNECTIONS", 32);
const POSTS = int("NESTED_POSTS", 10_000);
const COMMENTED = POSTS / 10; // the newest tenth of the posts get 10 comments each
const PROFILE = env.NESTED_PROFILE === "1";
const LOOP_DELAY = env.NESTED_LOOP_DELAY === "1";
const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const cairnRoot = resolve(env.NESTED_CAIRN_ROOT ?? root);
const entry = env.NESTED_ENTRY ?? (existsSync(join(cairnRoot, "dist/app/cli.js")) ? "dist/app/cli.js" : "src/cli.ts");
const ADMIN = { email: "bench@example.com", password: "Bench-pass-123" };

export const NESTED_QUERY = `{ posts(first: 30, orderBy: [{ created: DESC }]) { nodes { id title views published status created comments(first: 5, orderBy: [{ created: DESC }]) { nodes { id body created } pageInfo { hasNextPage } } } } }`;

const log = (msg: string) => console.log(`[nested] ${msg}`);
const tmp = join(root, "bench/.tmp");
mkdirSync(tmp, { recursive: true });
const runDir = mkdtempSync(join(tmp, "nested-"));
const servers: ServerProcess[] = [];
process.on("exit", () => {
  for (const s of servers) if (s.child.exitCode === null) s.child.kill("SIGKILL");
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(130));

async function gql(url: string, token: string | undefined, query: string, variables?: unknown): Promise<any> {
  const res = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const json: any = await res.json().catch(() => null);
  if (!res.ok || json?.errors) throw new Error(`GraphQL failed: ${res.status} ${JSON.stringify(json).slice(0, 500)}`);
  return json.data;
}

async function rest(url: string, token: string, method: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(url + path, { method, headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${path} failed: ${res.status} ${await res.text()}`);
}

/** Posts through bulk GraphQL creates (in order: the last ones are the newest), then 10 comments on each of the newest tenth. */
async function seedCairn(url: string, token: string, seed: NestedSeed): Promise<void> {
  await rest(url, token, "POST", "/api/v1/collections", collectionBody);
  await rest(url, token, "POST", "/api/v1/collections", {
    name: "comments",
    schema: [
      { name: "body", type: "text" },
      { name: "post", type: "reference", relation: { collection: "posts" } },
    ],
  });
  const ids: string[] = [];
  for (let i = 0; i < seed.posts.length; i += 100) {
    const d = seed.posts.slice(i, i + 100).map(({ title, body, views, published, status }) => ({ title, body, views, published, status: status.toUpperCase() }));
    ids.push(...(await gql(url, token, `mutation($d: [PostCreateInput!]!) { createPosts(data: $d) { id } }`, { d })).createPosts.map((p: { id: string }) => p.id));
  }
  const floorToCairn = new Map(seed.posts.map((p, i) => [p.id, ids[i]!]));
  for (let i = 0; i < seed.comments.length; i += 100) {
    const d = seed.comments.slice(i, i + 100).map((c) => ({ body: c.body, post: floorToCairn.get(c.post) }));
    await gql(url, token, `mutation($d: [CommentCreateInput!]!) { createComments(data: $d) { id } }`, { d });
  }
}

function makeSeed(): NestedSeed {
  const t0 = Date.now() - 10 * POSTS * 2;
  const posts = generatePosts(POSTS).map((p, i) => ({ ...p, id: uuidv7(), created: new Date(t0 + i).toISOString() }));
  const comments: NestedSeed["comments"] = [];
  for (let k = 0; k < 10; k++)
    for (let i = POSTS - COMMENTED; i < POSTS; i++)
      comments.push({ id: uuidv7(), created: new Date(t0 + POSTS + comments.length).toISOString(), post: posts[i]!.id, body: `Comment ${k} on post ${i + 1}` });
  return { account_id: "default", posts, comments };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const before = loadavg();
  log(
    `db=${DB} posts=${POSTS} comments=${COMMENTED * 10} rounds=${ROUNDS} × ${DURATION}s (warm-up ${WARMUP}s) connections=${CONNECTIONS}; cairn ${entry} in ${cairnRoot}; load ${before.map((l) => l.toFixed(2)).join(" ")}`,
  );
  const seed = makeSeed();
  const seedFile = join(runDir, "seed.json");
  writeFileSync(seedFile, JSON.stringify(seed));
  const pgCairn = DB === "postgres" ? await createPgDatabase(env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres") : undefined;
  const pgFloor = DB === "postgres" ? await createPgDatabase(env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres") : undefined;
  try {
    const [cairnPort, floorPort, inspectPort] = await Promise.all([freePort(), freePort(), freePort()]);
    mkdirSync(join(runDir, "cairn"));
    const compiled = entry.endsWith(".js");
    const start = startCommand(root, DB);
    const [cairn, floor] = await Promise.all([
      startServer({
        name: "cairn",
        args: [entry, "serve"],
        tsx: !compiled,
        cwd: cairnRoot,
        port: cairnPort,
        nodeFlags: [...start.flags, ...(PROFILE || LOOP_DELAY ? [`--inspect=127.0.0.1:${inspectPort}`] : [])],
        env: {
          ...env,
          ...start.env,
          HOST: "127.0.0.1",
          PORT: String(cairnPort),
          CAIRN_DATA_DIR: join(runDir, "cairn"),
          DATABASE_URL: pgCairn?.url ?? `file:${join(runDir, "cairn", "cairn.db")}`,
          CAIRN_ADMIN_EMAIL: ADMIN.email,
          CAIRN_ADMIN_PASSWORD: ADMIN.password,
          CAIRN_SECRET: randomBytes(32).toString("base64url"),
          LOG_LEVEL: "warn",
          NODE_ENV: "production",
        },
      }),
      startServer({
        name: "floor",
        args: ["bench/floor-yoga.ts"],
        cwd: root,
        port: floorPort,
        env: { ...env, FLOOR_PORT: String(floorPort), FLOOR_SEED: seedFile, NODE_ENV: "production", ...(pgFloor ? { FLOOR_PG_URL: pgFloor.url } : { FLOOR_DB: join(runDir, "floor.db") }) },
      }),
    ]);
    servers.push(cairn, floor);
    const token = await login(cairn.url, ADMIN.email, ADMIN.password);
    await raiseRateLimits(cairn.url, token);
    const t0 = Date.now();
    await seedCairn(cairn.url, token, seed);
    log(`seeded cairn in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    for (const [name, url, tok] of [
      ["cairn", cairn.url, token],
      ["floor", floor.url, undefined],
    ] as const) {
      const nodes = (await gql(url, tok, NESTED_QUERY)).posts.nodes;
      if (nodes.length !== 30 || nodes.some((p: any) => p.comments.nodes.length !== 5 || !p.comments.pageInfo.hasNextPage)) throw new Error(`${name}: the query did not return 30 posts × 5 comments`);
    }

    const body = JSON.stringify({ query: NESTED_QUERY });
    const measure = async (server: ServerProcess, tok: string | undefined, inspector?: InspectorSession): Promise<LoadResult> => {
      const spec = {
        url: server.url,
        method: "POST" as const,
        path: "/graphql",
        body,
        connections: CONNECTIONS,
        headers: { "content-type": "application/json", ...(tok ? { authorization: `Bearer ${tok}` } : {}) },
      };
      if (WARMUP > 0) await runLoad({ ...spec, duration: WARMUP });
      if (inspector) await inspector.start();
      const r = await runLoad({ ...spec, duration: DURATION, cpuSeconds: () => server.cpuSeconds() });
      if (inspector) {
        const dir = join(tmp, "prof");
        mkdirSync(dir, { recursive: true });
        const file = join(dir, `nested-${DB}.cpuprofile`);
        const profile = await inspector.stop();
        writeFileSync(file, JSON.stringify(profile));
        writeFileSync(file.replace(/\.cpuprofile$/, ".txt"), formatSummary(`cairn nested ${DB}`, summarize(profile, 40, HOT_PATH)) + "\n");
        log(`profile: ${file} (+ .txt)`);
      }
      if (r.non2xx) throw new Error(`${server.name}: ${r.non2xx} non-2xx answers (${JSON.stringify(r.statuses)})`);
      // Timeouts (10 s) only happen on an overloaded machine: reported, not fatal.
      if (r.errors + r.timeouts) log(`${server.name}: ${r.errors} errors, ${r.timeouts} timeouts (machine load ${loadavg()[0]!.toFixed(1)})`);
      return r;
    };
    const inspector = PROFILE || LOOP_DELAY ? await InspectorSession.connect(inspectPort) : undefined;
    // Event-loop delay inside Cairn during each measured run (a stalled loop shows as a long max/p99).
    const loopDelay = async (what: "start" | "read"): Promise<string> => {
      if (!inspector || !LOOP_DELAY) return "";
      const expression =
        what === "start"
          ? `(() => { globalThis.__nestedLoop?.disable(); globalThis.__nestedLoop = process.getBuiltinModule("node:perf_hooks").monitorEventLoopDelay({ resolution: 5 }); globalThis.__nestedLoop.enable(); return "" })()`
          : `(() => { const h = globalThis.__nestedLoop; const ms = (n) => (n / 1e6).toFixed(0); return "event-loop delay p50 " + ms(h.percentile(50)) + " p99 " + ms(h.percentile(99)) + " max " + ms(h.max) + " ms"; })()`;
      const r = await inspector.send<{ result: { value?: string }; exceptionDetails?: unknown }>("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true });
      return r.exceptionDetails ? `(event-loop probe failed: ${JSON.stringify(r.exceptionDetails).slice(0, 200)})` : (r.result.value ?? "");
    };
    const rows: { floor: LoadResult; cairn: LoadResult; ratio: number; cpuRatio: number }[] = [];
    const line = (r: LoadResult) => `${r.rps.toFixed(0).padStart(5)} req/s p50 ${String(r.p50).padStart(4)} p99 ${String(r.p99).padStart(5)} ms ${r.cpuUsPerReq?.toFixed(0).padStart(5)} µs/req`;
    for (let i = 1; i <= ROUNDS; i++) {
      const f = await measure(floor, undefined);
      const started = await loopDelay("start");
      if (started) log(`cairn ${started}`);
      const c = await measure(cairn, token, PROFILE && i === ROUNDS ? inspector : undefined);
      const delay = await loopDelay("read");
      if (delay) log(`cairn ${delay}`);
      const row = { floor: f, cairn: c, ratio: c.rps / f.rps, cpuRatio: f.cpuUsPerReq! / c.cpuUsPerReq! };
      rows.push(row);
      log(`round ${i}: floor ${line(f)} | cairn ${line(c)} | ratio ${row.ratio.toFixed(2)} cpu ratio ${row.cpuRatio.toFixed(2)} | cairn p99/p50 ${(c.p99 / Math.max(1, c.p50)).toFixed(1)}`);
    }
    const m = (pick: (r: (typeof rows)[number]) => number) => median(rows.map(pick));
    log(
      `median (${DB}): ratio ${m((r) => r.ratio).toFixed(2)} (${rows.map((r) => r.ratio.toFixed(2)).join(", ")}), cpu ratio ${m((r) => r.cpuRatio).toFixed(2)}; ` +
        `floor ${m((r) => r.floor.rps).toFixed(0)} req/s ${m((r) => r.floor.cpuUsPerReq!).toFixed(0)} µs/req; cairn ${m((r) => r.cairn.rps).toFixed(0)} req/s ${m((r) => r.cairn.cpuUsPerReq!).toFixed(0)} µs/req, p50 ${m((r) => r.cairn.p50)} p99 ${m((r) => r.cairn.p99)} ms; load ${loadavg()
          .map((l) => l.toFixed(2))
          .join(" ")}`,
    );
    writeFileSync(join(tmp, `nested-${DB}.json`), JSON.stringify({ db: DB, rounds: rows, load: { before, after: loadavg() } }, null, 2));
    await Promise.all(servers.map((s) => s.stop()));
  } finally {
    await pgCairn?.drop().catch(() => {});
    await pgFloor?.drop().catch(() => {});
    if (env.NESTED_KEEP !== "1") rmSync(runDir, { recursive: true, force: true });
  }
}

await main();
