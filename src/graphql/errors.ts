/**
 * The GraphQL error mapping, done once: AppError → `extensions.code` (UNAUTHENTICATED,
 * FORBIDDEN, NOT_FOUND, BAD_USER_INPUT, CONFLICT, RATE_LIMITED, MAINTENANCE_MODE) and `extensions.http.status`;
 * ValidationError.fields → `extensions.fields`; filter errors → BAD_USER_INPUT; a database outage
 * → SERVICE_UNAVAILABLE with status 503 and Retry-After (even on a partial result). Anything else
 * is logged with the request id and masked as INTERNAL. Yoga turns `http.status` into the
 * response status and strips it from the body; `useErrorMapping` keeps it only when the whole
 * operation failed (data null), so partial results stay 200 as GraphQL over HTTP requires.
 */
import type { Plugin } from "graphql-yoga";
import { GraphQLError, Source, type ExecutionResult, type SourceLocation } from "graphql";
import { AppError, fromDriverError, RateLimitedError, ServiceUnavailableError, ValidationError, type ErrorCode } from "../core/errors.ts";
import type { Logger } from "../core/context.ts";
import { MaintenanceError } from "../core/policy/maintenance.ts";
import { FilterError } from "../query/ast.ts";
import type { GraphqlContext } from "./builder.ts";

const CODES: Record<ErrorCode, string> = {
  BAD_REQUEST: "BAD_USER_INPUT",
  VALIDATION_ERROR: "BAD_USER_INPUT",
  PAYLOAD_TOO_LARGE: "BAD_USER_INPUT",
  UNAUTHENTICATED: "UNAUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  RATE_LIMITED: "RATE_LIMITED",
  MAINTENANCE_MODE: "MAINTENANCE_MODE",
  SERVICE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
  INTERNAL: "INTERNAL",
};

/** The innermost non-GraphQL error behind a GraphQLError, if any. */
function rootCause(e: GraphQLError): unknown {
  let cause: unknown = e.originalError;
  while (cause instanceof GraphQLError && cause.originalError) cause = cause.originalError;
  return cause instanceof GraphQLError ? undefined : cause;
}

const mapped = new WeakSet<GraphQLError>();

/**
 * A source and positions that put an error at `locations`. Errors of compiled execution
 * (graphql-jit) carry their locations without the AST nodes or source GraphQLError computes them
 * from, and every copy of an error (ours, Yoga's) rebuilds it from those: a stand-in source whose
 * lines are blank keeps the locations through every copy.
 */
function locatedAt(locations: readonly SourceLocation[] | undefined): { source?: Source; positions?: number[] } {
  if (!locations?.length) return {};
  const width = Math.max(...locations.map((l) => l.column));
  const lines = Math.max(...locations.map((l) => l.line));
  const source = new Source(Array.from({ length: lines }, () => " ".repeat(width)).join("\n"));
  return { source, positions: locations.map((l) => (l.line - 1) * (width + 1) + (l.column - 1)) };
}

/**
 * Maps one error (see the module comment). `requestId`/`log` name internal errors in the log.
 */
export function mapGraphqlError(error: unknown, requestId: string | undefined, log: (Pick<Logger, "error" | "warn"> & Partial<Pick<Logger, "debug">>) | undefined): GraphQLError {
  const gql = error instanceof GraphQLError ? error : new GraphQLError(error instanceof Error ? error.message : String(error), { originalError: error instanceof Error ? error : undefined });
  if (mapped.has(gql)) return gql;
  const where = { nodes: gql.nodes, source: gql.source, positions: gql.positions, path: gql.path, ...(gql.nodes || gql.source ? {} : locatedAt(gql.locations)) };
  const raw = error instanceof GraphQLError ? rootCause(gql) : error;
  // A database outage or a value the driver refused: the same AppError REST maps it to.
  const cause = raw === undefined || raw instanceof AppError ? raw : (fromDriverError(raw) ?? raw);
  let out: GraphQLError;
  if (cause instanceof AppError) {
    const extensions: Record<string, unknown> = { code: CODES[cause.code] ?? cause.code, http: { status: cause.status } };
    if (cause instanceof ValidationError && Object.keys(cause.fields).length) extensions.fields = cause.fields;
    else if (cause.details) extensions.details = cause.details;
    if (cause instanceof RateLimitedError) {
      extensions.retryAfter = cause.retryAfterSeconds;
      extensions.http = { status: 429, headers: { "retry-after": String(cause.retryAfterSeconds) } };
    } else if (cause instanceof MaintenanceError) {
      extensions.http = { status: cause.status, headers: { "retry-after": String(cause.retryAfterSeconds) } };
    }
    if (cause instanceof ServiceUnavailableError) {
      // an outage (with the driver's error) warns; a refusal decided here (rebuild, restore gate) is expected
      if (cause.cause !== undefined) log?.warn({ err: cause.cause, reqId: requestId, path: gql.path?.join(".") }, cause.message);
      else log?.debug?.({ reqId: requestId, path: gql.path?.join(".") }, cause.message);
      extensions.retryAfter = cause.retryAfterSeconds;
      extensions.http = { status: 503, headers: { "retry-after": String(cause.retryAfterSeconds) } };
    }
    out = new GraphQLError(cause.message, { ...where, extensions });
  } else if (cause instanceof FilterError) {
    out = new GraphQLError(`Invalid filter: ${cause.message}`, { ...where, extensions: { code: "BAD_USER_INPUT", http: { status: 400 } } });
  } else if (cause === undefined && !gql.path) {
    // A request error (syntax, validation, variable coercion, limits): the client's input. `spec`
    // lets Yoga answer 200 to application/json clients, 400 to graphql-response+json ones.
    const extensions = { ...gql.extensions, code: gql.extensions?.code ?? "BAD_USER_INPUT", http: gql.extensions?.http ?? { status: 400, spec: true } };
    out = gql.extensions?.code && gql.extensions?.http ? gql : new GraphQLError(gql.message, { ...where, extensions });
  } else {
    // A driver/bug error, or a field error GraphQL raised itself (e.g. null for a non-null field).
    log?.error({ err: cause ?? gql, reqId: requestId, path: gql.path?.join(".") }, "internal error in GraphQL operation");
    out = new GraphQLError(`Internal server error${requestId ? ` (request id ${requestId})` : ""}`, { ...where, extensions: { code: "INTERNAL", http: { status: 500 } } });
  }
  mapped.add(out);
  return out;
}

function withoutHttp(e: GraphQLError): GraphQLError {
  if (!e.extensions?.http) return e;
  const { http: _http, ...extensions } = e.extensions;
  const out = new GraphQLError(e.message, { nodes: e.nodes, source: e.source, positions: e.positions, path: e.path, extensions });
  mapped.add(out);
  return out;
}

function mapResult(result: ExecutionResult, g: Partial<GraphqlContext> | undefined): ExecutionResult | undefined {
  if (!result.errors?.length) return undefined;
  const errors = result.errors.map((e) => mapGraphqlError(e, g?.cairn?.requestId, g?.cairn?.log));
  // A partial result stays 200, except during an outage: proxies and clients retry on 503.
  return { ...result, errors: result.data == null ? errors : errors.map((e) => (e.extensions?.code === "SERVICE_UNAVAILABLE" ? e : withoutHttp(e))) };
}

/** Envelop plugin mapping execution and subscription errors (with the request's id and logger). */
export function useErrorMapping(): Plugin<GraphqlContext> {
  const onDone =
    (contextValue: unknown) =>
    (payload: any): any => {
      const map = ({ result, setResult }: { result: ExecutionResult; setResult: (r: ExecutionResult) => void }) => {
        const next = mapResult(result, contextValue as GraphqlContext);
        if (next) setResult(next);
      };
      // A stream (subscription) maps every result it yields; a single result is mapped now.
      if (payload.result && typeof payload.result[Symbol.asyncIterator] === "function") return { onNext: map };
      map(payload);
      return undefined;
    };
  return {
    onExecute({ args }) {
      return { onExecuteDone: onDone(args.contextValue) };
    },
    onSubscribe({ args }) {
      return {
        onSubscribeResult: onDone(args.contextValue),
        onSubscribeError({ error, setError }) {
          setError(mapGraphqlError(error, (args.contextValue as GraphqlContext)?.cairn?.requestId, (args.contextValue as GraphqlContext)?.cairn?.log));
        },
      };
    },
  };
}
