/**
 * One delivery attempt: POST the body to the target and report what happened. Never throws.
 *
 * - The host is resolved and checked by the SSRF guard (target.ts) first; the socket connects to
 *   that checked address (a fixed `lookup`), TLS still verifies the host name.
 * - One time limit covers resolving, connecting, sending and reading the answer.
 * - Redirects are not followed: a 3xx is the answer.
 * - The answer's body is read up to 1 KiB for the log; a longer one ends the connection.
 * - Sockets are kept alive per target between attempts (shared agents).
 */
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { resolveTarget, TargetRefusedError, type Resolver } from "./target.ts";

/** Characters of the answer's body kept in the delivery log. */
const KEPT_BODY = 1024;

export interface AttemptResult {
  /** HTTP status, or null when no answer came (refused, network error, timeout) */
  status: number | null;
  body: string | null;
  durationMs: number;
  error: string | null;
  /** true when the guard refused the target (no connection was made) */
  refused: boolean;
}

export interface SendOptions {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  allowPrivate: boolean;
  resolve?: Resolver;
  /** aborts the attempt (shutdown) */
  signal?: AbortSignal;
}

const agents = {
  "http:": new http.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16 }),
  "https:": new https.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16 }),
};

/** Sends one attempt (see the module comment). */
export async function sendAttempt(o: SendOptions): Promise<AttemptResult> {
  const started = performance.now();
  const took = () => Math.round(performance.now() - started);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`timed out after ${o.timeoutMs} ms`)), o.timeoutMs);
  const onAbort = () => controller.abort(o.signal?.reason ?? new Error("aborted"));
  o.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const url = new URL(o.url);
    const target = await Promise.race([resolveTarget(url, o.allowPrivate, o.resolve), aborted(controller.signal)]);
    const lookup: LookupFunction = (_host, opts, cb) => {
      if ((opts as { all?: boolean }).all) (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [target]);
      else cb(null, target.address, target.family);
    };
    const { status, body } = await post(url, o, lookup, controller.signal);
    return { status, body, durationMs: took(), error: status >= 500 ? `HTTP ${status}` : null, refused: false };
  } catch (e) {
    const reason = controller.signal.aborted ? controller.signal.reason : e;
    return { status: null, body: null, durationMs: took(), error: describe(reason), refused: reason instanceof TargetRefusedError };
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener("abort", onAbort);
  }
}

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason as Error);
    else signal.addEventListener("abort", () => reject(signal.reason as Error), { once: true });
  });
}

function post(url: URL, o: SendOptions, lookup: LookupFunction, signal: AbortSignal): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === "https:" ? https : http;
    const req = mod.request(url, {
      method: "POST",
      agent: agents[url.protocol as "http:" | "https:"],
      lookup,
      signal,
      headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(o.body)), "user-agent": "Cairn-Webhooks/1", ...o.headers },
    });
    req.on("error", reject);
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        if (size < KEPT_BODY) chunks.push(c);
        size += c.length;
        // do not read a long answer: keep its start, drop the connection
        if (size > 64 * 1024) res.destroy();
      });
      const done = () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8").slice(0, KEPT_BODY) });
      res.on("end", done);
      res.on("close", done);
      res.on("error", () => done());
    });
    req.end(o.body);
  });
}

/** A short description of a failure for the delivery log (no stack, no internals). */
function describe(e: unknown): string {
  if (e instanceof TargetRefusedError) return `refused: ${e.message}`;
  const err = e as { code?: string; message?: string };
  if (err?.code === "ECONNREFUSED") return "connection refused";
  if (err?.code === "ENOTFOUND" || err?.code === "EAI_AGAIN") return `host not found (${err.code})`;
  if (err?.code === "ECONNRESET") return "connection reset";
  if (err?.code === "ABORT_ERR" || err?.message === "aborted") return err.message ?? "aborted";
  return (err?.message ?? String(e)).slice(0, 300);
}
