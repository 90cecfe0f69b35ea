/**
 * graphql-ws (graphql-transport-ws protocol) on the same port and path as HTTP: the Fastify
 * server's `upgrade` event for `/graphql` goes to a `ws` server in noServer mode. Operations run
 * through Yoga's envelop (same schema swap, limits, error mapping). The caller authenticates
 * with `connectionParams.authorization` ("Bearer <token>" — an access token or an API key) or
 * `connectionParams["x-api-key"]`, or the upgrade request's headers; a refused API key closes
 * the socket (4403). API-key scopes apply per operation, as over HTTP.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { FastifyInstance } from "fastify";
import { getOperationAST, GraphQLError, type ExecutionArgs } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { requireScope } from "../core/auth/guards.ts";
import type { Principal, Services } from "../core/context.ts";
import { AppError } from "../core/errors.ts";
import { authenticate } from "../rest/context.ts";
import { mapGraphqlError } from "./errors.ts";
import type { CairnYoga } from "./yoga.ts";

type Extra = { principal?: Principal };

function withoutHttp(e: GraphQLError): GraphQLError {
  if (!e.extensions?.http) return e;
  const { http: _http, ...extensions } = e.extensions;
  return new GraphQLError(e.message, { nodes: e.nodes, source: e.source, positions: e.positions, path: e.path, extensions });
}

const header = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** Attaches graphql-ws to the server's HTTP upgrades; returns a function closing every socket. */
export function attachGraphqlWs(server: FastifyInstance, yoga: CairnYoga, services: Services): () => Promise<void> {
  const wss = new WebSocketServer({ noServer: true, maxPayload: services.config.bodyLimit });
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

  const disposable = useServer<Record<string, unknown> | undefined, Extra>(
    {
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const headers = ctx.extra.request.headers;
        const authorization = header(params.authorization) ?? header(params.Authorization) ?? headers.authorization;
        const apiKey = header(params["x-api-key"]) ?? header(params.apiKey) ?? headers["x-api-key"];
        try {
          (ctx.extra as Extra).principal = await authenticate(services, { authorization, cookie: headers.cookie, "x-api-key": apiKey }, ctx.extra.request.socket.remoteAddress);
        } catch (e) {
          // A refused API key: graphql-ws closes the socket with 4403 Forbidden.
          if (e instanceof AppError) return false;
          throw e;
        }
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        const principal = (ctx.extra as Extra).principal ?? (await authenticate(services, {}));
        const ws = { principal, requestId: randomUUID(), headers: ctx.extra.request.headers };
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
        try {
          // API keys: queries and subscriptions need `read`, mutations `write` (as over HTTP).
          const operation = getOperationAST(document, payload.operationName);
          if (operation) requireScope(contextValue.cairn, operation.operation === "mutation" ? "write" : "read");
        } catch (e) {
          return [withoutHttp(mapGraphqlError(e, ws.requestId, services.log))];
        }
        const args: ExecutionArgs = { schema, operationName: payload.operationName, document, variableValues: payload.variables, contextValue, rootValue: { execute, subscribe } };
        return args;
      },
      // `extensions.http` steers HTTP status codes; it means nothing on a socket.
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors?.some((e) => e.extensions?.http) ? { ...result, errors: result.errors.map(withoutHttp) } : undefined),
      onError: (_ctx, _id, _payload, errors) => (errors.some((e) => e.extensions?.http) ? errors.map(withoutHttp) : undefined),
      execute: (args) => (args.rootValue as any).execute(args),
      subscribe: (args) => (args.rootValue as any).subscribe(args),
    },
    wss,
  );

  return async () => {
    server.server.off("upgrade", onUpgrade);
    for (const client of wss.clients) client.close(1001, "Server shutting down");
    await disposable.dispose();
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  };
}
