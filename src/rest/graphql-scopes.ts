/**
 * API-key scopes for GraphQL over HTTP, until the GraphQL layer checks them per operation
 * itself: before Yoga runs, an API-key caller's document is parsed and each operation it may
 * run needs its scope (query and subscription: `read`, mutation: `write`) through the core
 * guard `requireScope`. Only API-key callers pay for the extra parse; documents that do not
 * parse are left to Yoga, which answers them the GraphQL way.
 */
import type { FastifyRequest } from "fastify";
import { Kind, parse, type OperationDefinitionNode } from "graphql";
import { requireScope } from "../core/auth/guards.ts";

interface GraphqlParams {
  query?: unknown;
  operationName?: unknown;
}

function paramsOf(req: FastifyRequest): GraphqlParams | undefined {
  if (req.method === "GET") return req.query as GraphqlParams;
  const body = req.body;
  if (typeof body !== "string") return typeof body === "object" && body !== null ? (body as GraphqlParams) : undefined;
  const type = String(req.headers["content-type"] ?? "");
  if (type.includes("application/graphql") && !type.includes("json")) return { query: body };
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === "object" && parsed !== null ? (parsed as GraphqlParams) : undefined;
  } catch {
    return undefined;
  }
}

/** Throws ForbiddenError (403) when an API key lacks the scope of an operation the request may run. */
export function checkGraphqlScopes(req: FastifyRequest): void {
  const p = req.ctx.principal;
  if (p.kind !== "user" || !p.apiKey) return;
  const params = paramsOf(req);
  if (!params || typeof params.query !== "string") return;
  let operations: OperationDefinitionNode[];
  try {
    operations = parse(params.query, { noLocation: true }).definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  } catch {
    return;
  }
  const name = typeof params.operationName === "string" ? params.operationName : undefined;
  const selected = name ? operations.filter((o) => o.name?.value === name) : operations;
  for (const op of selected.length ? selected : operations) requireScope(req.ctx, op.operation === "mutation" ? "write" : "read");
}
