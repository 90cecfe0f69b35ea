/**
 * Benchmark options, read once from the environment and the command line (the bench's own
 * `config.ts`; the server under test still reads its environment only through src/config.ts).
 *
 *   npm run bench -- --quick   a first look in a few minutes: 1 round, 2 s runs, 2,000 records
 *                              (20,000 for the scale figures); the same checks, noisier figures
 *   BENCH_DB=both          `sqlite`, `postgres`, or `both` (default): each against its own floor
 *   BENCH_ROUNDS=3         interleaved rounds per comparison (floor, Cairn, floor, Cairn, …)
 *   BENCH_DURATION=3       seconds per measured run
 *   BENCH_WARMUP=1         seconds of unmeasured load before each side's first round
 *   BENCH_CONNECTIONS=32   autocannon connections
 *   BENCH_RECORDS=10000    posts seeded into each server (plus 10,000 comments on the newest 2,000)
 *   BENCH_BIG_RECORDS=100000   posts after growing for the scale figures (100k growth, rare-word
 *                          contains, totals, keyset depth); at least 30 × 101 (BENCH_KEYSET_RECORDS
 *                          is read as a fallback)
 *   BENCH_SUBSCRIBERS=1000 graphql-ws subscribers of the fan-out figure
 *   BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres   admin URL (fresh databases per run)
 *   BENCH_SCENARIOS=get,list   run only these workloads of the workloads module (default: all)
 *   BENCH_MODULES=workloads,scale   run only these modules (workloads, schema, fanout, logging,
 *                          webhooks, import, scale; default: all)
 *   BENCH_PROFILE=1        CPU-profile each measured run through the inspector (slower run;
 *                          profiles and summaries under bench/.tmp/prof/; verdicts informational)
 *   BENCH_VERBOSE=1        echo the servers' log lines
 *   BENCH_KEEP=1           keep the run's databases (bench/.tmp/run-*) for inspection
 *   BENCH_CAIRN_ENTRY=f    Cairn's entry file relative to the Cairn root (default: the one npm start runs);
 *                          a .js file (a compiled build) runs on plain node, without tsx
 *   BENCH_CAIRN_NODE_FLAGS="--max-semi-space-size=4"   node flags for the Cairn process instead of
 *                          those `npm start` passes for the database (scripts/start.sh)
 *   BENCH_CAIRN_ROOT=dir   run the Cairn server of another checkout (A/B comparison of a change;
 *                          the directory needs node_modules, e.g. a symlink to this one's)
 */
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

export type Dialect = "sqlite" | "postgres";

export interface BenchOptions {
  readonly quick: boolean;
  /** the databases of this run, in order */
  readonly dbs: readonly Dialect[];
  /** the database being measured (set per database by the runner) */
  readonly db: Dialect;
  readonly rounds: number;
  readonly bigRecords: number;
  readonly subscribers: number;
  readonly duration: number;
  readonly warmup: number;
  readonly connections: number;
  readonly records: number;
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
  /** node flags for the Cairn child instead of those `npm start` passes for the database (BENCH_CAIRN_NODE_FLAGS) */
  readonly cairnNodeFlags: readonly string[] | undefined;
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
 * What `npm start` runs for a database (scripts/start.sh, asked with `--print`: `[NAME=value …]
 * node <flags> <entry> serve`; the young generation is sized per database), so the bench measures
 * the server users run, with the same environment settings (such as `MALLOC_ARENA_MAX`) and node
 * flags (`prebench` builds it).
 */
export function startCommand(root: string, db: Dialect): { entry: string; flags: string[]; env: Record<string, string> } {
  const DATABASE_URL = db === "postgres" ? "postgres://127.0.0.1/cairn" : "file:cairn.db";
  const start = execFileSync("sh", ["scripts/start.sh", "--print"], { cwd: root, env: { PATH: process.env.PATH, DATABASE_URL }, encoding: "utf8" }).trim();
  const words = start.split(/\s+/);
  const assignments = words.slice(0, words.indexOf("node")).filter((w) => /^[A-Z_][A-Z0-9_]*=/.test(w));
  const cmd = words.slice(assignments.length);
  const entry = cmd.find((w) => /\.(js|ts)$/.test(w));
  if (cmd[0] !== "node" || !entry) throw new Error(`cannot read the server command from scripts/start.sh --print: '${start}'`);
  const env = Object.fromEntries(assignments.map((w) => [w.slice(0, w.indexOf("=")), w.slice(w.indexOf("=") + 1)]));
  return { entry, flags: cmd.filter((w) => w.startsWith("--")), env };
}

export function loadOptions(env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = process.argv.slice(2)): BenchOptions {
  const unknown = argv.filter((a) => a !== "--quick");
  if (unknown.length) throw new Error(`unknown argument(s) ${unknown.join(" ")}: the only one is --quick (options are BENCH_* variables, see bench/options.ts)`);
  const quick = argv.includes("--quick") || flag(env, "BENCH_QUICK");
  const which = env.BENCH_DB || "both";
  if (which !== "sqlite" && which !== "postgres" && which !== "both") throw new Error(`BENCH_DB must be sqlite, postgres or both, got '${which}'`);
  const dbs: Dialect[] = which === "both" ? ["sqlite", "postgres"] : [which];
  const root = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
  const records = Math.floor(num(env, "BENCH_RECORDS", quick ? 2_000 : 10_000, 2_000));
  const bigRecords = Math.floor(num(env, env.BENCH_BIG_RECORDS ? "BENCH_BIG_RECORDS" : "BENCH_KEYSET_RECORDS", quick ? 20_000 : 100_000, 3_030));
  if (bigRecords < records) throw new Error(`BENCH_BIG_RECORDS (${bigRecords}) must be at least BENCH_RECORDS (${records})`);
  return Object.freeze({
    quick,
    dbs,
    db: dbs[0]!,
    rounds: Math.floor(num(env, "BENCH_ROUNDS", quick ? 1 : 3, 1)),
    bigRecords,
    subscribers: Math.floor(num(env, "BENCH_SUBSCRIBERS", 1000, 1)),
    duration: num(env, "BENCH_DURATION", quick ? 2 : 3, 1),
    warmup: num(env, "BENCH_WARMUP", 1, 0),
    connections: Math.floor(num(env, "BENCH_CONNECTIONS", 32, 1)),
    records,
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
    cairnEntry: env.BENCH_CAIRN_ENTRY || startCommand(root, dbs[0]!).entry,
    cairnNodeFlags: env.BENCH_CAIRN_NODE_FLAGS?.split(/\s+/).filter(Boolean),
    tmp: `${root}/bench/.tmp`,
  });
}
