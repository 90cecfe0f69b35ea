/**
 * Mounts GraphQL on the Fastify server: Yoga at `/graphql` (GET/POST, GraphiQL, SSE),
 * graphql-ws on the same port and path, and the schema manager (rebuild on collection changes).
 * Subscriptions read the realtime hub it is given; what feeds the hub is wired by the
 * composition root (src/realtime/live-events.ts).
 */
import { assertGraphqlNamesFree } from "./names.ts";
import type { FastifyInstance } from "fastify";
import type { Services } from "../core/context.ts";
import type { RealtimeHub } from "../realtime/hub.ts";
import { fastGraphql } from "./fast-path.ts";
import { SchemaManager } from "./schema-manager.ts";
import { attachGraphqlWs } from "./ws.ts";
import { createCairnYoga, type CairnYoga } from "./yoga.ts";

export interface GraphqlHandle {
  readonly manager: SchemaManager;
  readonly hub: RealtimeHub;
  readonly yoga: CairnYoga;
  /** Ends subscriptions, closes websockets, stops schema rebuilds. Call before closing the server. */
  close(): Promise<void>;
}

/** Registers GraphQL on `server` (before it listens); subscriptions are served from `hub`. */
export async function registerGraphql(server: FastifyInstance, services: Services, hub: RealtimeHub): Promise<GraphqlHandle> {
  // Collections whose generated GraphQL names would collide are refused before anything is written.
  const removeNameCheck = services.collections.addNameCheck(assertGraphqlNamesFree);
  const manager = new SchemaManager(services, hub);
  manager.start();
  const yoga = createCairnYoga(services, manager);

  await server.register(async (scope) => {
    // Yoga reads the body itself (JSON, GraphQL-over-HTTP media types, or none): keep it as
    // text, within the body limit, so Yoga answers bad bodies the GraphQL-over-HTTP way.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "string", bodyLimit: services.config.bodyLimit }, (_req, body, done) => done(null, body));
    scope.route({
      url: yoga.graphqlEndpoint,
      method: ["GET", "POST", "OPTIONS"],
      schema: { hide: true },
      handler: async (req, reply) => {
        if (await fastGraphql(yoga, req, reply)) return reply;
        const response = await yoga.handleNodeRequestAndResponse(req, reply, { req, reply });
        response.headers.forEach((value, key) => void reply.header(key, value));
        reply.status(response.status);
        return reply.send(response.body);
      },
    });
  });
  const closeWs = attachGraphqlWs(server, yoga, services);

  let closed = false;
  const close = async () => {
    if (closed) return;
    removeNameCheck();
    closed = true;
    manager.stop();
    hub.close();
    await closeWs();
  };
  server.addHook("preClose", close);
  return { manager, hub, yoga, close };
}
