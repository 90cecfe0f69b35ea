/**
 * One autocannon run, reduced to what the report needs. Every response must be 2xx: non-2xx
 * answers, connection errors and timeouts are counted and make the scenario fail.
 *
 * The figures are those of the steady state at `connections`. Node (libuv ≥ 1.45, libuv#3696)
 * accepts one connection per event-loop iteration, and an iteration of a busy server runs every
 * request its accepted connections sent: when 32 connections open at once under load, the last
 * ones wait about 16 × p50 for their accept (4 s for 8 ms requests). Counted from the start, a
 * 3-s run measured fewer than 32 connections, and its p99 was the wait of the late connections'
 * first requests for their accept (2.2 s on both the floor and Cairn, and the same on a bare
 * `http` server with an 8 ms synchronous handler): the ramp, not requests at 32 connections.
 * So each connection first sends `GET /health` (cheap; both servers have it) until every
 * connection has had an answer, then the measured requests; the window of `duration` seconds
 * opens once every connection is in and `warmup` seconds of measured requests have passed, and
 * only the measured requests answered within it count (req/s, latencies, server CPU). Runs by
 * `amount` (whole requests, one per connection) count every request from the start.
 */
import type { EventEmitter } from "node:events";
import autocannon from "autocannon";

export interface LoadSpec {
  /** base URL of the server */
  url: string;
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  /** fixed path, or a function giving the path of each request (e.g. rotating ids) */
  path: string | (() => string);
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  /** seconds of the measured window */
  duration: number;
  /** seconds of load before the window opens at the least (a warm-up within the same run) */
  warmup?: number;
  /** the server's CPU time so far, seconds: when given, `cpuUsPerReq` is that of the window */
  cpuSeconds?: () => number;
  /** instead of `duration`: run until this many requests completed */
  amount?: number;
  /**
   * Instead of one request: each connection sends these in turn, over and over (e.g. ten reads
   * then one write); `method`/`path`/`body` are then ignored.
   */
  sequence?: { method: LoadSpec["method"]; path: string; body?: string; headers?: Record<string, string> }[];
}

export interface LoadResult {
  requests: number;
  /** mean requests per second over the run */
  rps: number;
  /** latency percentiles, ms */
  p50: number;
  p99: number;
  mean: number;
  /** responses outside 2xx, by status */
  non2xx: number;
  statuses: Record<string, number>;
  /** connection errors + timeouts */
  errors: number;
  timeouts: number;
  seconds: number;
  /** seconds from the start until the window opened (every connection answered once, warm-up done) */
  rampSeconds?: number;
  /** server CPU time (user + system) per request, µs — set by the runner, which knows the pid */
  cpuUsPerReq?: number;
  /** for a `sequence` of several methods: the measured requests' p50/p99 by method (e.g. reads and writes apart) */
  byMethod?: Record<string, { requests: number; p50: number; p99: number }>;
}

/** Longest wait for every connection's first answer; the load starts then regardless. */
const RAMP_LIMIT_S = 5;
/** What each connection asks until every connection has been accepted. */
const RAMP_PATH = "/health";

type Context = { ramp?: boolean };
type Request = { method: LoadSpec["method"]; path: string; body?: string; headers?: Record<string, string>; setupRequest?: (req: autocannon.Request, context: Context) => autocannon.Request };

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const pathFn = typeof spec.path === "function" ? spec.path : undefined;
  const firstPath = typeof spec.path === "function" ? spec.path() : spec.path;
  const warmup = spec.warmup ?? 0;
  const steady = !spec.amount;
  let loaded = !steady; // every connection accepted: the measured requests go out
  const requests: Request[] = spec.sequence?.map((r) => ({ ...r, headers: { ...spec.headers, ...r.headers } })) ?? [
    {
      method: spec.method,
      path: firstPath,
      headers: spec.headers,
      body: spec.body,
      ...(pathFn ? { setupRequest: (req: autocannon.Request) => ({ ...req, path: pathFn() }) } : {}),
    },
  ];
  const instance = autocannon({
    url: spec.url,
    connections: spec.connections,
    // steady state: stopped by the window below; the duration is only a bound
    ...(spec.amount ? { amount: spec.amount } : { duration: RAMP_LIMIT_S + warmup + spec.duration + 5 }),
    timeout: 10,
    // how often autocannon looks at a stop request (default 1 s)
    sampleInt: 100,
    requests: steady
      ? requests.map((r) => ({
          ...r,
          // the ramp's requests: marked in the connection's context, which the answer finds there
          setupRequest: (req: autocannon.Request, context: Context) => {
            context.ramp = !loaded;
            if (!loaded) return { ...req, method: "GET", path: RAMP_PATH, body: undefined };
            return r.setupRequest ? r.setupRequest(req, context) : req;
          },
        }))
      : requests,
  } as autocannon.Options);
  const started = performance.now();
  const answered = new Set<object>();
  const latencies: number[] = [];
  const byMethod = new Map<string, number[]>();
  const split = new Set(spec.sequence?.map((r) => r.method)).size > 1;
  let loadedAt = 0;
  let window: { start: number; end?: number; cpu?: number; cpuEnd?: number } | undefined;
  let stopTimer: NodeJS.Timeout | undefined;
  const load = () => {
    if (loaded) return;
    loaded = true;
    loadedAt = performance.now();
    clearTimeout(rampTimer);
  };
  const rampTimer = steady ? setTimeout(load, RAMP_LIMIT_S * 1000) : undefined;
  if (steady)
    (instance as unknown as EventEmitter).on("response", (client: { requestIterator: { context: Context; currentRequest?: { method?: string } } }, _status: number, _bytes: number, ms: number) => {
      if (client.requestIterator.context.ramp) {
        answered.add(client);
        if (answered.size >= spec.connections) load();
        return;
      }
      if (!window) {
        if (performance.now() - loadedAt < warmup * 1000) return;
        window = { start: performance.now(), cpu: spec.cpuSeconds?.() };
        stopTimer = setTimeout(() => {
          window!.end = performance.now();
          window!.cpuEnd = spec.cpuSeconds?.();
          (instance as unknown as { stop(): void }).stop();
        }, spec.duration * 1000);
      }
      if (window.end !== undefined) return;
      latencies.push(ms);
      // the answered request is still the iterator's current one (it moves on when the next is sent)
      if (split) {
        const method = client.requestIterator.currentRequest?.method ?? "?";
        const seen = byMethod.get(method);
        if (seen) seen.push(ms);
        else byMethod.set(method, [ms]);
      }
    });
  const result = await instance;
  clearTimeout(rampTimer);
  clearTimeout(stopTimer);
  const statuses: Record<string, number> = {};
  for (const [code, s] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = s.count ?? 0;
  const counts = { non2xx: result.non2xx, statuses, errors: result.errors, timeouts: result.timeouts };
  if (!steady)
    return {
      requests: result.requests.total,
      rps: result.requests.total / result.duration,
      p50: result.latency.p50,
      p99: result.latency.p99,
      mean: result.latency.mean,
      ...counts,
      seconds: result.duration,
    };
  // no measured request answered within the run (each one outlasted it)
  if (!window) return { requests: 0, rps: 0, p50: 0, p99: 0, mean: 0, ...counts, seconds: (performance.now() - (loadedAt || started)) / 1000 };
  const seconds = ((window.end ?? performance.now()) - window.start) / 1000;
  const cpu = window.cpu !== undefined && window.cpuEnd !== undefined ? window.cpuEnd - window.cpu : undefined;
  const methods = Object.fromEntries([...byMethod].map(([method, ms]) => [method, { requests: ms.length, p50: percentile(ms, 0.5), p99: percentile(ms, 0.99) }]));
  return {
    requests: latencies.length,
    rps: latencies.length / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    mean: latencies.length ? round(latencies.reduce((a, b) => a + b, 0) / latencies.length) : 0,
    ...counts,
    seconds,
    rampSeconds: (loadedAt - started) / 1000,
    ...(cpu !== undefined && latencies.length ? { cpuUsPerReq: (cpu * 1e6) / latencies.length } : {}),
    ...(split ? { byMethod: methods } : {}),
  };
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/** The `q` quantile of `ms` (sorted in place), to 0.1 ms; 0 when empty. */
function percentile(ms: number[], q: number): number {
  if (!ms.length) return 0;
  ms.sort((a, b) => a - b);
  return round(ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)]!);
}
