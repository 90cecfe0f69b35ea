/**
 * `npm run bench`: Cairn against the floor (issue 2 part 10).
 *
 * 1. Writes the deterministic seed (bench/data.ts) and starts two child processes: Cairn
 *    (`src/cli.ts serve`, or bench/server.ts while the CLI is absent) on a fresh SQLite file
 *    (or, with BENCH_DB=postgres, a fresh PostgreSQL database) and the floor (bench/floor.ts),
 *    which seeds itself with the same rows.
 * 2. Seeds Cairn through its REST API (collection + records).
 * 3. Runs the scenario modules in order — bench/rest.ts, bench/graphql.ts when it exists, then
 *    bench/keyset.ts (cursor depth on its own 100,000-record collection) — each getting a BenchContext (bench/context.ts) with Cairn's URL and a superadmin token.
 * 4. Prints req/s, p50, p99 and the Cairn/floor ratio per scenario, Cairn's peak RSS, and the
 *    verdicts against the targets; writes everything to bench/.tmp/latest.json. Exit code 1
 *    when a check fails (ratios and RSS are informational on PostgreSQL; errors never are).
 *
 * Options: see bench/options.ts (BENCH_DURATION, BENCH_CONNECTIONS, BENCH_DB, BENCH_MODULES,
 * BENCH_PROFILE…).
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { v7 as uuidv7 } from "uuid";
import type { BenchContext, BenchModule, BenchTarget, ScenarioRow, TargetName } from "./context.ts";
import { COLLECTION, generatePosts } from "./data.ts";
import { runLoad, type LoadResult } from "./load.ts";
import { loadOptions } from "./options.ts";
import { createPgDatabase } from "./pg.ts";
import { freePort, startServer, type ServerProcess } from "./proc.ts";
import { formatSummary, HOT_PATH, InspectorSession, summarize } from "./profiler.ts";
import { checks, formatTable, type Check } from "./report.ts";
import { login, raiseRateLimits, seedCairn } from "./seed.ts";

const ADMIN_EMAIL = "bench@example.com";
const ADMIN_PASSWORD = "Bench-pass-123";
const DEFAULT_ACCOUNT_ID = "default";

/** Scenario modules, run in this order; optional ones are skipped when their file is absent. */
const MODULES: { name: string; file: string; optional: boolean }[] = [
  { name: "rest", file: "rest.ts", optional: false },
  { name: "graphql", file: "graphql.ts", optional: true },
  { name: "logging", file: "logging.ts", optional: true },
  { name: "keyset", file: "keyset.ts", optional: false },
];

const opts = loadOptions();
const log = (msg: string) => console.log(`[bench] ${msg}`);
const fmt = (r: LoadResult) =>
  `${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, server CPU ${r.cpuUsPerReq?.toFixed(0) ?? "?"} µs/req${r.non2xx + r.errors + r.timeouts ? `, ${r.non2xx} non-2xx, ${r.errors} errors` : ""}`;

mkdirSync(opts.tmp, { recursive: true });
const runDir = mkdtempSync(join(opts.tmp, "run-"));
const servers: ServerProcess[] = [];
process.on("exit", () => {
  for (const s of servers) if (s.child.exitCode === null) s.child.kill("SIGKILL");
});
// Interrupted: exit (which kills the children above) rather than leave servers behind.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(130));

/** Load average (1 min) of the machine: other work competing with the servers skews req/s. */
const loadavgBefore = loadavg();
const busyNote = () => {
  const l = loadavgBefore[0]!;
  return l > cpus().length * 0.5 ? ` — machine busy (load ${l.toFixed(1)} on ${cpus().length} cores): req/s are skewed, compare the CPU columns` : "";
};

async function main(): Promise<number> {
  log(`db=${opts.db} records=${opts.records} connections=${opts.connections} duration=${opts.duration}s warmup=${opts.warmup}s${opts.profile ? " (profiling: figures are slower)" : ""}`);
  const posts = generatePosts(opts.records);

  // The floor seeds itself from this file: same rows, ids and timestamps made here.
  const t0 = Date.now() - opts.records;
  const floorIds = posts.map(() => uuidv7());
  const seedFile = join(runDir, "seed.json");
  writeFileSync(seedFile, JSON.stringify({ account_id: DEFAULT_ACCOUNT_ID, records: posts.map((p, i) => ({ id: floorIds[i], created: new Date(t0 + i).toISOString(), ...p })) }));

  const pgDb = opts.db === "postgres" ? await createPgDatabase(opts.pgAdminUrl) : undefined;
  try {
    const cliExists = existsSync(join(opts.cairnRoot, opts.cairnEntry));
    const compiled = cliExists && opts.cairnEntry.endsWith(".js");
    const cairnCommand = cliExists ? ["node", ...opts.cairnNodeFlags, ...(compiled ? [] : ["--import tsx"]), opts.cairnEntry, "serve"].join(" ") : "bench/server.ts";
    mkdirSync(join(runDir, "cairn"), { recursive: true });
    const [cairnPort, floorPort, cairnInspect, floorInspect] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const started = Date.now();
    // Each server is registered as soon as it is up, so a failure of the other one still stops it.
    const up = (s: ServerProcess) => (servers.push(s), s);
    const cairnEnv = {
      ...process.env,
      HOST: "127.0.0.1",
      CAIRN_DATA_DIR: join(runDir, "cairn"),
      DATABASE_URL: pgDb?.url ?? `file:${join(runDir, "cairn", "cairn.db")}`,
      CAIRN_ADMIN_EMAIL: ADMIN_EMAIL,
      CAIRN_ADMIN_PASSWORD: ADMIN_PASSWORD,
      CAIRN_SECRET: randomBytes(32).toString("base64url"),
      LOG_LEVEL: "warn",
      NODE_ENV: "production",
    };
    const startCairn = async (name: string, port: number, env: Record<string, string> = {}, stdoutFile?: string) =>
      startServer({
        name,
        args: cliExists ? [opts.cairnEntry, "serve"] : [join(opts.root, "bench/server.ts")],
        tsx: !compiled,
        cwd: opts.cairnRoot,
        port,
        nodeFlags: [...opts.cairnNodeFlags, ...(opts.profile && name === "cairn" ? [`--inspect=127.0.0.1:${cairnInspect}`] : [])],
        verbose: opts.verbose,
        env: { ...cairnEnv, PORT: String(port), ...env },
        stdoutFile,
      }).then(up);
    const [cairn, floor] = await Promise.all([
      startCairn("cairn", cairnPort),
      startServer({
        name: "floor",
        args: ["bench/floor.ts"],
        cwd: opts.root,
        port: floorPort,
        nodeFlags: opts.profile ? [`--inspect=127.0.0.1:${floorInspect}`] : [],
        verbose: opts.verbose,
        env: { ...process.env, FLOOR_PORT: String(floorPort), FLOOR_DB: join(runDir, "floor.db"), FLOOR_SEED: seedFile, NODE_ENV: "production" },
      }).then(up),
    ]);
    log(
      `cairn pid ${cairn.pid} (${cairnCommand}${opts.cairnRoot !== opts.root ? ` in ${opts.cairnRoot}` : ""}) at ${cairn.url}, floor pid ${floor.pid} at ${floor.url}; up in ${Date.now() - started} ms`,
    );
    const rssPhases: Record<string, number> = { startup: cairn.peakRssMiB() };

    const token = await login(cairn.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    log(await raiseRateLimits(cairn.url, token));
    const selected = MODULES.filter((m) => !opts.modules || opts.modules.includes(m.name));
    const seedStart = Date.now();
    // the keyset module seeds its own collection: a run of it alone skips the shared seed
    const ids = selected.some((m) => m.name !== "keyset") ? await seedCairn(cairn.url, token, posts, 16, (n) => log(`seeded ${n}/${posts.length}`)) : [];
    log(`seeded cairn with ${ids.length} records in ${((Date.now() - seedStart) / 1000).toFixed(1)} s (REST, 16 in flight)`);
    rssPhases.seed = cairn.peakRssMiB();

    const inspectors: Partial<Record<TargetName, InspectorSession>> = opts.profile ? { cairn: await InspectorSession.connect(cairnInspect), floor: await InspectorSession.connect(floorInspect) } : {};
    const profDir = join(opts.tmp, "prof");
    if (opts.profile) mkdirSync(profDir, { recursive: true });

    const targets: Record<TargetName, BenchTarget> = {
      cairn: { name: "cairn", url: cairn.url, token, ids },
      floor: { name: "floor", url: floor.url, token, ids: floorIds },
    };
    const ctx: BenchContext = {
      url: cairn.url,
      token,
      collection: COLLECTION,
      ids,
      cairn: targets.cairn,
      floor: targets.floor,
      options: opts,
      log,
      async startCairn(name, env) {
        const server = await startCairn(name, await freePort(), env, join(runDir, `${name}.log`));
        log(
          `${name} pid ${server.pid} at ${server.url} (${Object.entries(env)
            .map(([k, v]) => `${k}=${v}`)
            .join(" ")}; stdout to ${join(runDir, `${name}.log`)})`,
        );
        return { url: server.url, cpuSeconds: () => server.cpuSeconds(), stop: () => server.stop() };
      },
      async measure(target, label, spec) {
        const full = { connections: opts.connections, duration: opts.duration, ...spec, url: targets[target].url };
        if (opts.warmup > 0) await runLoad({ ...full, duration: opts.warmup });
        const inspector = inspectors[target];
        if (inspector) await inspector.start();
        const server = target === "cairn" ? cairn : floor;
        const cpuBefore = server.cpuSeconds();
        const r = await runLoad(full);
        r.cpuUsPerReq = r.requests ? ((server.cpuSeconds() - cpuBefore) * 1e6) / r.requests : undefined;
        if (inspector) {
          const profile = await inspector.stop();
          const file = join(profDir, `${target}-${label.replace(/[^\w.-]+/g, "_")}.cpuprofile`);
          writeFileSync(file, JSON.stringify(profile));
          const text = formatSummary(`${target} ${label} (${file})`, summarize(profile, 30, HOT_PATH));
          writeFileSync(file.replace(/\.cpuprofile$/, ".txt"), text + "\n");
          log(`profile written: ${file} (+ .txt summary)`);
        }
        log(`${target.padEnd(5)} ${label}: ${fmt(r)}`);
        return r;
      },
    };

    const results: Record<string, Record<string, unknown>> = {};
    const moduleErrors: Record<string, string> = {};
    for (const m of selected) {
      const file = join(opts.root, "bench", m.file);
      if (!existsSync(file)) {
        if (!m.optional) throw new Error(`bench module ${m.file} is missing`);
        log(`module ${m.name}: ${m.file} absent, skipped`);
        continue;
      }
      log(`module ${m.name}`);
      try {
        const mod = (await import(pathToFileURL(file).href)) as BenchModule;
        results[m.name] = await mod.run(ctx);
      } catch (e) {
        moduleErrors[m.name] = e instanceof Error ? (e.stack ?? e.message) : String(e);
        log(`module ${m.name} failed: ${moduleErrors[m.name]}`);
      }
      rssPhases[m.name] = cairn.peakRssMiB();
    }
    for (const i of Object.values(inspectors)) i.close();

    const peakRss = cairn.peakRssMiB();
    // The RSS target is issue 2's: start-up, seeding and the REST scenarios. Later modules
    // (GraphQL with its subscribers) are another workload: their peak is reported, not judged.
    const restPeakRss = rssPhases.rest ?? rssPhases.seed ?? peakRss;
    const floorPeakRss = floor.peakRssMiB();
    await Promise.all([cairn.stop(), floor.stop()]);

    const rows = (results.rest?.rows ?? []) as ScenarioRow[];
    const enforce = opts.db === "sqlite" && !opts.profile;
    const verdicts: Check[] = checks(rows, restPeakRss, enforce);
    if (peakRss > restPeakRss + 0.05) verdicts.push({ name: "peak RSS, whole run", value: `${peakRss.toFixed(1)} MiB`, target: "-", verdict: "info" });
    // A module may judge its own target: `{ verdict: "PASS" | "FAIL" | "info", target, costPercent? }`.
    for (const [name, r] of Object.entries(results)) {
      if (typeof r.verdict === "string" && name !== "rest")
        verdicts.push({
          name: `module ${name}`,
          value: "costPercent" in r ? `cost ${String(r.costPercent)}%` : String(r.verdict),
          target: String(r.target ?? "-"),
          verdict: r.verdict as Check["verdict"],
        });
    }
    // modules may return their own checks (the keyset depth ratio); they count on every database
    for (const r of Object.values(results)) if (Array.isArray(r.checks)) verdicts.push(...(r.checks as Check[]));
    for (const [name, err] of Object.entries(moduleErrors)) verdicts.push({ name: `module ${name}`, value: "error", target: "runs", verdict: "FAIL", note: err.split("\n")[0] });
    if (cairn.problems.length) verdicts.push({ name: "server log", value: `${cairn.problems.length} warn/error lines`, target: "none", verdict: "info", note: cairn.problems.slice(0, 3).join(" | ") });

    console.log("");
    console.log(
      `Cairn (${opts.db}) vs floor (Fastify + better-sqlite3, hand-written SQL): ${opts.records} records, ${opts.connections} connections, ${opts.duration} s per scenario; load before ${loadavgBefore[0]!.toFixed(1)}${busyNote()}`,
    );
    console.log(formatTable(rows, verdicts));
    console.log(
      `peak RSS by phase (MiB, cumulative): ${Object.entries(rssPhases)
        .map(([k, v]) => `${k} ${v.toFixed(1)}`)
        .join(", ")}; floor peak ${floorPeakRss.toFixed(1)} MiB`,
    );
    for (const v of verdicts) if (v.note) console.log(`${v.verdict}  ${v.name}: ${v.note}`);
    for (const [name, r] of Object.entries(results)) {
      if (name === "rest") continue;
      console.log(`\n${name}:`);
      const extra = r.rows as ScenarioRow[] | undefined;
      if (Array.isArray(extra) && extra.every((x) => x && typeof x === "object" && "cairn" in x))
        console.log(
          formatTable(
            extra,
            checks(extra, peakRss, false).filter((c) => c.name !== "peak RSS"),
          ),
        );
      else console.log(JSON.stringify(r, null, 2));
    }
    if (!enforce)
      console.log(`\n(ratios and RSS are informational: ${opts.profile ? "profiling run" : "PostgreSQL run; the floor is SQLite, and Cairn's CPU column excludes the PostgreSQL server processes"})`);

    const failed = verdicts.some((v) => v.verdict === "FAIL");
    const out = {
      date: new Date().toISOString(),
      db: opts.db,
      options: { records: opts.records, connections: opts.connections, duration: opts.duration, warmup: opts.warmup, profile: opts.profile },
      machine: { cpus: cpus().length, node: process.version, loadavgBefore, loadavgAfter: loadavg() },
      server: cairnCommand,
      peakRssMiB: restPeakRss,
      peakRssWholeRunMiB: peakRss,
      rssPhases,
      floorPeakRssMiB: floorPeakRss,
      checks: verdicts,
      results,
      serverProblems: cairn.problems.slice(0, 20),
      passed: !failed,
    };
    writeFileSync(join(opts.tmp, "latest.json"), JSON.stringify(out, null, 2) + "\n");
    console.log(`\nresults: bench/.tmp/latest.json — ${failed ? "FAIL" : "PASS"}`);
    return failed ? 1 : 0;
  } finally {
    await Promise.all(servers.map((s) => s.stop().catch(() => {})));
    await pgDb?.drop().catch((e: unknown) => log(`dropping the PostgreSQL database failed: ${String(e)}`));
    if (opts.keep) log(`databases kept in ${runDir}`);
    else rmSync(runDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
