/**
 * The platform policies for GraphQL, in one envelop plugin — so they hold on every GraphQL
 * transport alike: Yoga over HTTP (GET, POST, SSE), the JSON fast lane (fast-path.ts, which runs
 * the same envelop `execute`) and graphql-ws (ws.ts, same `execute`/`subscribe`).
 *
 * Before an operation runs, each root field it selects (fragments on the root included) is
 * mapped to its declared operation — `extensions.operation` on the field (system fields declare
 * theirs: `login` is a session counted in the login tier, `register` a write in the register
 * tier, `refreshToken` a session, collection definitions admin), else the kind of its root type
 * (queries and subscriptions read, mutations write: every collection field). Each is then put to
 * the core (core/policy): maintenance mode (503 `MAINTENANCE_MODE`), the API key's scopes (403),
 * and the auth rate tier the field declares (429), counted per IP like the REST routes'.
 * A refused operation runs no resolver; its error carries the HTTP status for HTTP transports,
 * and over HTTP the answer also carries the REST error keys (`error`, `message`, `detail`, `code`,
 * `details`) beside `errors`, as REST clients of /graphql have always received them
 * (`sendPolicyRefusal`).
 */
import { getOperationAST, isObjectType, Kind, type DocumentNode, type GraphQLObjectType, type GraphQLSchema, type SelectionSetNode } from "graphql";
import type { FastifyReply } from "fastify";
import type { Plugin } from "graphql-yoga";
import type { Context } from "../core/context.ts";
import { AppError } from "../core/errors.ts";
import { checkOperation } from "../core/policy/check-operation.ts";
import { isOperation, READ, WRITE, type Operation } from "../core/policy/operation.ts";
import { countAuthTier } from "../core/policy/rate-limit.ts";
import type { GraphqlContext } from "./builder.ts";
import { mapGraphqlError } from "./errors.ts";

interface RootField {
  name: string;
  op: Operation;
}

/** The root fields an operation selects, with their declared operations. */
function rootFields(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): RootField[] {
  const operation = getOperationAST(document, operationName);
  if (!operation) return [];
  const root = schema.getRootType(operation.operation);
  if (!root || !isObjectType(root)) return [];
  const fallback = operation.operation === "mutation" ? WRITE : READ;
  const fragments = new Map<string, SelectionSetNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d.selectionSet);
  const out: RootField[] = [];
  const seen = new Set<string>();
  const visit = (set: SelectionSetNode, type: GraphQLObjectType, depth: number) => {
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) {
        const name = s.name.value;
        if (name.startsWith("__") || seen.has(name)) continue;
        seen.add(name);
        const declared = type.getFields()[name]?.extensions?.operation;
        out.push({ name, op: isOperation(declared) ? declared : fallback });
      } else if (depth < 32) {
        const inner = s.kind === Kind.INLINE_FRAGMENT ? s.selectionSet : fragments.get(s.name.value);
        if (inner) visit(inner, type, depth + 1);
      }
    }
  };
  visit(operation.selectionSet, root, 0);
  return out;
}

/** Throws the AppError refusing the operation, if any (maintenance, scope, auth rate tier). */
async function decide(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, g: GraphqlContext): Promise<void> {
  const fields = rootFields(schema, document, operationName);
  const ctx = g.cairn;
  for (const f of fields) checkOperation(ctx, f.op);
  for (const f of fields) if (f.op.tier) await countAuthTier(ctx, f.op, ctx.request?.ip ?? "", `graphql ${f.name}`);
}

/** Refusals by request context, for the HTTP answer (sendPolicyRefusal). */
const refusals = new WeakMap<Context, AppError>();

const SHORT: Readonly<Record<number, string>> = { 401: "Unauthorized", 403: "Forbidden", 429: "Rate limit exceeded", 503: "Service unavailable" };

/**
 * When the operation of this request was refused by the policy, answers it over HTTP — status,
 * `Retry-After`, the REST error keys and `errors` — and returns true; false otherwise.
 */
export function sendPolicyRefusal(reply: FastifyReply, ctx: Context | undefined): boolean {
  const e = ctx && refusals.get(ctx);
  if (!e) return false;
  const mapped = mapGraphqlError(e, ctx.requestId, ctx.log);
  const { http: _http, ...extensions } = mapped.extensions;
  if ("retryAfterSeconds" in e && typeof e.retryAfterSeconds === "number") reply.header("retry-after", String(e.retryAfterSeconds));
  const code = e.code === "UNAUTHENTICATED" ? "UNAUTHORIZED" : e.code;
  reply.status(e.status).send({ error: SHORT[e.status] ?? "Error", message: e.message, detail: e.message, code, details: e.details, errors: [{ message: e.message, extensions }] });
  return true;
}

/** Envelop plugin: decides every operation before it executes or subscribes (see the module comment). */
export function usePolicy(): Plugin<GraphqlContext> {
  const refuse = (e: unknown, g: GraphqlContext) => {
    if (e instanceof AppError && g?.cairn) refusals.set(g.cairn, e);
    return { errors: [mapGraphqlError(e, g?.cairn?.requestId, g?.cairn?.log)] };
  };
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const g = args.contextValue as GraphqlContext;
      try {
        await decide(args.schema, args.document, args.operationName, g);
      } catch (e) {
        setResultAndStopExecution(refuse(e, g));
      }
    },
    async onSubscribe({ args, setResultAndStopExecution }) {
      const g = args.contextValue as GraphqlContext;
      try {
        await decide(args.schema, args.document, args.operationName, g);
      } catch (e) {
        setResultAndStopExecution(refuse(e, g));
      }
    },
  };
}
