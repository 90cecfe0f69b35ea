/**
 * The platform policies for REST, decided by the operation each route declares — never by the
 * HTTP method or the path. Every route under /api must declare one in its config:
 *
 *     api.post("/things/search", { config: { operation: READ }, schema }, handler)
 *
 * Registering a route under /api without it throws at start-up (an `onRoute` hook), so a new
 * dialect cannot forget it; a dialect whose reads are POSTs declares `read` and is served in
 * maintenance mode and to read-scope keys. One `onRequest` hook (after the context and rate-limit
 * hooks) answers a refused API key 401 (audited), then asks the core (core/policy) whether the
 * caller may run the operation: maintenance mode (503) and the key's scopes (403).
 */
import type { FastifyInstance } from "fastify";
import { INVALID_API_KEY } from "../../core/auth/caller.ts";
import { audit } from "../../core/audit/audit.ts";
import { UnauthenticatedError } from "../../core/errors.ts";
import { checkOperation } from "../../core/policy/check-operation.ts";
import { isOperation, type Operation } from "../../core/policy/operation.ts";
import { rejectedKey } from "./context.ts";

declare module "fastify" {
  interface FastifyContextConfig {
    /** what the route does, for the platform policies (core/policy/operation.ts) */
    operation?: Operation;
  }
}

/** Routes under /api must declare their operation. */
function mustDeclare(url: string): boolean {
  return url === "/api" || url.startsWith("/api/");
}

/**
 * Adds the policy hook and the registration check. Call after the context and rate-limit hooks
 * and before any route is declared.
 */
export function registerPolicy(app: FastifyInstance): void {
  app.addHook("onRoute", (route) => {
    if (!mustDeclare(route.url)) return;
    const op = (route.config as { operation?: unknown } | undefined)?.operation;
    if (!isOperation(op)) {
      const methods = Array.isArray(route.method) ? route.method.join(",") : route.method;
      throw new Error(`Route ${methods} ${route.url} declares no operation: add config: { operation: READ | WRITE | SESSION | ADMIN } (core/policy/operation.ts)`);
    }
  });
  // A callback hook (it never waits): an async one costs every request a promise. A throw is
  // answered like a rejection (Fastify's hook runner catches it).
  app.addHook("onRequest", (req, _reply, done) => {
    const rejected = rejectedKey(req);
    if (rejected) {
      audit(req.ctx, {
        eventType: "api_key",
        eventAction: "use_denied",
        severity: "warning",
        outcome: "failure",
        userId: rejected.userId ?? null,
        resourceType: "api_key",
        resourceId: rejected.keyId ?? null,
        description: `API key refused: ${rejected.reason.replace("_", " ")}`,
        details: { reason: rejected.reason, method: req.method, path: req.url.split("?")[0] },
      });
      throw new UnauthenticatedError(INVALID_API_KEY);
    }
    // Routes without a declaration (/health, /docs, /graphql) are not operations of their own:
    // GraphQL decides per operation (graphql/use-policy.ts).
    const op = req.routeConfig?.operation;
    if (op) checkOperation(req.ctx, op);
    done();
  });
}
