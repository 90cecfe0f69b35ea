/**
 * Standalone measurement of the subscription fan-out (issue 8 part 9), apart from `npm run bench`:
 *
 *   npx tsx bench/fanout-probe.ts                       1,000 subscribers, 7 rounds, SQLite
 *   FANOUT_SUBSCRIBERS=2000 FANOUT_ROUNDS=11 npx tsx bench/fanout-probe.ts
 *   FANOUT_DB=postgres npx tsx bench/fanout-probe.ts    Cairn on a fresh PostgreSQL database
 *   FANOUT_USERS=50 npx tsx bench/fanout-probe.ts       subscribers signed in as 50 different users
 *   FANOUT_PROFILE=1 npx tsx bench/fanout-probe.ts      CPU profile of the server (bench/.tmp/fanout-prof/)
 *   FANOUT_NODE_FLAGS="--max-semi-space-size=16" …      the server's node flags instead of those `npm start` passes (scripts/start.sh)
 *
 * Three processes, so that no measuring work runs in the server: the server (started as `npm start`
 * starts it: the built bundle with the node flags `npm start` passes (scripts/start.sh); run `npm run build` first),
 * this process (drives the rounds, reads the server's CPU time from /proc), and one client process
 * holding every graphql-ws subscriber (`postCreated(where: { title: { startsWith } }) { id title }`).
 * Each round the client process sends one createPost mutation and notes when each subscriber got it;
 * the latency of a subscriber is the time from sending the mutation to its receipt. The server CPU
 * per round (user + system, from /proc/<pid>/stat) is less sensitive to other load on the machine
 * than the latencies. Prints each round and the medians; exit code 1 when a round lost deliveries.
 */
import { fork, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, mkdirSync, readdirSync, renameSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createServer } from "node:net";
import { startCommand } from "./options.ts";

const ROOT = resolve(fileURLToPath(import.meta.url), "../..");
const env = process.env;
const SUBSCRIBERS = Number(env.FANOUT_SUBSCRIBERS ?? 1000);
const ROUNDS = Number(env.FANOUT_ROUNDS ?? 7);
const USERS = Number(env.FANOUT_USERS ?? 1);
const DB = env.FANOUT_DB === "postgres" ? "postgres" : "sqlite";
const PG_ADMIN = env.FANOUT_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const EMAIL = "fanout@example.com";
const PASSWORD = "Fanout-pass-123";

type ToClients = { kind: "go"; round: number } | { kind: "stop" };
type FromClients = { kind: "ready"; connectMs: number } | { kind: "round"; round: number; latencies: number[]; mutationMs: number } | { kind: "error"; message: string };

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;

async function call(base: string, method: string, path: string, body?: unknown, token?: string): Promise<any> {
  const res = await fetch(base + path, {
    method,
    headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => null);
  if (!res.ok || json?.errors) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
  return json;
}

// ---------------------------------------------------------------- client process

async function clients(url: string, tokens: string[], n: number): Promise<void> {
  const { createClient } = await import("graphql-ws");
  const { default: WebSocket } = await import("ws");
  const send = (m: FromClients) => process.send!(m);
  const wsUrl = `${url.replace(/^http/, "ws")}/graphql`;
  const marker = `fanout-${process.pid}`;
  const gotProbe = new Set<number>();
  const got = new Map<number, number>();
  let round = -1;
  let onAll: (() => void) | undefined;
  const list: { dispose(): void }[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i += 50) {
    // Batches wait for their handshakes, so a busy machine never trips the server's init timeout.
    await Promise.all(
      Array.from({ length: Math.min(50, n - i) }, (_, k) => {
        const idx = i + k;
        return new Promise<void>((resolveConnected, reject) => {
          const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${tokens[idx % tokens.length]}` }, lazy: false, retryAttempts: 0 });
          list.push(client);
          client.on("connected", () => resolveConnected());
          client.on("closed", (e) => reject(new Error(`client ${idx} closed: ${(e as { code?: number }).code}`)));
          client.subscribe(
            { query: `subscription($w: PostWhere) { postCreated(where: $w) { id title } }`, variables: { w: { title: { startsWith: marker } } } },
            {
              next: (r: any) => {
                const title: string | undefined = r.data?.postCreated?.title;
                if (title === undefined) send({ kind: "error", message: `subscriber ${idx}: ${JSON.stringify(r).slice(0, 200)}` });
                else if (title.startsWith(`${marker}-go-${round}`)) {
                  if (!got.has(idx)) got.set(idx, performance.now());
                  if (got.size === n) onAll?.();
                } else gotProbe.add(idx);
              },
              error: (e) => send({ kind: "error", message: `subscriber ${idx}: ${JSON.stringify(e).slice(0, 200)}` }),
              complete: () => {},
            },
          );
        });
      }),
    );
  }
  const token = tokens[0]!;
  const create = (title: string) => call(url, "POST", "/graphql", { query: `mutation($t: String!) { createPost(data: { title: $t }) { id } }`, variables: { t: title } }, token);
  // Probe until every subscription is registered on the server.
  for (let p = 0; gotProbe.size < n; p++) {
    if (p > 300) throw new Error(`only ${gotProbe.size}/${n} subscriptions active`);
    await create(`${marker}-probe-${p}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  send({ kind: "ready", connectMs: Math.round(performance.now() - t0) });
  process.on("message", async (m: ToClients) => {
    if (m.kind === "stop") {
      for (const c of list) c.dispose();
      process.exit(0);
    }
    round = m.round;
    got.clear();
    const all = new Promise<void>((r) => (onAll = r));
    const sent = performance.now();
    await create(`${marker}-go-${round}`);
    const mutationMs = performance.now() - sent;
    await Promise.race([all, new Promise((r) => setTimeout(r, 15_000))]);
    send({ kind: "round", round, latencies: [...got.values()].map((t) => t - sent), mutationMs });
  });
}

// ---------------------------------------------------------------- driver

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => (a && typeof a === "object" ? res(a.port) : rej(new Error("no port"))));
    });
  });
}

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(rest[11]) + Number(rest[12])) / 100;
}

function rssMiB(pid: number): number {
  return Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
}

async function driver(): Promise<number> {
  const start = startCommand(ROOT, DB);
  const entry = start.entry;
  const flags = env.FANOUT_NODE_FLAGS !== undefined ? env.FANOUT_NODE_FLAGS.split(/\s+/).filter(Boolean) : start.flags;
  const dir = mkdtempSync(join(tmpdir(), "cairn-fanout-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let dbUrl = `file:${join(dir, "cairn.db")}`;
  let pgName: string | undefined;
  if (DB === "postgres") {
    const { default: pg } = await import("pg");
    pgName = `cairn_fanout_${process.pid}`;
    const c = new pg.Client(PG_ADMIN);
    await c.connect();
    await c.query(`CREATE DATABASE ${pgName}`);
    await c.end();
    const u = new URL(PG_ADMIN);
    u.pathname = `/${pgName}`;
    dbUrl = u.toString();
  }
  const profDir = join(ROOT, "bench/.tmp/fanout-prof");
  if (env.FANOUT_PROFILE) mkdirSync(profDir, { recursive: true });
  const spawnedAt = performance.now();
  const server = spawn(process.execPath, [...flags, ...(env.FANOUT_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${profDir}`] : []), join(ROOT, entry), "serve"], {
    cwd: ROOT,
    env: {
      ...start.env,
      ...env,
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: dbUrl,
      CAIRN_DATA_DIR: dir,
      LOG_LEVEL: "warn",
      CAIRN_ADMIN_EMAIL: EMAIL,
      CAIRN_ADMIN_PASSWORD: PASSWORD,
      CAIRN_RATE_LIMIT: "false",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  let client: ChildProcess | undefined;
  try {
    for (let i = 0; ; i++) {
      if (i > 600) throw new Error("server did not start");
      if (
        await fetch(`${url}/health`)
          .then((r) => r.ok)
          .catch(() => false)
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const admin = (await call(url, "POST", "/api/v1/auth/login", { email: EMAIL, password: PASSWORD })).access_token as string;
    await call(url, "POST", "/api/v1/collections", { name: "posts", schema: [{ name: "title", type: "text" }], list_rule: "", view_rule: "", create_rule: "" }, admin);
    const tokens = [admin];
    for (let u = 1; u < USERS; u++) {
      await call(url, "POST", "/api/v1/users", { email: `u${u}@example.com`, password: "User-pass-123", name: `U${u}` }, admin).catch(() =>
        call(url, "POST", "/api/v1/auth/register", { email: `u${u}@example.com`, password: "User-pass-123" }),
      );
      tokens.push((await call(url, "POST", "/api/v1/auth/login", { email: `u${u}@example.com`, password: "User-pass-123" })).access_token);
    }
    const idleRss = rssMiB(server.pid!);
    client = fork(fileURLToPath(import.meta.url), ["--clients", url, String(SUBSCRIBERS), ...tokens], { execArgv: ["--import", "tsx"], stdio: "inherit" });
    const inbox: FromClients[] = [];
    let wake: (() => void) | undefined;
    client.on("message", (m: FromClients) => {
      if (m.kind === "error") console.error(`[clients] ${m.message}`);
      else inbox.push(m);
      wake?.();
    });
    client.on("exit", (code) => {
      inbox.push({ kind: "error", message: `client process exited (${code})` });
      wake?.();
    });
    const next = async (): Promise<FromClients> => {
      while (!inbox.length) await new Promise<void>((r) => (wake = r));
      const m = inbox.shift()!;
      if (m.kind === "error") throw new Error(m.message);
      return m;
    };
    const ready = await next();
    console.log(
      `[fanout] db=${DB} subscribers=${SUBSCRIBERS} users=${USERS} rounds=${ROUNDS}; connected in ${(ready as { connectMs: number }).connectMs} ms; server RSS ${idleRss.toFixed(0)} MiB before, ${rssMiB(server.pid!).toFixed(0)} MiB with subscribers; load ${loadavg()[0]!.toFixed(1)}`,
    );
    const roundsFrom = performance.now() - spawnedAt;
    const p50s: number[] = [];
    const p99s: number[] = [];
    const cpus: number[] = [];
    let lost = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const c0 = cpuSeconds(server.pid!);
      client.send({ kind: "go", round: r } satisfies ToClients);
      const res = (await next()) as Extract<FromClients, { kind: "round" }>;
      // The server is done once every subscriber has its message; what it spent includes the mutation.
      const cpuMs = (cpuSeconds(server.pid!) - c0) * 1000;
      const t = res.latencies.sort((a, b) => a - b);
      lost += SUBSCRIBERS - t.length;
      const p50 = percentile(t, 50);
      const p99 = t.length === SUBSCRIBERS ? percentile(t, 99) : Infinity;
      p50s.push(p50);
      p99s.push(p99);
      cpus.push(cpuMs);
      console.log(
        `[fanout] round ${r}: ${t.length}/${SUBSCRIBERS} received, p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms, max ${t.at(-1)?.toFixed(0)} ms, mutation ${res.mutationMs.toFixed(0)} ms, server CPU ${cpuMs.toFixed(0)} ms (${((cpuMs * 1000) / SUBSCRIBERS).toFixed(0)} µs/subscriber)`,
      );
      await new Promise((r) => setTimeout(r, 300));
    }
    console.log(
      `[fanout] median of ${ROUNDS} rounds: p50 ${median(p50s).toFixed(0)} ms, p99 ${median(p99s).toFixed(0)} ms, server CPU ${median(cpus).toFixed(0)} ms per event; peak server RSS ${(Number(/^VmHWM:\s+(\d+)/m.exec(readFileSync(`/proc/${server.pid}/status`, "utf8"))![1]) / 1024).toFixed(0)} MiB; load ${loadavg()[0]!.toFixed(1)} (target p99 < 200 ms: ${median(p99s) < 200 ? "PASS" : "FAIL"})`,
    );
    if (env.FANOUT_PROFILE)
      console.log(`[fanout] rounds ran from ${(roundsFrom / 1000).toFixed(1)} s to ${((performance.now() - spawnedAt) / 1000).toFixed(1)} s after the server was spawned (the profile's window)`);
    return lost ? 1 : 0;
  } finally {
    client?.send({ kind: "stop" } satisfies ToClients);
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
    if (env.FANOUT_PROFILE) for (const f of readdirSync(profDir)) if (f.startsWith("CPU.")) renameSync(join(profDir, f), join(profDir, `fanout-${Date.now()}.cpuprofile`));
    rmSync(dir, { recursive: true, force: true });
    if (pgName) {
      const { default: pg } = await import("pg");
      const c = new pg.Client(PG_ADMIN);
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${pgName} WITH (FORCE)`);
      await c.end();
    }
  }
}

if (process.argv[2] === "--clients") {
  const [url, n, ...tokens] = process.argv.slice(3);
  clients(url!, tokens, Number(n)).catch((e: unknown) => {
    process.send!({ kind: "error", message: String((e as Error)?.stack ?? e) } satisfies FromClients);
    process.exit(1);
  });
} else {
  process.exitCode = await driver();
}
