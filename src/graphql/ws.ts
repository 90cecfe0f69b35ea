/**
 * graphql-ws (graphql-transport-ws protocol) on the same port and path as HTTP: the Fastify
 * server's `upgrade` event for `/graphql` goes to a `ws` server in noServer mode. Operations run
 * through Yoga's envelop (same schema swap, limits, error mapping). The caller authenticates
 * with `connectionParams.authorization` ("Bearer <token>" — an access token or an API key) or
 * `connectionParams["x-api-key"]`, or the upgrade request's headers; a refused API key closes
 * the socket (4403). The `access_token` cookie counts only for a same-origin page (or an origin
 * allowed by CAIRN_CORS_ORIGINS): a cross-origin page cannot ride a browser's cookie and is
 * anonymous. Policies (maintenance, API-key scopes, auth rate tiers) apply per operation through
 * the envelop plugin (use-policy.ts), as over HTTP. When a user's sessions end (deactivation,
 * role or password change, logout-all), their sockets are closed with 4401. Subscriptions whose
 * results cannot differ share one execution per event (subscription-groups.ts).
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { FastifyInstance } from "fastify";
import { GraphQLError, type ExecutionArgs, type ExecutionResult } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import WebSocket, { WebSocketServer } from "ws";
import { authenticate, cookieToken } from "../core/auth/caller.ts";
import { SESSION_ENDED } from "../core/auth/session-epochs.ts";
import type { Config } from "../config.ts";
import type { Principal, Services } from "../core/context.ts";
import { AppError } from "../core/errors.ts";
import { SubscriptionGroups, type MemberSink } from "./subscription-groups.ts";
import type { CairnYoga } from "./yoga.ts";

type Extra = { principal?: Principal };

/** What onSubscribe hands to `execute`/`subscribe` through the root value. */
interface Root {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => Promise<ExecutionResult | AsyncIterableIterator<ExecutionResult>>;
  /** grouping key and destination of a subscription */
  group: { key: string; sink: MemberSink };
}

function withoutHttp(e: GraphQLError): GraphQLError {
  if (!e.extensions?.http) return e;
  const { http: _http, ...extensions } = e.extensions;
  return new GraphQLError(e.message, { nodes: e.nodes, source: e.source, positions: e.positions, path: e.path, extensions });
}

const header = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/**
 * May the upgrade request authenticate by cookie? Without `Origin` (not a browser page), or from
 * the server's own origin, or from an origin listed in CAIRN_CORS_ORIGINS (`config.corsOrigins`;
 * the default, any origin, never admits cookies).
 */
export function cookieOriginAllowed(req: IncomingMessage, config: Config): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return false;
  }
  if (host !== "" && host === req.headers.host) return true;
  return config.corsOrigins.some((o) => o !== "*" && o === origin);
}

export interface GraphqlWs {
  /** Closes the sockets of a user whose sessions ended (4401), except those of session `kept`. */
  endSessions(userId: string, kept: string | null): void;
  /** Open sockets, those of signed-in callers, and the distinct users behind them (stats). */
  counts(): { connections: number; authenticated: number; users: number };
  /** Closes every socket; call before closing the server. */
  close(): Promise<void>;
}

/** Attaches graphql-ws to the server's HTTP upgrades. */
export function attachGraphqlWs(server: FastifyInstance, yoga: CairnYoga, services: Services): GraphqlWs {
  const wss = new WebSocketServer({ noServer: true, maxPayload: services.config.bodyLimit });
  /** open sockets of signed-in users, by user id, with the session each belongs to */
  const byUser = new Map<string, Map<WebSocket, string | undefined>>();
  const track = (userId: string, sessionId: string | undefined, socket: WebSocket) => {
    let sockets = byUser.get(userId);
    if (!sockets) byUser.set(userId, (sockets = new Map()));
    sockets.set(socket, sessionId);
    socket.once("close", () => {
      sockets.delete(socket);
      if (sockets.size === 0 && byUser.get(userId) === sockets) byUser.delete(userId);
    });
  };
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? "/").split("?")[0]!.replace(/\/+$/, "");
    if (path !== yoga.graphqlEndpoint) {
      // Another listener may serve this path; when there is none, refuse instead of hanging.
      if (server.server.listenerCount("upgrade") === 1) socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  };
  server.server.on("upgrade", onUpgrade);
  const groups = new SubscriptionGroups();
  // `extensions.http` steers HTTP status codes; it means nothing on a socket.
  const forSocket = (result: ExecutionResult): ExecutionResult => (result.errors?.some((e) => e.extensions?.http) ? { ...result, errors: result.errors.map(withoutHttp) } : result);

  const disposable = useServer<Record<string, unknown> | undefined, Extra>(
    {
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const headers = ctx.extra.request.headers;
        const authorization = header(params.authorization) ?? header(params.Authorization) ?? headers.authorization;
        const apiKey = header(params["x-api-key"]) ?? header(params.apiKey) ?? headers["x-api-key"];
        const cookie = cookieToken(headers) && cookieOriginAllowed(ctx.extra.request, services.config) ? headers.cookie : undefined;
        try {
          const principal = await authenticate(services, { authorization, cookie, "x-api-key": apiKey }, ctx.extra.request.socket.remoteAddress);
          (ctx.extra as Extra).principal = principal;
          if (principal.kind === "user") track(principal.userId, principal.sessionId, ctx.extra.socket);
        } catch (e) {
          // A refused API key: graphql-ws closes the socket with 4403 Forbidden.
          if (e instanceof AppError) return false;
          throw e;
        }
        return true;
      },
      onSubscribe: async (ctx, id, payload) => {
        const principal = (ctx.extra as Extra).principal ?? (await authenticate(services, {}));
        const ws = { principal, requestId: randomUUID(), headers: ctx.extra.request.headers, ip: ctx.extra.request.socket.remoteAddress ?? "" };
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({ ws, params: payload } as any);
        let document;
        try {
          document = parse(payload.query);
        } catch (e) {
          return [e instanceof GraphQLError ? e : new GraphQLError(String(e))];
        }
        const errors = validate(schema, document);
        if (errors.length) return errors;
        const contextValue = await contextFactory();
        // Everything a rule may read about this caller's request (core/rules/bind-rule.ts): the
        // principal, the upgrade request's headers (the handshake nonce aside) and the hour.
        const { "sec-websocket-key": _nonce, ...headers } = ctx.extra.request.headers;
        const caller = { principal, headers, hour: services.now().getUTCHours() };
        const group = { key: groups.key(schema, caller, payload.query, payload.operationName, payload.variables), sink: { socket: ctx.extra.socket, id } };
        const rootValue: Root = { execute, subscribe, group };
        const args: ExecutionArgs = { schema, operationName: payload.operationName, document, variableValues: payload.variables, contextValue, rootValue };
        return args;
      },
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors?.some((e) => e.extensions?.http) ? forSocket(result) : undefined),
      onError: (_ctx, _id, _payload, errors) => (errors.some((e) => e.extensions?.http) ? errors.map(withoutHttp) : undefined),
      execute: (args) => (args.rootValue as Root).execute(args) as any,
      subscribe: (args) => {
        const root = args.rootValue as Root;
        return groups.subscribe(root.group.key, root.group.sink, () => root.subscribe(args), forSocket);
      },
    },
    wss,
  );

  const endSessions = (userId: string, kept: string | null) => {
    for (const [socket, sessionId] of byUser.get(userId) ?? []) if (kept === null || sessionId !== kept) socket.close(4401, SESSION_ENDED);
  };
  const close = async () => {
    server.server.off("upgrade", onUpgrade);
    for (const client of wss.clients) client.close(1001, "Server shutting down");
    await disposable.dispose();
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  };
  const counts = () => {
    let authenticated = 0;
    for (const sockets of byUser.values()) authenticated += sockets.size;
    return { connections: wss.clients.size, authenticated, users: byUser.size };
  };
  return { endSessions, counts, close };
}
