/**
 * Builds the core Context for each HTTP request: authenticates the bearer token
 * (or `access_token` cookie) and records the request facts rules may read.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { DEFAULT_ACCOUNT_ID, type Context, type Principal, type Services } from "../core/context.ts";

declare module "fastify" {
  interface FastifyRequest {
    ctx: Context;
  }
}

/** The request headers authentication reads (HTTP requests, or a websocket's connection params). */
export interface AuthHeaders {
  authorization?: string | undefined;
  cookie?: string | undefined;
}

function bearer(headers: AuthHeaders): string | undefined {
  const h = headers.authorization;
  if (h) {
    const m = /^Bearer\s+(\S+)$/i.exec(h);
    return m?.[1];
  }
  const cookie = headers.cookie;
  if (cookie) {
    const m = /(?:^|;\s*)access_token=([^;]+)/.exec(cookie);
    return m?.[1];
  }
  return undefined;
}

/**
 * Resolves the caller from request headers (`Authorization: Bearer …` or the `access_token`
 * cookie); invalid or expired tokens mean anonymous. Shared by REST, GraphQL over HTTP and
 * GraphQL websockets (`connectionParams.authorization`).
 */
export async function authenticate(services: Services, headers: AuthHeaders): Promise<Principal> {
  const token = bearer(headers);
  if (token) {
    const claims = await services.tokens.verifyAccess(token);
    if (claims) {
      return {
        kind: "user",
        userId: claims.sub,
        accountId: claims.acc,
        email: claims.email,
        role: claims.role,
        superadmin: claims.sa,
        roleId: claims.rid ?? (claims.role === "admin" ? 1 : 2),
        ...(claims.sid ? { sessionId: claims.sid } : {}),
      };
    }
  }
  return { kind: "anonymous", accountId: DEFAULT_ACCOUNT_ID };
}

export function registerContext(app: FastifyInstance, services: Services): void {
  app.decorateRequest("ctx", null as unknown as Context);
  app.addHook("onRequest", async (req) => {
    const principal = await authenticate(services, req.headers);
    req.ctx = {
      requestId: req.id,
      principal,
      services,
      log: req.log,
      request: { method: req.method, query: req.query as Record<string, unknown>, headers: req.headers, ip: req.ip },
    };
  });
}
