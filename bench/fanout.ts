/**
 * Subscription fan-out (issue 8 part 9): BENCH_SUBSCRIBERS (1,000) graphql-ws clients in a
 * separate process (bench/subscribers.ts) subscribe to `postCreated`; one mutation per round
 * (BENCH_ROUNDS, each after the servers settled); the time from sending it to each client's
 * receipt. Target: every client receives every post, median round's p99 < 200 ms.
 *
 * Soundness: before the measured post, probe posts are created until every subscription has
 * delivered one (so registration is not measured); the two processes' clocks are compared over
 * IPC (the smallest of five round trips; the offset is subtracted); the subscriber process's
 * event-loop delay and CPU time while receiving are reported, so a saturated receiver shows
 * instead of passing as a slow server.
 */
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { BenchContext } from "./context.ts";
import type { Check } from "./report.ts";
import { graphql } from "./seed.ts";

const TARGET_P99_MS = 200;
const now = () => performance.timeOrigin + performance.now();
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

class Child {
  private waiters: { test: (m: any) => boolean; resolve: (m: any) => void }[] = [];
  readonly seen: any[] = [];
  probed = 0;
  constructor(readonly proc: ChildProcess) {
    proc.on("message", (m: any) => {
      if (m.type === "probed") this.probed = Math.max(this.probed, m.n);
      else this.seen.push(m);
      this.waiters = this.waiters.filter((w) => (w.test(m) ? (w.resolve(m), false) : true));
    });
  }
  /** the first message (seen or coming) passing `test`, or an error after `ms` */
  next(test: (m: any) => boolean, ms: number, what: string): Promise<any> {
    const old = this.seen.find(test);
    if (old) return Promise.resolve(old);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fan-out: ${what} (after ${ms} ms)`)), ms);
      const exit = () => reject(new Error(`fan-out: the subscriber process exited (${what})`));
      this.proc.once("exit", exit);
      this.waiters.push({
        test,
        resolve: (m) => {
          clearTimeout(timer);
          this.proc.off("exit", exit);
          resolve(m);
        },
      });
    });
  }
}

interface Round {
  /** receipt times, ms after the mutation was sent, sorted */
  times: number[];
  p50: number;
  p99: number;
  max: number;
  mutationMs: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  cpuMs?: number;
}

/** One timed post: arms the subscriber process for round `k`, sends the mutation, collects every receipt. */
async function measureRound(proc: ChildProcess, child: Child, k: number, offset: number, post: () => Promise<unknown>): Promise<Round> {
  proc.send({ type: "arm", round: k });
  const armed = now();
  proc.send({ type: "ping", t: armed });
  await child.next((m) => m.type === "pong" && m.t === armed, 5000, "not armed");
  const sentAt = now();
  await post();
  const mutationMs = now() - sentAt;
  const isDone = (m: any) => m.type === "received" && m.round === k;
  const done = await child.next(isDone, 10_000, "not every client received the post").catch(async () => {
    proc.send({ type: "report" });
    return child.next(isDone, 5000, "no report");
  });
  const times = (done.times as number[]).map((t) => t - offset - sentAt).sort((a, b) => a - b);
  return {
    times,
    p50: times.length ? percentile(times, 50) : Infinity,
    p99: times.length ? percentile(times, 99) : Infinity,
    max: times.length ? times[times.length - 1]! : Infinity,
    mutationMs,
    loopDelayP99Ms: done.loopDelayP99Ms,
    loopDelayMaxMs: done.loopDelayMaxMs,
    cpuMs: done.cpuMs,
  };
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  const count = ctx.options.subscribers;
  const marker = `fanout-${Date.now()}`;
  const proc = fork(join(ctx.options.root, "bench/subscribers.ts"), [], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, FANOUT_URL: `${ctx.url.replace(/^http/, "ws")}/graphql`, FANOUT_TOKEN: ctx.token, FANOUT_COUNT: String(count), FANOUT_MARKER: marker },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const child = new Child(proc);
  const create = (title: string) =>
    graphql(
      ctx.url,
      ctx.token,
      `
        mutation ($t: String!) {
          createPost(data: { title: $t, views: 1, published: false, status: DRAFT }) {
            id
          }
        }
      `,
      { t: title },
    );
  try {
    await child.next((m) => m.type === "connected", 60_000, `not all ${count} clients connected`);
    let probes = 0;
    for (const deadline = Date.now() + 30_000; child.probed < count;) {
      if (Date.now() > deadline) throw new Error(`fan-out: only ${child.probed}/${count} subscriptions active`);
      await create(`${marker}-probe-${probes++}`);
      // the next probe only if this one has not reached every client within a second
      await child.next((m) => m.type === "probed-all", 1000, "").catch(() => {});
    }
    // clock check: the smallest round trip bounds the error of the offset
    let best = { rtt: Infinity, offset: 0 };
    for (let i = 0; i < 5; i++) {
      const t = now();
      proc.send({ type: "ping", t });
      const pong = await child.next((m) => m.type === "pong" && m.t === t, 5000, "no pong");
      const rtt = now() - t;
      if (rtt < best.rtt) best = { rtt, offset: pong.now - (t + rtt / 2) };
    }
    // Rounds (options.rounds), each after both servers settled, as before every measured run: the
    // module follows the bulk creates, whose abandoned requests and statistics refreshes can still
    // run. The verdict uses the median round, as the workloads do; every round is reported.
    const rounds: Round[] = [];
    for (let k = 0; k < ctx.options.rounds; k++) {
      const waited = await ctx.settle();
      if (waited > 1) ctx.log(`fan-out: waited ${waited.toFixed(1)} s for the servers to finish earlier work`);
      rounds.push(await measureRound(proc, child, k, best.offset, () => create(`${marker}-go-${k}`)));
    }
    const errors = child.seen.filter((m) => m.type === "error").length;
    const byP99 = [...rounds].sort((a, b) => a.p99 - b.p99);
    const median = byP99[Math.floor((byP99.length - 1) / 2)]!;
    const complete = rounds.every((r) => r.times.length === count);
    const verdict = complete && median.p99 < TARGET_P99_MS && errors === 0 ? "PASS" : "FAIL";
    const receiver = (r: Round) =>
      `event-loop delay p99 ${r.loopDelayP99Ms.toFixed(1)} ms, max ${r.loopDelayMaxMs.toFixed(1)} ms, CPU ${r.cpuMs?.toFixed(0) ?? "?"} ms${r.loopDelayMaxMs > 50 ? " (the receiver itself was busy: part of the figure is its own delay)" : ""}`;
    const perRound = rounds
      .map(
        (r, i) =>
          `round ${i + 1}: ${r.times.length}/${count} received, p50 ${Math.round(r.p50)} ms, p99 ${Math.round(r.p99)} ms, max ${Math.round(r.max)} ms, mutation round trip ${Math.round(r.mutationMs)} ms; receiver ${receiver(r)}`,
      )
      .join("; ");
    const check: Check = {
      name: `fan-out to ${count} subscribers, p99 (median of ${rounds.length} rounds)`,
      value: median.times.length ? `${Math.round(median.p99)} ms` : "none received",
      target: `< ${TARGET_P99_MS} ms`,
      verdict,
      note: `${perRound}; ${probes} probe posts${errors ? `, ${errors} subscription errors` : ""}; clock offset ${best.offset.toFixed(2)} ms ± ${(best.rtt / 2).toFixed(2)}`,
    };
    ctx.log(`fan-out: ${check.note}`);
    return {
      subscribers: count,
      received: Math.min(...rounds.map((r) => r.times.length)),
      p50Ms: Math.round(median.p50),
      p99Ms: Math.round(median.p99),
      maxMs: Math.round(median.max),
      mutationRoundTripMs: Math.round(median.mutationMs),
      rounds: rounds.map((r) => ({
        received: r.times.length,
        p50Ms: Math.round(r.p50),
        p99Ms: Math.round(r.p99),
        maxMs: Math.round(r.max),
        mutationRoundTripMs: Math.round(r.mutationMs),
        receiver: { loopDelayP99Ms: r.loopDelayP99Ms, loopDelayMaxMs: r.loopDelayMaxMs, cpuMs: r.cpuMs },
      })),
      clock: { offsetMs: best.offset, rttMs: best.rtt },
      checks: [check],
    };
  } finally {
    if (proc.connected) proc.send({ type: "stop" });
    const t = setTimeout(() => proc.kill("SIGKILL"), 5000);
    await new Promise((r) => (proc.exitCode === null ? proc.once("exit", r) : r(undefined)));
    clearTimeout(t);
  }
}
