/**
 * One log line per HTTP request, at `info`, once the response is sent: method, url, status,
 * duration (ms) and the request id (`reqId`, bound by Fastify to every request's logger). It
 * replaces Fastify's two lines ("incoming request" and "request completed" with the serialized
 * request and reply). A request that failed while sending logs at `error` with the error.
 * Below `info` nothing is built or written, so a `warn` server pays nothing for it.
 */
import { LogController, type FastifyReply, type FastifyRequest } from "fastify";

const INFO_OR_LOWER: ReadonlySet<string> = new Set(["info", "debug", "trace"]);

/** Fastify's log controller (the `logController` server option) with the line above. */
export class RequestLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (!error && !INFO_OR_LOWER.has(reply.log.level)) return;
    const ms = Math.round(reply.elapsedTime * 10) / 10;
    const line = { method: request.method, url: request.url, status: reply.statusCode, ms };
    const msg = `${request.method} ${request.url} ${reply.statusCode} ${ms} ms`;
    if (error) reply.log.error({ ...line, err: error }, msg);
    else reply.log.info(line, msg);
  }
}
