/**
 * A fast lane for the common GraphQL request: a same-origin (no `Origin`) JSON POST carrying a
 * valid query or mutation, answered as JSON. It runs the same envelop pipeline Yoga runs — its
 * `getEnveloped`: the swapped schema, parser and validation caches, the limits, the context
 * factory, the error mapping — and skips only Yoga's Fetch-API emulation of the HTTP exchange,
 * which cost more CPU than executing a 30-record list.
 *
 * Everything else goes to Yoga untouched, decided before anything executes: other methods and
 * media types, CORS requests, SSE and multipart answers, subscriptions, bodies that are not a
 * plain GraphQL request, and documents that fail to parse or validate or whose variables do not
 * coerce (Yoga answers those per the GraphQL-over-HTTP spec).
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { getOperationAST, type ExecutionResult, type GraphQLError } from "graphql";
import { sendPolicyRefusal } from "./use-policy.ts";
import type { CairnYoga } from "./yoga.ts";

type JsonType = "application/graphql-response+json" | "application/json";

/** The media type to answer with, or undefined when Yoga should negotiate (streams, others). */
function answerType(accept: string | undefined): JsonType | undefined {
  if (!accept || accept.trim() === "") return "application/json";
  for (const part of accept.split(",")) {
    const type = part.split(";")[0]!.trim().toLowerCase();
    if (type === "application/graphql-response+json" || type === "application/json") return type;
    if (type === "*/*" || type === "application/*") return "application/json";
    if (type === "text/event-stream" || type === "multipart/mixed") return undefined;
  }
  return undefined;
}

interface Params {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
  extensions?: Record<string, unknown> | null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function readParams(body: unknown): Params | undefined {
  if (typeof body !== "string" || body.length === 0) return undefined;
  let p: unknown;
  try {
    p = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isObject(p) || typeof p.query !== "string") return undefined;
  if (p.variables != null && !isObject(p.variables)) return undefined;
  if (p.operationName != null && typeof p.operationName !== "string") return undefined;
  if (p.extensions != null && !isObject(p.extensions)) return undefined;
  return p as unknown as Params;
}

/** An error as sent: without the HTTP hints Yoga also strips. */
function publicError(e: GraphQLError): unknown {
  const { extensions: all, ...json } = e.toJSON();
  if (!all) return json;
  const { http: _http, unexpected: _unexpected, ...extensions } = all as Record<string, unknown>;
  return Object.keys(extensions).length ? { ...json, extensions } : json;
}

/**
 * Answers the request when it qualifies (see the module comment) and returns true; returns false,
 * having executed nothing, when Yoga should answer it.
 */
export async function fastGraphql(yoga: CairnYoga, req: FastifyRequest, reply: FastifyReply): Promise<boolean> {
  if (req.method !== "POST" || req.headers.origin !== undefined) return false;
  const contentType = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (contentType !== "application/json") return false;
  const type = answerType(req.headers.accept);
  if (!type) return false;
  const params = readParams(req.body);
  if (!params) return false;

  const { parse, validate, contextFactory, execute, schema } = yoga.getEnveloped({ req, reply, params } as any);
  let document;
  try {
    document = parse(params.query);
  } catch {
    return false;
  }
  const operation = getOperationAST(document, params.operationName ?? undefined);
  if (!operation || operation.operation === "subscription") return false;
  try {
    // Validation rules may also throw (graphql-armor's limits do): Yoga answers those too.
    if (validate(schema, document).length > 0) return false;
  } catch {
    return false;
  }

  const contextValue = await contextFactory();
  const result = (await execute({ schema, document, variableValues: params.variables ?? undefined, operationName: params.operationName ?? undefined, contextValue })) as ExecutionResult;
  // Variables that do not coerce stop execution before any resolver ran: let Yoga answer.
  if (!("data" in result) || (result as unknown as AsyncIterable<unknown>)[Symbol.asyncIterator]) return false;

  // Refused by the policy plugin (maintenance, scopes, auth rate tiers): the HTTP refusal shape.
  if (sendPolicyRefusal(reply, contextValue.cairn)) return true;
  let status = 200;
  for (const e of result.errors ?? []) {
    const http = e.extensions?.http as { status?: number; headers?: Record<string, string> } | undefined;
    if (http?.status && http.status > status) status = http.status;
    // As Yoga does: an error's HTTP headers (Retry-After on 429 and 503) reach the response.
    for (const [name, value] of Object.entries(http?.headers ?? {})) reply.header(name, value);
  }
  const body: Record<string, unknown> = {};
  if (result.errors?.length) body.errors = result.errors.map(publicError);
  body.data = result.data;
  if (result.extensions && Object.keys(result.extensions).length) body.extensions = result.extensions;
  reply.status(status).header("content-type", `${type}; charset=utf-8`).send(JSON.stringify(body));
  return true;
}
