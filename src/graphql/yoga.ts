/**
 * The Yoga server: schema from the schema manager (swapped live), GraphiQL (graphiql-assets.ts),
 * SSE subscriptions, hardening (depth, cost and alias limits; parser and validation caches;
 * CSRF prevention for GET and simple POSTs; introspection switch), the error mapping, and the
 * platform policies per operation (use-policy.ts).
 */
import { costLimitPlugin } from "@escape.tech/graphql-armor-cost-limit";
import { maxAliasesPlugin } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthPlugin } from "@escape.tech/graphql-armor-max-depth";
import type { FastifyReply, FastifyRequest } from "fastify";
import { GraphQLError, type ValidationContext } from "graphql";
import { createYoga, type YogaLogger, type YogaServerInstance } from "graphql-yoga";
import type { Context, Logger, Principal, Services } from "../core/context.ts";
import { authenticate } from "../core/auth/caller.ts";
import type { GraphqlContext } from "./builder.ts";
import { mapGraphqlError, useErrorMapping } from "./errors.ts";
import { graphiqlAssets, renderGraphiqlPage } from "./graphiql-assets.ts";
import type { SchemaManager } from "./schema-manager.ts";
import { useCsrfPrevention } from "./use-csrf-prevention.ts";
import { useIntrospectionControl } from "./use-introspection-control.ts";
import { usePolicy } from "./use-policy.ts";
import { limitError, useInputLimits } from "./use-input-limits.ts";
import { useRefuseNul } from "./use-refuse-nul.ts";
import { useSchemaSwap } from "./use-schema-swap.ts";
import { useSignInHint } from "./use-sign-in-hint.ts";
import { useJit } from "./use-jit.ts";
import { importsOf, uploadsOf } from "./multipart.ts";

/** Hardening limits (documented in README "GraphQL"). */
export const LIMITS = { maxDepth: 12, maxCost: 50_000, maxAliases: 30 } as const;

/** graphql-armor: report a limit as a validation error answered 400 whatever the `Accept` header. */
const armor = { propagateOnRejection: false, onReject: [(ctx: ValidationContext | null, e: GraphQLError) => ctx?.reportError(limitError(e.message.replace(/^Syntax Error: /, "")))] };

/** What Yoga hands the context factory: Fastify's request over HTTP, or our websocket data. */
export interface ServerContext {
  req?: FastifyRequest;
  reply?: FastifyReply;
  request?: Request;
  /** set for websocket operations (ws.ts) */
  ws?: { principal: Principal; requestId: string; headers: Record<string, string | string[] | undefined>; ip: string };
}

export type CairnYoga = YogaServerInstance<ServerContext, GraphqlContext>;

function yogaLogger(log: Logger): YogaLogger {
  const fmt = (args: unknown[]) => (args[0] instanceof Error ? { err: args[0] } : { args });
  return {
    debug: (...args: unknown[]) => log.debug(fmt(args), "graphql-yoga"),
    info: (...args: unknown[]) => log.info(fmt(args), "graphql-yoga"),
    warn: (...args: unknown[]) => log.warn(fmt(args), "graphql-yoga"),
    // Client mistakes (syntax, validation, limits) are GraphQL errors without a cause: not ours to alarm about.
    error: (...args: unknown[]) => (args[0] instanceof GraphQLError && !args[0].originalError ? log.debug(fmt(args), "graphql-yoga: client error") : log.error(fmt(args), "graphql-yoga")),
  };
}

/** The core context for an operation: the REST hook's when present, else authenticated here. */
async function coreContext(services: Services, sc: ServerContext): Promise<Context> {
  if (sc.ws) {
    const { principal, requestId, headers, ip } = sc.ws;
    return { requestId, principal, services, log: services.log, request: { method: "WS", query: {}, headers, ip } };
  }
  if (sc.req?.ctx) return sc.req.ctx;
  const headers = sc.request?.headers;
  const principal = await authenticate(services, { authorization: headers?.get("authorization") ?? undefined, cookie: headers?.get("cookie") ?? undefined });
  const requestId = crypto.randomUUID();
  return { requestId, principal, services, log: services.log };
}

/** Creates the Yoga instance for the app. */
export function createCairnYoga(services: Services, manager: SchemaManager): CairnYoga {
  const introspection = services.config.graphqlIntrospection;
  return createYoga<ServerContext, GraphqlContext>({
    graphqlEndpoint: "/graphql",
    landingPage: false,
    logging: yogaLogger(services.log),
    // Bearer tokens work from the allowed origins (CAIRN_CORS_ORIGINS, default any); cookies are
    // never sent cross-origin (no credentials). REST answers CORS the same way (rest/http/cors.ts).
    cors: { origin: [...services.config.corsOrigins], credentials: false },
    batching: false,
    multipart: false,
    parserAndValidationCache: true,
    graphiql: introspection ? { title: "Cairn GraphQL", subscriptionsProtocol: "WS", shouldPersistHeaders: true } : false,
    // A small page referencing hashed, compressed assets (graphiql-assets.ts); the 9 MB GraphiQL
    // module (~47 MiB resident) they come from loads when a browser first asks.
    renderGraphiQL: (options) => renderGraphiqlPage(graphiqlAssets(), options),
    maskedErrors: { maskError: (error) => mapGraphqlError(error, undefined, services.log) },
    context: async (sc) => ({ cairn: await coreContext(services, sc), loaders: new Map(), records: new Map(), uploads: uploadsOf(sc.req), importUploads: importsOf(sc.req) }),
    plugins: [
      useInputLimits(),
      useSchemaSwap(manager),
      useSignInHint(manager),
      useCsrfPrevention(),
      useIntrospectionControl(introspection),
      maxDepthPlugin({ n: LIMITS.maxDepth, ignoreIntrospection: true, flattenFragments: true, ...armor }),
      costLimitPlugin({ maxCost: LIMITS.maxCost, ignoreIntrospection: true, ...armor }),
      maxAliasesPlugin({ n: LIMITS.maxAliases, ...armor }),
      useRefuseNul(),
      useErrorMapping(),
      usePolicy(),
      useJit(),
    ],
  });
}
