/**
 * Maintenance mode (setting `maintenance_mode` = true): every write by anyone but a superadmin
 * answers 503 with the error body; reads still work. A write is any REST request that is not
 * GET/HEAD/OPTIONS — except signing in, refreshing and signing out, so admins can still get in
 * to switch the mode off — and any GraphQL operation document with a mutation other than
 * login/refreshToken/logout. Costs nothing while the mode is off (one cached lookup).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Kind, parse } from "graphql";
import type { Services } from "../core/context.ts";
import { inMaintenance } from "../core/settings/features.ts";

const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const ALWAYS_ALLOWED = new Set(["/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/logout"]);
const SESSION_MUTATIONS = new Set(["login", "refreshToken", "logout"]);
const MESSAGE = "The service is in maintenance mode; writes are disabled for now. Reads still work.";

function isSuperadmin(req: FastifyRequest): boolean {
  const p = req.ctx?.principal;
  return p?.kind === "user" && p.superadmin;
}

function refuse(reply: FastifyReply, graphql: boolean) {
  reply.header("retry-after", "60");
  const body = { error: "Service unavailable", message: MESSAGE, detail: MESSAGE, code: "MAINTENANCE_MODE", details: null };
  return reply.status(503).send(graphql ? { ...body, errors: [{ message: MESSAGE, extensions: { code: "MAINTENANCE_MODE", http: { status: 503 } } }] } : body);
}

/** True when a GraphQL request body holds a mutation other than the session ones. */
function graphqlWrites(body: unknown): boolean {
  let payload = body;
  if (typeof payload === "string") {
    try {
      payload = JSON.parse(payload);
    } catch {
      return false; // not JSON: Yoga answers it; a bad body cannot run a mutation
    }
  }
  const docs = (Array.isArray(payload) ? payload : [payload]).map((p) => (p as { query?: unknown } | null)?.query);
  for (const query of docs) {
    if (typeof query !== "string") continue;
    let doc;
    try {
      doc = parse(query, { noLocation: true, maxTokens: 10_000 });
    } catch {
      continue;
    }
    for (const def of doc.definitions) {
      if (def.kind !== Kind.OPERATION_DEFINITION || def.operation !== "mutation") continue;
      if (def.selectionSet.selections.some((s) => s.kind !== Kind.FIELD || !SESSION_MUTATIONS.has(s.name.value))) return true;
    }
  }
  return false;
}

/** Adds the maintenance hooks (after the context hook). */
export function registerMaintenance(app: FastifyInstance, services: Services): void {
  app.addHook("onRequest", async (req, reply) => {
    if (READ_METHODS.has(req.method) || !inMaintenance(services) || isSuperadmin(req)) return;
    const url = req.routeOptions.url ?? "";
    if (url.startsWith("/graphql") || ALWAYS_ALLOWED.has(url)) return;
    return refuse(reply, false);
  });
  // GraphQL writes are only known once the body is read.
  app.addHook("preHandler", async (req, reply) => {
    if (req.method !== "POST" || !(req.routeOptions.url ?? "").startsWith("/graphql") || !inMaintenance(services) || isSuperadmin(req)) return;
    if (graphqlWrites(req.body)) return refuse(reply, true);
  });
}
