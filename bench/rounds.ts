/**
 * Interleaved rounds: two sides (Cairn and its floor, or two Cairn requests) measured in turn —
 * b, a, b, a, … — each round giving a ratio a ÷ b of req/s; the verdict uses the median of the
 * per-round ratios, so a burst of other load on the machine skews one round, not the figure.
 * A warm-up precedes each side's first round only.
 */
import type { BenchContext, ScenarioRow, TargetName } from "./context.ts";
import type { LoadResult, LoadSpec } from "./load.ts";

export type RequestSpec = Omit<LoadSpec, "url" | "connections" | "duration"> & Partial<Pick<LoadSpec, "connections" | "duration">>;

export interface Side {
  target: TargetName;
  /** shown in the log and the table's server column */
  label: string;
  spec: RequestSpec;
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** One LoadResult standing for several runs: medians of rates and latencies, sums of counts. */
export function combine(runs: readonly LoadResult[]): LoadResult {
  const m = (f: (r: LoadResult) => number | undefined) => median(runs.map(f).filter((x): x is number => x !== undefined));
  const statuses: Record<string, number> = {};
  for (const r of runs) for (const [k, v] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  const cpu = m((r) => r.cpuUsPerReq);
  return {
    requests: runs.reduce((n, r) => n + r.requests, 0),
    rps: m((r) => r.rps),
    p50: m((r) => r.p50),
    p99: m((r) => r.p99),
    mean: m((r) => r.mean),
    non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
    statuses,
    errors: runs.reduce((n, r) => n + r.errors, 0),
    timeouts: runs.reduce((n, r) => n + r.timeouts, 0),
    seconds: runs.reduce((n, r) => n + r.seconds, 0),
    ...(Number.isNaN(cpu) ? {} : { cpuUsPerReq: cpu }),
  };
}

/** p99 ÷ p50 of one run (p50 at least 1 ms: autocannon's resolution). */
export const tailRatio = (r: LoadResult): number => r.p99 / Math.max(1, r.p50);

export interface Comparison {
  a: LoadResult;
  b: LoadResult;
  /** a.rps ÷ b.rps per round */
  ratios: number[];
  /** median of `ratios` */
  ratio: number;
  /** median over rounds of p99 ÷ p50 of side a, of side b */
  tail: number;
  tailB: number;
}

/** Measures `a` against `b` in `rounds` interleaved rounds (b first in each). */
export async function compare(ctx: BenchContext, name: string, a: Side, b: Side, rounds = ctx.options.rounds): Promise<Comparison> {
  const runs: { a: LoadResult[]; b: LoadResult[] } = { a: [], b: [] };
  for (let r = 0; r < rounds; r++) {
    for (const [key, side] of [
      ["b", b],
      ["a", a],
    ] as const) {
      const res = await ctx.measure(side.target, `${name} ${side.label} (round ${r + 1}/${rounds})`, { ...side.spec, ...(r > 0 ? { warmup: 0 } : {}) });
      runs[key].push(res);
    }
  }
  // a round in which the reference side completed nothing: Infinity, or 0 when neither did anything
  const ratios = runs.a.map((x, i) => (runs.b[i]!.rps > 0 ? x.rps / runs.b[i]!.rps : x.rps > 0 ? Infinity : 0));
  const ratio = median(ratios);
  ctx.log(`${name}: ${a.label} ÷ ${b.label} per round ${ratios.map((x) => x.toFixed(2)).join(", ")} → median ${ratio.toFixed(2)}×`);
  return { a: combine(runs.a), b: combine(runs.b), ratios, ratio, tail: median(runs.a.map(tailRatio)), tailB: median(runs.b.map(tailRatio)) };
}

/** Cairn against the floor with the same request: a table row (ratio = Cairn ÷ floor). */
export async function versusFloor(
  ctx: BenchContext,
  scenario: string,
  spec: RequestSpec | { cairn: RequestSpec; floor: RequestSpec },
  target?: number,
  note?: string,
  rounds = ctx.options.rounds,
): Promise<ScenarioRow> {
  const specs = "cairn" in spec ? spec : { cairn: spec, floor: spec };
  const withAuth = (t: TargetName, s: RequestSpec): RequestSpec => ({ ...s, headers: { authorization: `Bearer ${ctx[t].token}`, ...s.headers } });
  const c = await compare(ctx, scenario, { target: "cairn", label: "cairn", spec: withAuth("cairn", specs.cairn) }, { target: "floor", label: "floor", spec: withAuth("floor", specs.floor) }, rounds);
  return { scenario, target, cairn: c.a, floor: c.b, ratios: c.ratios, ratio: c.ratio, tail: c.tail, ...(note ? { note } : {}) };
}
