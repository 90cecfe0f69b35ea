/**
 * One autocannon run, reduced to what the report needs. Every response must be 2xx: non-2xx
 * answers, connection errors and timeouts are counted and make the scenario fail.
 */
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
  /** seconds */
  duration: number;
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
  /** server CPU time (user + system) per request, µs — set by the runner, which knows the pid */
  cpuUsPerReq?: number;
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const pathFn = typeof spec.path === "function" ? spec.path : undefined;
  const firstPath = typeof spec.path === "function" ? spec.path() : spec.path;
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    ...(spec.amount ? { amount: spec.amount } : { duration: spec.duration }),
    timeout: 10,
    requests: spec.sequence?.map((r) => ({ ...r, headers: { ...spec.headers, ...r.headers } })) ?? [
      {
        method: spec.method,
        path: firstPath,
        headers: spec.headers,
        body: spec.body,
        ...(pathFn ? { setupRequest: (req: autocannon.Request) => ({ ...req, path: pathFn() }) } : {}),
      },
    ],
  });
  const statuses: Record<string, number> = {};
  for (const [code, s] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = s.count ?? 0;
  return {
    requests: result.requests.total,
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    mean: result.latency.mean,
    non2xx: result.non2xx,
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds: result.duration,
  };
}
