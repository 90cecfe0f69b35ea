/**
 * Subscription fan-out (issue 8 part 9): BENCH_SUBSCRIBERS (1,000) graphql-ws clients in a
 * separate process (bench/subscribers.ts) subscribe to `postCreated`; one mutation; the time from
 * sending it to each client's receipt. Target: every client receives it, p99 < 200 ms.
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
    proc.send({ type: "arm" });
    const armed = now();
    proc.send({ type: "ping", t: armed });
    await child.next((m) => m.type === "pong" && m.t === armed, 5000, "not armed");

    const sentAt = now();
    await create(`${marker}-go`);
    const mutationMs = now() - sentAt;
    const done = await child
      .next((m) => m.type === "received", 10_000, "not every client received the post")
      .catch(async () => {
        proc.send({ type: "report" });
        return child.next((m) => m.type === "received", 5000, "no report");
      });
    const times = (done.times as number[]).map((t) => t - best.offset - sentAt).sort((a, b) => a - b);
    const p99 = times.length ? percentile(times, 99) : Infinity;
    const errors = child.seen.filter((m) => m.type === "error").length;
    const busy = done.loopDelayMaxMs > 50;
    const verdict = times.length === count && p99 < TARGET_P99_MS && errors === 0 ? "PASS" : "FAIL";
    const soundness = `clock offset ${best.offset.toFixed(2)} ms ± ${(best.rtt / 2).toFixed(2)}; subscriber process: event-loop delay p99 ${done.loopDelayP99Ms.toFixed(1)} ms, max ${done.loopDelayMaxMs.toFixed(1)} ms, CPU ${done.cpuMs?.toFixed(0) ?? "?"} ms while receiving${busy ? " — the receiver itself was busy: part of the figure is its own delay" : ""}`;
    const check: Check = {
      name: `fan-out to ${count} subscribers, p99`,
      value: times.length ? `${Math.round(p99)} ms` : "none received",
      target: `< ${TARGET_P99_MS} ms`,
      verdict,
      note: `${times.length}/${count} received, p50 ${Math.round(percentile(times, 50))} ms, max ${Math.round(times[times.length - 1] ?? NaN)} ms, mutation round trip ${Math.round(mutationMs)} ms, ${probes} probe posts${errors ? `, ${errors} subscription errors` : ""}; ${soundness}`,
    };
    ctx.log(`fan-out: ${check.note}`);
    return {
      subscribers: count,
      received: times.length,
      p50Ms: Math.round(percentile(times, 50)),
      p99Ms: Math.round(p99),
      maxMs: Math.round(times[times.length - 1] ?? NaN),
      mutationRoundTripMs: Math.round(mutationMs),
      clock: { offsetMs: best.offset, rttMs: best.rtt },
      receiver: { loopDelayP99Ms: done.loopDelayP99Ms, loopDelayMaxMs: done.loopDelayMaxMs, cpuMs: done.cpuMs },
      checks: [check],
    };
  } finally {
    if (proc.connected) proc.send({ type: "stop" });
    const t = setTimeout(() => proc.kill("SIGKILL"), 5000);
    await new Promise((r) => (proc.exitCode === null ? proc.once("exit", r) : r(undefined)));
    clearTimeout(t);
  }
}
