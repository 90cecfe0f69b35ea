/**
 * Refuses U+0000 anywhere in a REST request's strings, once, before validation and the handler:
 * path parameters and the query string answer 400 (`Invalid path parameter 'id': …`), a JSON
 * body 422 naming the field (`body.data.name`, like schema validation errors). PostgreSQL cannot
 * store NUL in text or jsonb, SQLite can: refusing it at the edge gives both databases the same
 * answer and keeps data portable between them. /graphql is left to the GraphQL layer
 * (use-refuse-nul.ts), which also covers its fast lane and websockets.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { BadRequestError, ValidationError } from "../../core/errors.ts";
import { findNul } from "../../lib/find-nul.ts";

const PROBLEM = "must not contain NUL (\\u0000) characters";

/** Adds the hook to `app` (after the context hook, whose `req.routeConfig` it reads; before the routes are declared). */
export function registerNulGuard(app: FastifyInstance): void {
  // A callback hook (it never waits): an async one costs every request a promise. A throw is
  // answered like a rejection (Fastify's hook runner catches it).
  app.addHook("preValidation", (req, _reply, done) => {
    refuseNul(req);
    done();
  });
}

function refuseNul(req: FastifyRequest): void {
  if (req.routeConfig?.url === "/graphql") return;
  const param = findNul(req.params, "");
  if (param !== undefined) throw new BadRequestError(`Invalid path parameter '${param}': ${PROBLEM}`, { field: param });
  const query = findNul(req.query, "");
  if (query !== undefined) throw new BadRequestError(`Invalid query parameter '${query}': ${PROBLEM}`, { field: query });
  const body = findNul(req.body, "body");
  if (body !== undefined) {
    const fields: Record<string, string> = Object.create(null);
    fields[body] = PROBLEM;
    throw new ValidationError(`Invalid ${body}: ${PROBLEM}`, fields);
  }
}
