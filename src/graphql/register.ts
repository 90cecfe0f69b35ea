/**
 * Mounts GraphQL on the Fastify server: Yoga at `/graphql` (GET/POST, GraphiQL, SSE),
 * graphql-ws on the same port and path, GraphiQL's assets at `/graphql/assets/` (compressed, hashed
 * names, graphiql-assets.ts), and the schema manager (rebuild on collection changes).
 * Subscriptions read the realtime hub it is given; what feeds the hub is wired by the
 * composition root (src/realtime/live-events.ts).
 * Subscriptions of a user whose sessions end (core/auth/session-epochs.ts) are ended at once.
 */
import { scheduleRenameExpiry } from "./rename-aliases.ts";
import { assertGraphqlNamesFree } from "./names.ts";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Services } from "../core/context.ts";
import type { RealtimeHub } from "../realtime/hub.ts";
import { fastGraphql } from "./fast-path.ts";
import { SchemaManager } from "./schema-manager.ts";
import { attachGraphqlWs } from "./ws.ts";
import { sendPolicyRefusal } from "./use-policy.ts";
import { createCairnYoga, type CairnYoga } from "./yoga.ts";
import { ASSET_PREFIX, graphiqlAssets, pageAsset } from "./graphiql-assets.ts";
import { NotFoundError } from "../core/errors.ts";
import multipart from "@fastify/multipart";
import { discardUnclaimed, readMultipartRequest } from "./multipart.ts";
import { IMMUTABLE, REVALIDATE, type CompressedAsset } from "../lib/compressed-asset.ts";

/** Sends `asset` in the encoding the request accepts, or 304 when the client's copy is current. */
async function sendAsset(req: FastifyRequest, reply: FastifyReply, asset: CompressedAsset, cacheControl: string): Promise<FastifyReply> {
  const header = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v.join(",") : v;
  };
  const answer = await asset.answer(header("accept-encoding"), header("if-none-match"), cacheControl);
  reply.removeHeader("content-length");
  reply.headers(answer.headers).status(answer.status);
  return reply.send(answer.status === 304 ? undefined : answer.body);
}

/**
 * The body as Yoga's Node adapter should see it. The adapter runs `Object.keys` over a body it is
 * handed, which for a string means one key per character (1.7 s of CPU for a 1 MB body): a JSON
 * object body goes over parsed. Anything else (other media types, bodies that are not a JSON
 * object) stays text, so Yoga answers it the GraphQL-over-HTTP way.
 */
function bodyForYoga(req: FastifyRequest): unknown {
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (typeof req.body !== "string" || type !== "application/json") return req.body;
  try {
    const parsed: unknown = JSON.parse(req.body);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) && Object.keys(parsed).length > 0 ? parsed : req.body;
  } catch {
    return req.body;
  }
}

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
  // old names of renamed collections and fields leave the schema when their grace period ends;
  // re-armed on every registry change (every rebuild but the timer's own follows one), whether or
  // not a schema was built yet (it is built lazily)
  const stopRenameExpiry = scheduleRenameExpiry(
    () => services.collections.list(),
    () => manager.rebuild(),
    (fn) => services.collections.onChange(() => fn()),
  );
  const yoga = createCairnYoga(services, manager);
  /** GraphQL subscriptions answered as server-sent events, open now */
  let sseStreams = 0;

  await server.register(async (scope) => {
    // Yoga reads the body itself (JSON, GraphQL-over-HTTP media types, or none): keep it as
    // text, within the body limit, so Yoga answers bad bodies the GraphQL-over-HTTP way.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "string", bodyLimit: services.config.bodyLimit }, (_req, body, done) => done(null, body));
    // Uploads (the GraphQL multipart request spec): files stream into storage (multipart.ts).
    await scope.register(multipart, { limits: { fileSize: Number.MAX_SAFE_INTEGER } });
    const answerGraphql = async (req: FastifyRequest, reply: FastifyReply) => {
      if (await fastGraphql(yoga, req, reply)) return reply;
      req.body = bodyForYoga(req);
      const response = await yoga.handleNodeRequestAndResponse(req, reply, { req, reply });
      if (sendPolicyRefusal(reply, req.ctx)) return reply;
      response.headers.forEach((value, key) => void reply.header(key, value));
      if (response.status === 200 && response.headers.get("content-type")?.startsWith("text/html")) {
        // The GraphiQL page: compressed, revalidated on every load (Yoga's other headers kept).
        return sendAsset(req, reply, pageAsset(await response.text()), REVALIDATE);
      }
      reply.status(response.status);
      if (response.headers.get("content-type")?.startsWith("text/event-stream")) {
        sseStreams++;
        reply.raw.once("close", () => sseStreams--);
      }
      return reply.send(response.body);
    };
    scope.route({
      url: yoga.graphqlEndpoint,
      method: ["GET", "POST", "OPTIONS"],
      schema: { hide: true },
      // Yoga answers CORS here itself (same origins, see yoga.ts); the REST CORS hook stays out.
      config: { cors: false },
      handler: async (req, reply) => {
        if (req.isMultipart() && !(await readMultipartRequest(req, reply, services))) return reply;
        try {
          return await answerGraphql(req, reply);
        } finally {
          discardUnclaimed(req);
        }
      },
    });
    if (services.config.graphqlIntrospection) {
      // GraphiQL's scripts, stylesheet, fonts and icon under hashed names (graphiql-assets.ts).
      scope.get<{ Params: { name: string } }>(`${ASSET_PREFIX}:name`, { schema: { hide: true } }, async (req, reply) => {
        const asset = graphiqlAssets().files.get(req.params.name);
        if (asset === undefined) throw new NotFoundError(`No GraphiQL asset named "${req.params.name}".`);
        return sendAsset(req, reply, asset, IMMUTABLE);
      });
    }
  });
  const ws = attachGraphqlWs(server, yoga, services);
  const removeProbe = services.runtime.setRealtimeProbe(() => {
    const sockets = ws.counts();
    return {
      websocketConnections: sockets.connections,
      authenticatedConnections: sockets.authenticated,
      uniqueUsers: sockets.users,
      sseStreams,
      subscriptions: hub.size,
      subscriptionsById: hub.subscriptionsById(),
    };
  });
  // A user's sessions ended (on any instance): their open subscriptions end, their sockets close.
  const stopSessions = services.sessions.onEnded((userId, kept) => {
    hub.endSessions(userId, kept);
    ws.endSessions(userId, kept);
  });

  let closed = false;
  const close = async () => {
    if (closed) return;
    removeNameCheck();
    removeProbe();
    closed = true;
    stopSessions();
    manager.stop();
    stopRenameExpiry();
    hub.close();
    await ws.close();
  };
  server.addHook("preClose", close);
  return { manager, hub, yoga, close };
}
