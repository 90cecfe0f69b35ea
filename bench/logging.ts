/**
 * The cost of request logging (issue 7, part 7): get-by-id on two fresh Cairn servers that
 * differ only in LOG_LEVEL — `warn` (no line per request) and `info` (one JSON line per request,
 * written to a file as a log collector would read it) — on the run's database. Rounds alternate
 * which server goes first, so drift on a shared machine hits both alike. Reports the median
 * req/s of each and their ratio, and the server CPU per request; the target is a cost under 10%,
 * judged on the median of the rounds' CPU-per-request ratios (informational on PostgreSQL).
 *
 *   BENCH_LOG_ROUNDS=n   rounds (default: BENCH_ROUNDS, at least 5 unless --quick; each: warm-up + one measured run per server)
 */
import type { BenchContext } from "./context.ts";
import { COLLECTION } from "./data.ts";
import { runLoad, type LoadResult } from "./load.ts";

const TARGET_COST = 0.1;
/** Rounds at least (a cost of a few percent against round-to-round swings of 10–20% on 2 shared cores). */
const LOG_ROUNDS = 5;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  if (ctx.options.scenarios && !ctx.options.scenarios.includes("logging")) return { skipped: "BENCH_SCENARIOS does not name logging" };
  const rounds = Math.max(1, Number(process.env.BENCH_LOG_ROUNDS ?? (ctx.options.quick ? ctx.options.rounds : Math.max(LOG_ROUNDS, ctx.options.rounds))) || ctx.options.rounds);
  const servers = {
    warn: await ctx.startCairn("cairn-warn", { LOG_LEVEL: "warn" }),
    info: await ctx.startCairn("cairn-info", { LOG_LEVEL: "info" }),
  };
  const results: Record<"warn" | "info", LoadResult[]> = { warn: [], info: [] };
  try {
    const ids = ctx.ids;
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? (["warn", "info"] as const) : (["info", "warn"] as const);
      for (const level of order) {
        const server = servers[level];
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
        results[level].push(res);
        ctx.log(
          `logging round ${r + 1}/${rounds} LOG_LEVEL=${level}: ${res.rps.toFixed(0)} req/s, server CPU ${res.cpuUsPerReq?.toFixed(0) ?? "?"} µs/req${res.non2xx + res.errors ? `, ${res.non2xx} non-2xx, ${res.errors} errors` : ""}`,
        );
      }
    }
  } finally {
    await Promise.all([servers.warn.stop(), servers.info.stop()]);
  }
  const rps = { warn: median(results.warn.map((r) => r.rps)), info: median(results.info.map((r) => r.rps)) };
  const cpu = { warn: median(results.warn.map((r) => r.cpuUsPerReq ?? NaN)), info: median(results.info.map((r) => r.cpuUsPerReq ?? NaN)) };
  const ratio = rps.info / rps.warn;
  // Throughput on a shared 2-core machine swings more between runs than logging costs; the
  // server's CPU per request does not depend on what else runs, so the verdict uses it — per
  // round (info ÷ warn of the same round), then the median of the rounds, as the workloads are
  // judged: a slower stretch of the machine then weighs on both servers of its round alike.
  const cpuRatios = results.info.map((r, i) => (r.cpuUsPerReq ?? NaN) / (results.warn[i]?.cpuUsPerReq ?? NaN));
  const cpuCost = median(cpuRatios) - 1;
  const failedRequests = [...results.warn, ...results.info].reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0);
  const verdict = failedRequests > 0 ? "FAIL" : cpuCost < TARGET_COST ? "PASS" : ctx.options.db === "sqlite" ? "FAIL" : "info";
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  ctx.log(
    `logging cost (get by id, median of ${rounds} rounds): req/s info ${rps.info.toFixed(0)} vs warn ${rps.warn.toFixed(0)} = ${ratio.toFixed(3)}× (${pct(1 - ratio)} fewer); server CPU ${cpu.info.toFixed(0)} vs ${cpu.warn.toFixed(0)} µs/req (+${pct(cpuCost)}, target < ${pct(TARGET_COST)}) — ${verdict}`,
  );
  return {
    scenario: "get by id, LOG_LEVEL=info vs warn",
    rounds,
    medianRps: { info: Math.round(rps.info), warn: Math.round(rps.warn) },
    ratio: Number(ratio.toFixed(3)),
    throughputCostPercent: Number(((1 - ratio) * 100).toFixed(1)),
    costPercent: Number((cpuCost * 100).toFixed(1)),
    cpuUsPerReq: { info: Math.round(cpu.info), warn: Math.round(cpu.warn) },
    perRound: { info: results.info.map((r) => Math.round(r.rps)), warn: results.warn.map((r) => Math.round(r.rps)) },
    target: `cost < ${TARGET_COST * 100}%`,
    verdict,
    checks: [
      {
        name: "request logging cost (LOG_LEVEL=info vs warn, server CPU per get)",
        value: `+${pct(cpuCost)}`,
        target: `< ${pct(TARGET_COST)}`,
        verdict,
        note: `median of ${rounds} interleaved rounds, info ÷ warn per round ${cpuRatios.map((x) => x.toFixed(2)).join(", ")}; median µs/req ${cpu.info.toFixed(0)} vs ${cpu.warn.toFixed(0)}; req/s ${rps.info.toFixed(0)} vs ${rps.warn.toFixed(0)} (${ratio.toFixed(2)}×)`,
      },
    ],
  };
}
