/**
 * A/B of Cairn server configurations (not part of `npm run bench`): the same seeded database
 * served by several Cairn processes that differ in node flags, environment or build, measured in
 * interleaved rounds (A, B, C, A, B, C, …) by server CPU time per request, req/s, p50/p99 and
 * resident memory (idle one second after start, and the peak). On a shared machine CPU per
 * request is the steadier figure; every configuration sees about the same load in each round.
 *
 *   npx tsx bench/ab.ts 'base:' 'arena:MALLOC_ARENA_MAX=2' 'old:--max-old-space-size=64'
 *
 * Each argument is `name:` followed by space-separated words: `--flags` for node (added to the
 * flags of `npm start`; `--no-start-flags` drops those), `KEY=value` for the environment, and
 * `entry=path.js` for another build (default: the one `npm start` runs). Options (environment):
 * AB_DB=sqlite|postgres, AB_NO_CACHE=1 (every request says `Cache-Control: no-cache`: the list cache is bypassed), AB_WORKLOADS=get,list,contains,rare,sortid,nested,create,bulk,search (default
 * get,contains,create), AB_STDOUT_DIR=dir (each server's stdout to <dir>/<name>.log), AB_KEEP=1
 * (keep the seeded SQLite files under bench/.tmp), AB_ROUNDS=3, AB_DURATION=3, AB_CONNECTIONS=32,
 * AB_RECORDS=10000.
 */
import { randomBytes } from "node:crypto";
import { cpSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { bulkBody, COLLECTION, CONTAINS_WORD, createBody, DRAFTS, LIST_QUERY, NESTED_QUERY, RARE_WORD, SEARCH_TERM } from "./data.ts";
import { runLoad, type LoadResult, type LoadSpec } from "./load.ts";
import { startCommand } from "./options.ts";
import { createPgDatabase } from "./pg.ts";
import { freePort, startServer, type ServerProcess } from "./proc.ts";
import { median } from "./rounds.ts";
import { createCollections, login, raiseRateLimits, seedCairn } from "./seed.ts";
import { ADMIN_EMAIL, ADMIN_PASSWORD } from "./servers.ts";

const env = process.env;
const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const db = env.AB_DB === "postgres" ? "postgres" : "sqlite";
const rounds = Number(env.AB_ROUNDS ?? 3);
const duration = Number(env.AB_DURATION ?? 3);
const connections = Number(env.AB_CONNECTIONS ?? 32);
const records = Number(env.AB_RECORDS ?? 10_000);
const wanted = (env.AB_WORKLOADS ?? "get,contains,create").split(",").filter(Boolean);

const { entry: startEntry, flags: startFlags, env: startEnv } = startCommand(root, db);

interface Config {
  name: string;
  flags: string[];
  env: Record<string, string>;
  entry: string;
}

function parseConfig(arg: string): Config {
  const i = arg.indexOf(":");
  if (i < 1) throw new Error(`'${arg}': expected name:words`);
  const words = arg
    .slice(i + 1)
    .split(/\s+/)
    .filter(Boolean);
  const own = words.filter((w) => w.startsWith("--") && w !== "--no-start-flags");
  const cfg: Config = { name: arg.slice(0, i), flags: words.includes("--no-start-flags") ? own : [...startFlags, ...own], env: { ...startEnv }, entry: startEntry };
  for (const w of words.filter((x) => !x.startsWith("--"))) {
    const [k, ...v] = w.split("=");
    if (k === "entry") cfg.entry = v.join("=");
    else cfg.env[k!] = v.join("=");
  }
  return cfg;
}

const configs = process.argv.slice(2).map(parseConfig);
if (configs.length === 0) throw new Error("name at least one configuration, e.g. 'base:'");
const log = (m: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`);
const tmp = join(root, "bench/.tmp", `ab-${randomBytes(3).toString("hex")}`);
const secret = randomBytes(32).toString("base64url");
const baseEnv = { ...env, HOST: "127.0.0.1", CAIRN_ADMIN_EMAIL: ADMIN_EMAIL, CAIRN_ADMIN_PASSWORD: ADMIN_PASSWORD, CAIRN_SECRET: secret, LOG_LEVEL: "warn", NODE_ENV: "production" };
const dropPg: (() => Promise<void>)[] = [];

async function launch(cfg: Config, dataDir: string, dbUrl: string): Promise<ServerProcess> {
  const port = await freePort();
  return startServer({
    name: cfg.name,
    args: [cfg.entry, "serve"],
    tsx: !cfg.entry.endsWith(".js"),
    cwd: root,
    port,
    nodeFlags: cfg.flags,
    env: { ...baseEnv, ...cfg.env, PORT: String(port), CAIRN_DATA_DIR: dataDir, DATABASE_URL: dbUrl },
    ...(env.AB_STDOUT_DIR ? { stdoutFile: join(env.AB_STDOUT_DIR, `${cfg.name}.log`) } : {}),
  });
}

/** One seeded database per configuration (SQLite: copies of one file; PostgreSQL: template copies). */
async function prepare(): Promise<{ urls: string[]; ids: string[]; token: string }> {
  const seedDir = join(tmp, "seed");
  mkdirSync(seedDir, { recursive: true });
  let seedUrl = `file:${join(seedDir, "cairn.db")}`;
  if (db === "postgres") {
    const d = await createPgDatabase(env.AB_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");
    dropPg.push(d.drop);
    seedUrl = d.url;
  }
  const seeder = await launch(configs[0]!, seedDir, seedUrl);
  let ids: string[];
  // The seeder's session serves every configuration (same secret, copied database): a login on
  // the first configuration's server hashed a password there and left it larger and slower.
  let token: string;
  try {
    token = await login(seeder.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await raiseRateLimits(seeder.url, token);
    await createCollections(seeder.url, token);
    ids = await seedCairn(seeder.url, token, 0, records, { commented: Math.min(2000, records) });
  } finally {
    await seeder.stop();
  }
  const urls: string[] = [];
  for (const [i] of configs.entries()) {
    const dir = join(tmp, `c${i}`);
    if (db === "sqlite") {
      cpSync(seedDir, dir, { recursive: true });
      urls.push(`file:${join(dir, "cairn.db")}`);
    } else {
      mkdirSync(dir, { recursive: true });
      const name = `${new URL(seedUrl).pathname.slice(1)}_c${i}`;
      const pg = (await import("pg")).default;
      const admin = new pg.Client({ connectionString: env.AB_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres" });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${new URL(seedUrl).pathname.slice(1)}`);
      await admin.end();
      dropPg.push(async () => {
        const c = new pg.Client({ connectionString: env.AB_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres" });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      });
      const u = new URL(seedUrl);
      u.pathname = `/${name}`;
      urls.push(u.toString());
    }
  }
  return { urls, ids, token };
}

const base = `/api/v1/collections/${COLLECTION}/records`;
const qs = (o: Record<string, string | number>) => new URLSearchParams(Object.entries(o).map(([k, v]) => [k, String(v)])).toString();
const json = { "content-type": "application/json" };

function workload(name: string, ids: string[]): Omit<LoadSpec, "url" | "connections" | "duration"> {
  let i = 0;
  switch (name) {
    case "get":
      return { method: "GET", path: () => `${base}/${ids[i++ % ids.length]}` };
    case "list":
      return { method: "GET", path: `${base}?${qs(LIST_QUERY)}` };
    case "contains":
      return { method: "GET", path: `${base}?${qs({ filter: `title~"${CONTAINS_WORD}"`, sort: "id", per_page: 30 })}` };
    case "rare":
      return { method: "GET", path: `${base}?${qs({ filter: `title~"${RARE_WORD}"`, sort: "id", per_page: 30 })}` };
    case "sortid":
      return { method: "GET", path: `${base}?${qs({ sort: "id", per_page: 30, skip_total: "true" })}` };
    case "search":
      return { method: "GET", path: `${base}?${qs({ search: SEARCH_TERM, per_page: 30 })}` };
    case "nested":
      return { method: "POST", path: "/graphql", headers: json, body: JSON.stringify({ query: NESTED_QUERY }) };
    case "create":
      return { method: "POST", path: `/api/v1/collections/${DRAFTS}/records`, headers: json, body: JSON.stringify(createBody) };
    case "bulk":
      return { method: "POST", path: "/graphql", headers: json, body: bulkBody };
    default:
      throw new Error(`unknown workload ${name}`);
  }
}

async function main(): Promise<void> {
  log(
    `load ${readFileSync("/proc/loadavg", "utf8").trim()}; ${db}, ${records} posts; configurations: ${configs
      .map(
        (c) =>
          `${c.name} = ${Object.entries(c.env)
            .map(([k, v]) => `${k}=${v} `)
            .join("")}node ${c.flags.join(" ")} ${c.entry}`,
      )
      .join(" | ")}`,
  );
  const { urls, ids, token } = await prepare();
  const servers: ServerProcess[] = [];
  try {
    for (const [i, c] of configs.entries()) servers.push(await launch(c, join(tmp, `c${i}`), urls[i]!));
    await new Promise((r) => setTimeout(r, 1000));
    const idle = servers.map((s) => s.rssMiB());
    log(`idle RSS (1 s after start): ${configs.map((c, i) => `${c.name} ${idle[i]!.toFixed(1)} MiB`).join(", ")}`);
    const results: Record<string, LoadResult[][]> = {};
    for (const w of wanted) {
      results[w] = configs.map(() => []);
      for (const s of servers) {
        const spec = workload(w, ids);
        await runLoad({ ...spec, headers: { authorization: `Bearer ${token}`, ...(env.AB_NO_CACHE ? { "cache-control": "no-cache" } : {}), ...spec.headers }, url: s.url, connections, duration: 1 }); // warm-up
      }
      for (let r = 0; r < rounds; r++) {
        // each round starts with the next configuration, so none always follows the same one
        for (const i of servers.map((_, k) => (k + r) % servers.length)) {
          const s = servers[i]!;
          const spec = workload(w, ids);
          const res = await runLoad({
            ...spec,
            headers: { authorization: `Bearer ${token}`, ...(env.AB_NO_CACHE ? { "cache-control": "no-cache" } : {}), ...spec.headers },
            url: s.url,
            connections,
            duration,
            cpuSeconds: () => s.cpuSeconds(),
          });
          if (res.non2xx || res.errors) log(`${w} ${configs[i]!.name}: ${res.non2xx} non-2xx ${JSON.stringify(res.statuses)}, ${res.errors} errors`);
          results[w]![i]!.push(res);
          await new Promise((r) => setTimeout(r, 300));
        }
      }
      const line = configs
        .map((c, i) => {
          const rs = results[w]![i]!;
          return `${c.name}: ${median(rs.map((x) => x.cpuUsPerReq!)).toFixed(0)} µs/req [${rs.map((x) => x.cpuUsPerReq!.toFixed(0)).join(",")}], ${median(rs.map((x) => x.rps)).toFixed(0)} req/s, p50/p99 ${median(rs.map((x) => x.p50))}/${median(rs.map((x) => x.p99))} ms, peak ${servers[i]!.peakRssMiB().toFixed(1)} MiB`;
        })
        .join(" | ");
      log(`${w}: ${line}`);
    }
    log(
      `peak RSS: ${configs.map((c, i) => `${c.name} ${servers[i]!.peakRssMiB().toFixed(1)} MiB (now ${servers[i]!.rssMiB().toFixed(1)})`).join(", ")}; load ${readFileSync("/proc/loadavg", "utf8").trim()}`,
    );
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    for (const d of dropPg.reverse()) await d().catch(() => {});
    if (!env.AB_KEEP) rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
