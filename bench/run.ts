/**
 * `npm run bench` (issue 8 part 10): Cairn against a hand-written floor, on SQLite and on
 * PostgreSQL, each against its own floor (bench/floor.ts). For each database:
 *
 * 1. Starts Cairn (what `npm start` runs) and the floor on fresh databases (bench/servers.ts);
 *    Cairn's RSS one second after it answers /health is its idle RSS.
 * 2. Seeds both with the same rows (bench/data.ts): Cairn through its public APIs, the floor
 *    directly.
 * 3. Runs the modules in order, each `run(ctx: BenchContext)` (bench/context.ts): workloads
 *    (Cairn ÷ floor in interleaved rounds), schema (once per run), fanout, logging (SQLite),
 *    the optional webhooks and import modules when their files exist, scale (posts grown to
 *    100,000). A module returns `rows` (printed as a table, judged on their targets and tails)
 *    and/or `checks` (judged as they are).
 * 4. Prints the table and the checks, with Cairn's idle and peak RSS.
 *
 * Then the verdict over both databases: any FAIL (a missed target, a non-2xx answer, a module
 * error) prints FAIL with the list and exits 1. Results go to bench/.tmp/latest.json.
 * Options: bench/options.ts (`npm run bench -- --quick`, BENCH_DB, BENCH_ROUNDS, …).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { existsSync } from "node:fs";
import type { BenchContext, BenchModule, BenchTarget, ScenarioRow, TargetName } from "./context.ts";
import { COLLECTION } from "./data.ts";
import { runLoad, type LoadResult } from "./load.ts";
import { loadOptions, type BenchOptions, type Dialect } from "./options.ts";
import { formatSummary, HOT_PATH, InspectorSession, summarize } from "./profiler.ts";
import { formatChecks, formatTable, memoryChecks, rowChecks, tailCheck, type Check } from "./report.ts";
import { createCollections, login, raiseRateLimits, seedCairn } from "./seed.ts";
import type { ServerProcess } from "./proc.ts";
import { ADMIN_EMAIL, ADMIN_PASSWORD, startPair, type ServerPair } from "./servers.ts";

/** Modules in run order; optional ones are skipped when their file is absent. */
const MODULES: { name: string; file: string; optional: boolean; once?: boolean; only?: Dialect }[] = [
  { name: "workloads", file: "workloads.ts", optional: false },
  { name: "schema", file: "schema.ts", optional: false, once: true },
  { name: "fanout", file: "fanout.ts", optional: false },
  { name: "logging", file: "logging.ts", optional: true, only: "sqlite" },
  { name: "webhooks", file: "webhooks.ts", optional: true },
  { name: "import", file: "import.ts", optional: true },
  { name: "scale", file: "scale.ts", optional: false },
];
const FULL_RUN_LIMIT_S = 15 * 60;

const all = loadOptions();
const log = (msg: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);
const fmt = (r: LoadResult) =>
  `${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, server CPU ${r.cpuUsPerReq?.toFixed(0) ?? "?"} µs/req${r.rampSeconds !== undefined ? ` (after ${r.rampSeconds.toFixed(1)} s of ramp)` : ""}${r.non2xx + r.errors + r.timeouts ? `, ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts` : ""}`;

mkdirSync(all.tmp, { recursive: true });
const runDir = mkdtempSync(join(all.tmp, "run-"));
let current: ServerPair | undefined;
process.on("exit", () => {
  for (const s of [current?.cairn, current?.floor]) if (s && s.child.exitCode === null) s.child.kill("SIGKILL");
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(130));

interface DbResult {
  rows: ScenarioRow[];
  checks: Check[];
  results: Record<string, Record<string, unknown>>;
  rssPhases: Record<string, number>;
  floorPeakRssMiB: number;
  cairnCommand: string;
  seconds: number;
  serverProblems: string[];
}

/**
 * Cairn ÷ its own req/s at BENCH_RECORDS, for get at BENCH_BIG_RECORDS (informational). Not for
 * the list: at BENCH_RECORDS it repeats one request, answered from Cairn's list cache, while the
 * list at the big size is measured uncached (its own row against the floor), so their ratio would
 * compare the cache with a count of every row.
 */
function growthChecks(rows: ScenarioRow[], big: number): Check[] {
  const out: Check[] = [];
  for (const name of ["get"]) {
    const small = rows.find((r) => r.scenario === name);
    const large = rows.find((r) => r.scenario.startsWith(`${name} @ `));
    if (!small?.floor || !large?.floor) continue;
    out.push({
      name: `growth ${all.records} → ${big}: ${name}`,
      value: `${(large.cairn.rps / small.cairn.rps).toFixed(2)}× req/s`,
      target: "report",
      verdict: "info",
      note: `Cairn ${small.cairn.rps.toFixed(0)} → ${large.cairn.rps.toFixed(0)} req/s; floor ${small.floor.rps.toFixed(0)} → ${large.floor.rps.toFixed(0)} req/s (${(large.floor.rps / small.floor.rps).toFixed(2)}×)`,
    });
  }
  return out;
}

/**
 * Waits until every server is idle: `/health` answers (a server running its SQL synchronously,
 * as both do on SQLite, answers only after the requests queued before it), the process used
 * under 15% of a core over 250 ms and, on PostgreSQL, no statement of theirs is still running in
 * the database (`activeStatements`) — at most 60 s. A run whose requests outlast it leaves the
 * server, or its database, working on them after autocannon closed the connections: on
 * PostgreSQL the floor's full scans of 100,000 rows went on for seconds into Cairn's next round
 * and made its p99 13× its p50. Returns the seconds waited.
 */
async function settle(servers: ServerProcess[], activeStatements: () => Promise<number> = async () => 0): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < 60_000) {
    const before = servers.map((s) => s.cpuSeconds());
    const t0 = Date.now();
    await Promise.all(servers.map((s) => fetch(`${s.url}/health`, { signal: AbortSignal.timeout(30_000) }).catch(() => undefined)));
    const wait = 250 - (Date.now() - t0);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const seconds = (Date.now() - t0) / 1000;
    if (servers.every((s, i) => s.cpuSeconds() - before[i]! < seconds * 0.15) && (await activeStatements()) === 0) break;
  }
  return (Date.now() - started) / 1000;
}

async function runDb(opts: BenchOptions, ranOnce: Set<string>): Promise<DbResult> {
  const started = Date.now();
  const dir = join(runDir, opts.db);
  mkdirSync(dir, { recursive: true });
  const pair = (current = await startPair(opts, dir, log));
  const { cairn, floor } = pair;
  try {
    log(`${opts.db}: cairn pid ${cairn.pid} (${pair.cairnCommand}) at ${cairn.url}, floor pid ${floor.pid} at ${floor.url}; up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    // idle: one second after start-up, before any request (what a freshly started instance holds)
    await new Promise((r) => setTimeout(r, 1000));
    const rssPhases: Record<string, number> = { idle: cairn.rssMiB(), startupPeak: cairn.peakRssMiB() };

    const token = await login(cairn.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    log(await raiseRateLimits(cairn.url, token));
    await createCollections(cairn.url, token);
    const seedStart = Date.now();
    const floorSeed = fetch(`${floor.url}/_bench/seed`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ from: 0, to: opts.records, commented: 2000 }) }).then(
      async (r) => (r.ok ? ((await r.json()) as { ids: string[] }).ids : Promise.reject(new Error(`floor seeding failed: ${r.status} ${await r.text()}`))),
    );
    floorSeed.catch(() => {}); // awaited below; a failure meanwhile must not be an unhandled rejection
    const ids = await seedCairn(cairn.url, token, 0, opts.records, { commented: 2000 });
    const floorIds = await floorSeed;
    log(`${opts.db}: seeded ${ids.length} posts and ${Math.min(2000, ids.length) * 5} comments in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`);
    rssPhases.seed = cairn.peakRssMiB();

    const inspectors: Partial<Record<TargetName, InspectorSession>> = opts.profile
      ? { cairn: await InspectorSession.connect(pair.inspectPorts.cairn), floor: await InspectorSession.connect(pair.inspectPorts.floor) }
      : {};
    const profDir = join(opts.tmp, "prof");
    if (opts.profile) mkdirSync(profDir, { recursive: true });
    const targets: Record<TargetName, BenchTarget> = { cairn: { name: "cairn", url: cairn.url, token, ids }, floor: { name: "floor", url: floor.url, token, ids: floorIds } };
    const ctx: BenchContext = {
      url: cairn.url,
      token,
      collection: COLLECTION,
      ids,
      cairn: targets.cairn,
      floor: targets.floor,
      options: opts,
      log,
      settle: () => settle([cairn, floor], pair.activeStatements),
      async startCairn(name, env) {
        const server = await pair.startCairn(name, env, join(dir, `${name}.log`));
        log(
          `${name} pid ${server.pid} at ${server.url} (${Object.entries(env)
            .map(([k, v]) => `${k}=${v}`)
            .join(" ")})`,
        );
        return { url: server.url, cpuSeconds: () => server.cpuSeconds(), stop: () => server.stop() };
      },
      async measure(target, label, spec) {
        const { warmup = opts.warmup, ...rest } = spec;
        const full = { connections: opts.connections, duration: opts.duration, ...rest, url: targets[target].url };
        // requests a previous run abandoned (its connections closed, the server still busy with them) must not load this one
        const waited = await settle([cairn, floor], pair.activeStatements);
        if (waited > 1) log(`waited ${waited.toFixed(1)} s for the servers to finish earlier requests`);
        const inspector = inspectors[target];
        if (inspector) await inspector.start();
        const server = target === "cairn" ? cairn : floor;
        // one run: the warm-up and the connections' ramp, then the measured window (bench/load.ts)
        let r = await runLoad({ ...full, warmup, cpuSeconds: () => server.cpuSeconds() });
        if (r.requests < full.connections && r.errors + r.timeouts === 0 && !full.sequence) {
          // fewer completions than connections: most requests outlasted the run and were not
          // counted; measure a fixed number of whole requests instead (one per connection)
          log(`${target} ${label}: ${r.requests} requests in ${r.seconds.toFixed(1)} s, too few to measure; measuring ${full.connections} whole requests instead`);
          await settle([cairn, floor], pair.activeStatements);
          const cpuBefore = server.cpuSeconds();
          r = await runLoad({ ...full, amount: full.connections });
          r.cpuUsPerReq = r.requests ? ((server.cpuSeconds() - cpuBefore) * 1e6) / r.requests : undefined;
        }
        if (inspector) {
          const file = join(profDir, `${opts.db}-${target}-${label.replace(/[^\w.-]+/g, "_")}.cpuprofile`);
          const profile = await inspector.stop();
          writeFileSync(file, JSON.stringify(profile));
          writeFileSync(file.replace(/\.cpuprofile$/, ".txt"), formatSummary(`${target} ${label} (${file})`, summarize(profile, 30, HOT_PATH)) + "\n");
        }
        // Cairn's peak so far: which workload raised the run's peak RSS
        log(`${target.padEnd(5)} ${label}: ${fmt(r)}${target === "cairn" ? `, peak RSS so far ${cairn.peakRssMiB().toFixed(1)} MiB` : ""}`);
        return r;
      },
    };

    const results: Record<string, Record<string, unknown>> = {};
    const checks: Check[] = [];
    for (const m of MODULES) {
      if (opts.modules && !opts.modules.includes(m.name)) continue;
      if ((m.only && m.only !== opts.db) || (m.once && ranOnce.has(m.name))) continue;
      const file = join(opts.root, "bench", m.file);
      if (!existsSync(file)) {
        if (!m.optional) throw new Error(`bench module ${m.file} is missing`);
        log(`module ${m.name}: ${m.file} absent, skipped`);
        continue;
      }
      log(`${opts.db}: module ${m.name}`);
      ranOnce.add(m.name);
      try {
        const r = await ((await import(pathToFileURL(file).href)) as BenchModule).run(ctx);
        results[m.name] = r;
        if (Array.isArray(r.checks)) checks.push(...(r.checks as Check[]));
        // a module without checks may judge itself as `{ verdict, target }` (kept for older modules)
        else if (typeof r.verdict === "string") checks.push({ name: `module ${m.name}`, value: String(r.verdict), target: String(r.target ?? "-"), verdict: r.verdict as Check["verdict"] });
      } catch (e) {
        const err = e instanceof Error ? (e.stack ?? e.message) : String(e);
        log(`module ${m.name} failed: ${err}`);
        checks.push({ name: `module ${m.name}`, value: "error", target: "runs", verdict: "FAIL", note: err.split("\n")[0] });
      }
      rssPhases[m.name] = cairn.peakRssMiB();
    }
    for (const i of Object.values(inspectors)) i.close();
    const peak = cairn.peakRssMiB();
    const floorPeakRssMiB = floor.peakRssMiB();
    const enforce = !opts.profile;
    const rows = Object.values(results).flatMap((r) => (Array.isArray(r.rows) ? (r.rows as ScenarioRow[]) : []));
    const allChecks = [...rowChecks(rows, enforce), ...checks, tailCheck(rows, enforce), ...growthChecks(rows, opts.bigRecords), ...memoryChecks(opts.db, rssPhases.idle!, peak, enforce)];
    if (cairn.problems.length)
      allChecks.push({ name: "server log", value: `${cairn.problems.length} warn/error lines`, target: "none", verdict: "info", note: cairn.problems.slice(0, 3).join(" | ") });
    if (floor.problems.length) allChecks.push({ name: "floor log", value: `${floor.problems.length} stderr lines`, target: "none", verdict: "info", note: floor.problems.slice(0, 3).join(" | ") });
    return { rows, checks: allChecks, results, rssPhases, floorPeakRssMiB, cairnCommand: pair.cairnCommand, seconds: (Date.now() - started) / 1000, serverProblems: cairn.problems.slice(0, 20) };
  } finally {
    await pair.stop();
    current = undefined;
  }
}

async function main(): Promise<number> {
  const started = Date.now();
  const loadBefore = loadavg();
  log(
    `${all.quick ? "QUICK " : ""}run: ${all.dbs.join(" + ")}, ${all.records} posts (scale: ${all.bigRecords}), ${all.connections} connections, ${all.rounds} round(s) of ${all.duration} s (warm-up ${all.warmup} s), load ${loadBefore.map((l) => l.toFixed(1)).join(" ")} on ${cpus().length} cores`,
  );
  const byDb: Partial<Record<Dialect, DbResult>> = {};
  const ranOnce = new Set<string>();
  try {
    for (const db of all.dbs) byDb[db] = await runDb({ ...all, db }, ranOnce);
  } finally {
    if (all.keep) log(`databases kept in ${runDir}`);
    else rmSync(runDir, { recursive: true, force: true });
  }
  const seconds = (Date.now() - started) / 1000;
  const loadAfter = loadavg();
  const failed: string[] = [];
  for (const db of all.dbs) {
    const r = byDb[db]!;
    console.log(`\n=== ${db}: Cairn vs its floor (Fastify + ${db === "sqlite" ? "better-sqlite3" : "pg"}, hand-written SQL) — ${((r.seconds / 60) * 1).toFixed(1)} min ===`);
    console.log(formatTable(r.rows, r.checks));
    console.log("");
    console.log(formatChecks(r.checks));
    console.log(
      `Cairn RSS by phase (MiB; idle = current, then peaks): ${Object.entries(r.rssPhases)
        .map(([k, v]) => `${k} ${v.toFixed(1)}`)
        .join(", ")}; floor peak ${r.floorPeakRssMiB.toFixed(1)} MiB`,
    );
    for (const c of r.checks) if (c.verdict === "FAIL") failed.push(`${db}: ${c.name} (${c.value}, target ${c.target})`);
  }
  if (!all.quick && all.dbs.length === 2 && !all.modules && !all.scenarios && seconds > FULL_RUN_LIMIT_S) failed.push(`run time ${(seconds / 60).toFixed(1)} min (target < 15 min)`);
  const load = `load ${loadBefore[0]!.toFixed(1)} before, ${loadAfter[0]!.toFixed(1)} after, ${cpus().length} cores`;
  console.log(`\nrun time ${(seconds / 60).toFixed(1)} min; ${load}${loadBefore[0]! > cpus().length * 0.5 ? " — the machine was busy: compare ratios and the CPU columns" : ""}`);
  writeFileSync(
    join(all.tmp, "latest.json"),
    JSON.stringify(
      {
        date: new Date().toISOString(),
        quick: all.quick,
        options: { dbs: all.dbs, records: all.records, bigRecords: all.bigRecords, connections: all.connections, rounds: all.rounds, duration: all.duration, warmup: all.warmup, profile: all.profile },
        machine: { cpus: cpus().length, node: process.version, loadavgBefore: loadBefore, loadavgAfter: loadAfter },
        seconds,
        databases: byDb,
        failed,
        passed: failed.length === 0,
      },
      null,
      2,
    ) + "\n",
  );
  if (failed.length) console.log(`\nFAIL — ${failed.length} missed:\n${failed.map((f) => `  - ${f}`).join("\n")}`);
  else console.log("\nPASS — every target met");
  console.log("results: bench/.tmp/latest.json");
  return failed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
