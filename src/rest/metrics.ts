/**
 * Request counting for stats, and `GET /metrics` in the Prometheus text format (prom-client, one
 * registry per app). Every answered request (REST and `/graphql`) is counted into
 * `services.runtime` (requests per minute in /api/v1/stats). The endpoint exists only when
 * `CAIRN_METRICS=true` or `CAIRN_METRICS_TOKEN` is set; with a token it requires
 * `Authorization: Bearer <token>` (401 otherwise).
 *
 * Series: process metrics (`cairn_process_*`, `cairn_nodejs_*`), `cairn_http_requests_total`
 * and `cairn_http_request_duration_seconds` by method, route pattern and status,
 * `cairn_websocket_connections`, `cairn_sse_streams`, `cairn_subscriptions`,
 * `cairn_outbox_lag_events`, `cairn_database_size_bytes`, `cairn_uptime_seconds`,
 * `cairn_maintenance_tasks_running`, `cairn_jobs_running`, `cairn_jobs_queued`.
 */
import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { Services } from "../core/context.ts";
import { databaseSize, outboxStats } from "../core/stats/get-stats.ts";
import { errorBody } from "./errors.ts";

function tokenMatches(header: string | undefined, token: string): boolean {
  const sent = Buffer.from(/^Bearer\s+(.+)$/i.exec(header ?? "")?.[1]?.trim() ?? "");
  const want = Buffer.from(token);
  return sent.length === want.length && timingSafeEqual(sent, want);
}

/**
 * Counts requests for stats; serves /metrics when enabled. Call before routes are declared.
 * prom-client is loaded only when metrics are on (it is not needed otherwise: idle memory).
 */
export async function registerMetrics(app: FastifyInstance, services: Services): Promise<void> {
  const { runtime, config } = services;
  if (!config.metricsEnabled) {
    app.addHook("onResponse", (_req, _reply, done) => {
      runtime.requestDone();
      done();
    });
    return;
  }
  const { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } = await import("prom-client");
  const register = new Registry();
  collectDefaultMetrics({ register, prefix: "cairn_" });
  const labelNames = ["method", "route", "status"] as const;
  const requests = new Counter({ name: "cairn_http_requests_total", help: "HTTP requests answered", labelNames, registers: [register] });
  const duration = new Histogram({
    name: "cairn_http_request_duration_seconds",
    help: "Time to answer HTTP requests",
    labelNames,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [register],
  });
  const gauge = (name: string, help: string, value: () => number | Promise<number>) =>
    new Gauge({
      name,
      help,
      registers: [register],
      async collect() {
        this.set(await value());
      },
    });
  gauge("cairn_websocket_connections", "Open GraphQL websocket connections", () => runtime.realtime().websocketConnections);
  gauge("cairn_sse_streams", "Open GraphQL subscriptions over server-sent events", () => runtime.realtime().sseStreams);
  gauge("cairn_subscriptions", "Open GraphQL subscriptions (websocket and SSE)", () => runtime.realtime().subscriptions);
  gauge("cairn_outbox_lag_events", "Events the slowest outbox consumer has not handled yet", async () => (await outboxStats(services)).lag);
  gauge("cairn_database_size_bytes", "Size of the database", () => databaseSize(services));
  gauge("cairn_uptime_seconds", "Seconds since this instance started", () => runtime.uptimeSeconds());
  gauge("cairn_maintenance_tasks_running", "Backups or restores running on this instance", () => (services.gate.busy ? 1 : 0));
  gauge("cairn_jobs_running", "Jobs running on this instance", () => services.jobs.load.running);
  gauge("cairn_jobs_queued", "Jobs waiting on this instance", () => services.jobs.load.queued);

  app.addHook("onResponse", async (req, reply) => {
    runtime.requestDone();
    const labels = { method: req.method, route: req.routeOptions.url ?? "unmatched", status: String(reply.statusCode) };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });
  app.get("/metrics", { schema: { hide: true } }, async (req, reply) => {
    if (config.metricsToken && !tokenMatches(req.headers.authorization, config.metricsToken)) {
      return reply.status(401).header("www-authenticate", 'Bearer realm="metrics"').send(errorBody(401, "Metrics need Authorization: Bearer <CAIRN_METRICS_TOKEN>"));
    }
    const text = await register.metrics();
    return reply.header("content-type", register.contentType).send(text);
  });
}
