/**
 * The cost of request logging (issue 7, part 7): get-by-id on fresh Cairn servers that differ
 * only in LOG_LEVEL — `warn` (no line per request) and `info` (one JSON line per request, written
 * to a file as a log collector would read it) — on the run's database. Two servers per level:
 * two processes of one build and level differ by up to 5% in CPU per request (what their JIT
 * made of the hot path), as much as a line costs, so each level's figure is the sum over its two
 * processes. Rounds alternate which level goes first, so drift on a shared machine hits both
 * alike. Reports the median req/s of each level and their ratio, and the server CPU per request;
 * the target is a cost under 10%, judged on the median of the rounds' CPU-per-request ratios
 * (informational on PostgreSQL).
 *
 *   BENCH_LOG_ROUNDS=n   rounds (default: BENCH_ROUNDS, at least 5 unless --quick; each: warm-up + one measured run per server, 4 servers)
 */
import type { BenchContext, ExtraServer } from "./context.ts";
import { COLLECTION } from "./data.ts";
import { runLoad } from "./load.ts";

const TARGET_COST = 0.1;
/** Rounds at least (a cost of a few percent against round-to-round swings of 10–20% on 2 shared cores). */
const LOG_ROUNDS = 5;
const SERVERS_PER_LEVEL = 2;
type Level = "warn" | "info";
const LEVELS: readonly Level[] = ["warn", "info"];

/** One level's measured runs of one round, summed over its servers. */
interface Tally {
  requests: number;
  seconds: number;
  cpuUs: number;
  failed: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const rpsOf = (t: Tally) => t.requests / t.seconds;
const cpuOf = (t: Tally) => t.cpuUs / t.requests;

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  if (ctx.options.scenarios && !ctx.options.scenarios.includes("logging")) return { skipped: "BENCH_SCENARIOS does not name logging" };
  const rounds = Math.max(1, Number(process.env.BENCH_LOG_ROUNDS ?? (ctx.options.quick ? ctx.options.rounds : Math.max(LOG_ROUNDS, ctx.options.rounds))) || ctx.options.rounds);
  const servers: Record<Level, ExtraServer[]> = { warn: [], info: [] };
  const tallies: Record<Level, Tally[]> = { warn: [], info: [] };
  try {
    for (let n = 1; n <= SERVERS_PER_LEVEL; n++) for (const level of LEVELS) servers[level].push(await ctx.startCairn(`cairn-${level}-${n}`, { LOG_LEVEL: level }));
    const ids = ctx.ids;
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? LEVELS : [...LEVELS].reverse();
      for (let n = 0; n < SERVERS_PER_LEVEL; n++) {
        for (const level of order) {
          const server = servers[level][n]!;
          let i = 0;
          const spec = {
            url: server.url,
            method: "GET" as const,
            path: () => `/api/v1/collections/${COLLECTION}/records/${ids[i++ % ids.length]}`,
            headers: { authorization: `Bearer ${ctx.token}` },
            connections: ctx.options.connections,
          };
          if (ctx.options.warmup > 0) await runLoad({ ...spec, duration: ctx.options.warmup });
          const res = await runLoad({ ...spec, duration: ctx.options.duration, cpuSeconds: () => server.cpuSeconds() });
          const t = (tallies[level][r] ??= { requests: 0, seconds: 0, cpuUs: 0, failed: 0 });
          t.requests += res.requests;
          t.seconds += res.seconds;
          t.cpuUs += (res.cpuUsPerReq ?? NaN) * res.requests;
          t.failed += res.non2xx + res.errors + res.timeouts;
          ctx.log(
            `logging round ${r + 1}/${rounds} LOG_LEVEL=${level} (server ${n + 1}): ${res.rps.toFixed(0)} req/s, server CPU ${res.cpuUsPerReq?.toFixed(0) ?? "?"} µs/req${res.non2xx + res.errors ? `, ${res.non2xx} non-2xx, ${res.errors} errors` : ""}`,
          );
        }
      }
    }
  } finally {
    await Promise.all(LEVELS.flatMap((level) => servers[level].map((s) => s.stop())));
  }
  const rps = { warn: median(tallies.warn.map(rpsOf)), info: median(tallies.info.map(rpsOf)) };
  const cpu = { warn: median(tallies.warn.map(cpuOf)), info: median(tallies.info.map(cpuOf)) };
  const ratio = rps.info / rps.warn;
  // Throughput on a shared 2-core machine swings more between runs than logging costs; the
  // server's CPU per request does not depend on what else runs, so the verdict uses it — per
  // round (info ÷ warn of the same round, each over its servers), then the median of the rounds,
  // as the workloads are judged: a slower stretch of the machine then weighs on both levels alike.
  const cpuRatios = tallies.info.map((t, i) => cpuOf(t) / cpuOf(tallies.warn[i]!));
  const cpuCost = median(cpuRatios) - 1;
  const failedRequests = [...tallies.warn, ...tallies.info].reduce((n, t) => n + t.failed, 0);
  const verdict = failedRequests > 0 ? "FAIL" : cpuCost < TARGET_COST ? "PASS" : ctx.options.db === "sqlite" ? "FAIL" : "info";
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  ctx.log(
    `logging cost (get by id, median of ${rounds} rounds, ${SERVERS_PER_LEVEL} servers per level): req/s info ${rps.info.toFixed(0)} vs warn ${rps.warn.toFixed(0)} = ${ratio.toFixed(3)}× (${pct(1 - ratio)} fewer); server CPU ${cpu.info.toFixed(0)} vs ${cpu.warn.toFixed(0)} µs/req (+${pct(cpuCost)}, target < ${pct(TARGET_COST)}) — ${verdict}`,
  );
  return {
    scenario: "get by id, LOG_LEVEL=info vs warn",
    rounds,
    serversPerLevel: SERVERS_PER_LEVEL,
    medianRps: { info: Math.round(rps.info), warn: Math.round(rps.warn) },
    ratio: Number(ratio.toFixed(3)),
    throughputCostPercent: Number(((1 - ratio) * 100).toFixed(1)),
    costPercent: Number((cpuCost * 100).toFixed(1)),
    cpuUsPerReq: { info: Math.round(cpu.info), warn: Math.round(cpu.warn) },
    perRound: { info: tallies.info.map((t) => Math.round(rpsOf(t))), warn: tallies.warn.map((t) => Math.round(rpsOf(t))) },
    target: `cost < ${TARGET_COST * 100}%`,
    verdict,
    checks: [
      {
        name: "request logging cost (LOG_LEVEL=info vs warn, server CPU per get)",
        value: `+${pct(cpuCost)}`,
        target: `< ${pct(TARGET_COST)}`,
        verdict,
        note: `median of ${rounds} interleaved rounds, ${SERVERS_PER_LEVEL} servers per level, info ÷ warn per round ${cpuRatios.map((x) => x.toFixed(2)).join(", ")}; median µs/req ${cpu.info.toFixed(0)} vs ${cpu.warn.toFixed(0)}; req/s per server ${rps.info.toFixed(0)} vs ${rps.warn.toFixed(0)} (${ratio.toFixed(2)}×)`,
      },
    ],
  };
}
