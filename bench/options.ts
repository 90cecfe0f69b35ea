/**
 * Benchmark options, read once from the environment (the bench's own `config.ts`; the server
 * under test still reads its environment only through src/config.ts).
 *
 *   BENCH_DURATION=10      seconds per measured scenario
 *   BENCH_WARMUP=2         seconds of unmeasured load before each scenario
 *   BENCH_CONNECTIONS=32   autocannon connections
 *   BENCH_RECORDS=10000    records seeded into each server
 *   BENCH_DB=sqlite        or `postgres`: Cairn on a fresh PostgreSQL database (informational)
 *   BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres   admin URL for BENCH_DB=postgres
 *   BENCH_SCENARIOS=get,list,create   run only these REST scenarios (default: all)
 *   BENCH_MODULES=keyset   run only these modules (rest, graphql, logging, keyset; default: all). A run of
 *                          keyset alone skips the shared seed: `BENCH_MODULES=keyset npm run bench`
 *   BENCH_KEYSET_RECORDS=100000   records the keyset module seeds (at least 90,030)
 *   BENCH_PROFILE=1        CPU-profile each Cairn scenario through the inspector (slower run;
 *                          profiles and summaries under bench/.tmp/prof/)
 *   BENCH_VERBOSE=1        echo the servers' log lines
 *   BENCH_KEEP=1           keep the run's databases (bench/.tmp/run-*) for inspection
 *   BENCH_CAIRN_ENTRY=f    Cairn's entry file relative to the Cairn root (default: the one npm start runs);
 *                          a .js file (a compiled build) runs on plain node, without tsx
 *   BENCH_CAIRN_NODE_FLAGS="--max-semi-space-size=4"   extra node flags for the Cairn process only
 *   BENCH_CAIRN_ROOT=dir   run the Cairn server of another checkout (A/B comparison of a change;
 *                          the directory needs node_modules, e.g. a symlink to this one's)
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

export interface BenchOptions {
  readonly duration: number;
  readonly warmup: number;
  readonly connections: number;
  readonly records: number;
  readonly db: "sqlite" | "postgres";
  readonly pgAdminUrl: string;
  readonly scenarios: readonly string[] | undefined;
  /** modules to run (undefined: all) */
  readonly modules: readonly string[] | undefined;
  readonly profile: boolean;
  readonly verbose: boolean;
  readonly keep: boolean;
  /** repository root */
  readonly root: string;
  /** checkout whose Cairn server is measured (default: root) */
  readonly cairnRoot: string;
  /** Cairn's CLI entry, relative to cairnRoot */
  readonly cairnEntry: string;
  /** extra node flags for the Cairn child */
  readonly cairnNodeFlags: readonly string[];
  /** scratch directory (git-ignored): databases, seed file, results, profiles */
  readonly tmp: string;
}

function num(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name} must be a number ≥ ${min}, got '${raw}'`);
  return n;
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = (env[name] ?? "").toLowerCase();
  return raw === "1" || raw === "true" || raw === "yes";
}

/**
 * What `npm start` runs (package.json `scripts.start`: `node <flags> <entry> serve`), so the bench
 * measures the server users run, with the same node flags (`prebench` builds it).
 */
function startCommand(root: string): { entry: string; flags: string[] } {
  const start: string = JSON.parse(readFileSync(`${root}/package.json`, "utf8")).scripts.start;
  const words = start.split(/\s+/);
  const entry = words.find((w) => /\.(js|ts)$/.test(w));
  if (words[0] !== "node" || !entry) throw new Error(`cannot read the server command from scripts.start: '${start}'`);
  return { entry, flags: words.filter((w) => w.startsWith("--")) };
}

export function loadOptions(env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const db = env.BENCH_DB || "sqlite";
  if (db !== "sqlite" && db !== "postgres") throw new Error(`BENCH_DB must be sqlite or postgres, got '${db}'`);
  const root = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
  return Object.freeze({
    duration: num(env, "BENCH_DURATION", 10, 1),
    warmup: num(env, "BENCH_WARMUP", 2, 0),
    connections: Math.floor(num(env, "BENCH_CONNECTIONS", 32, 1)),
    records: Math.floor(num(env, "BENCH_RECORDS", 10_000, 100)),
    db,
    pgAdminUrl: env.BENCH_PG_URL || "postgres://postgres@127.0.0.1:5432/postgres",
    scenarios: env.BENCH_SCENARIOS
      ? env.BENCH_SCENARIOS.split(",")
          .map((s) => s.trim())
          .filter(Boolean)
      : undefined,
    modules: env.BENCH_MODULES
      ? env.BENCH_MODULES.split(",")
          .map((s) => s.trim())
          .filter(Boolean)
      : undefined,
    profile: flag(env, "BENCH_PROFILE"),
    verbose: flag(env, "BENCH_VERBOSE"),
    keep: flag(env, "BENCH_KEEP"),
    root,
    cairnRoot: env.BENCH_CAIRN_ROOT ? resolve(env.BENCH_CAIRN_ROOT) : root,
    cairnEntry: env.BENCH_CAIRN_ENTRY || startCommand(root).entry,
    cairnNodeFlags: (env.BENCH_CAIRN_NODE_FLAGS ?? startCommand(root).flags.join(" ")).split(/\s+/).filter(Boolean),
    tmp: `${root}/bench/.tmp`,
  });
}
