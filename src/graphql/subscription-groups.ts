/**
 * Shared execution for graphql-ws subscriptions (ws.ts). Subscribers whose results cannot differ —
 * the same caller (the whole principal: user, session, roles, account, API key; and whatever else
 * an access rule may read about the request: its headers, the hour), the same document, operation
 * name and variables, on the same schema — form a group. Each event is
 * matched by the realtime hub, executed by GraphQL and serialised to JSON once per group, and the
 * same text goes to every member's socket. Before, each of 1,000 identical subscribers cost its
 * own hub match, execution, envelop hooks, result object and JSON text per event.
 *
 * Every member still subscribes on its own first (`start`): policies, the hub's access and
 * `where` checks and every other subscribe-time decision run for each member exactly as before;
 * only then does a member whose group exists drop its own stream and join. Everything that ends a
 * stream (session end, collection deleted or changed, server shutdown) ends the group's one
 * stream, and with it every member, whose principal is by construction the one it was decided for.
 *
 * A member that does not keep up (its socket buffers more than `SLOW_CONSUMER_BYTES`) is ended
 * with `RATE_LIMITED`, as the hub ends a subscriber whose queue overflows.
 */
import { GraphQLError, type ExecutionResult, type GraphQLSchema } from "graphql";
import type WebSocket from "ws";
import { PushQueue } from "../realtime/push-queue.ts";

/** Bytes a member's socket may hold unsent before the member is ended as too slow. */
const SLOW_CONSUMER_BYTES = 8 * 1024 * 1024;

type Stream = AsyncIterableIterator<ExecutionResult> | AsyncGenerator<ExecutionResult>;

/** Where a member's results go: its socket and the graphql-ws operation id. */
export interface MemberSink {
  socket: WebSocket;
  id: string;
}

interface Member {
  sink: MemberSink;
  /** what graphql-ws iterates: never yields, ends when the member ends (then graphql-ws sends `complete`) */
  done: PushQueue<never>;
}

class Group {
  readonly members = new Set<Member>();
  ended = false;

  constructor(
    private readonly stream: Stream,
    private readonly shape: (result: ExecutionResult) => ExecutionResult,
    private readonly onEmpty: () => void,
  ) {
    void this.#pump();
  }

  join(sink: MemberSink): PushQueue<never> {
    const member: Member = {
      sink,
      done: new PushQueue<never>(() => {
        this.members.delete(member);
        if (this.members.size === 0) this.#end();
      }),
    };
    this.members.add(member);
    return member.done;
  }

  async #pump(): Promise<void> {
    try {
      for await (const result of this.stream) {
        if (this.members.size === 0) break;
        this.#send(this.shape(result));
      }
    } catch (e) {
      this.#send({ errors: [e instanceof GraphQLError ? e : new GraphQLError("Subscription failed")] });
    } finally {
      this.#end();
      for (const m of [...this.members]) m.done.end();
    }
  }

  /** One JSON text per result; each member gets it under its own operation id. */
  #send(result: ExecutionResult): void {
    const { errors, ...rest } = result;
    const payload = JSON.stringify(errors ? { ...rest, errors: errors.map((e) => e.toJSON()) } : rest);
    for (const m of [...this.members]) {
      const { socket, id } = m.sink;
      if (socket.readyState !== socket.OPEN) continue;
      if (socket.bufferedAmount > SLOW_CONSUMER_BYTES) {
        const slow = new GraphQLError("Subscription ended: too many undelivered events", { extensions: { code: "RATE_LIMITED" } });
        socket.send(`{"id":${JSON.stringify(id)},"type":"next","payload":${JSON.stringify({ errors: [slow.toJSON()] })}}`);
        m.done.end();
        continue;
      }
      socket.send(`{"id":${JSON.stringify(id)},"type":"next","payload":${payload}}`);
    }
  }

  #end(): void {
    if (this.ended) return;
    this.ended = true;
    this.onEmpty();
    void this.stream.return?.(undefined);
  }
}

/** The open groups of one graphql-ws server. */
export class SubscriptionGroups {
  readonly #groups = new Map<string, Group>();
  readonly #schemaIds = new WeakMap<GraphQLSchema, number>();
  #nextSchemaId = 0;

  /** Open groups (tests, diagnostics). */
  get size(): number {
    return this.#groups.size;
  }

  /**
   * The grouping key of an operation: results depend on nothing else (see the module comment).
   * `caller` must hold everything about the caller and its request that access rules may read.
   */
  key(schema: GraphQLSchema, caller: unknown, query: string, operationName: string | null | undefined, variables: unknown): string {
    let schemaId = this.#schemaIds.get(schema);
    if (schemaId === undefined) this.#schemaIds.set(schema, (schemaId = this.#nextSchemaId++));
    return JSON.stringify([schemaId, caller, query, operationName ?? null, variables ?? null]);
  }

  /**
   * Subscribes a member: runs `start` (the member's own subscribe, with every check), then joins
   * the group of `key` — or starts it with this member's stream. A result that is not a stream
   * (errors) is returned as it is. `shape` adapts each result for the socket, once per group.
   */
  async subscribe(
    key: string,
    sink: MemberSink,
    start: () => Promise<ExecutionResult | Stream> | ExecutionResult | Stream,
    shape: (result: ExecutionResult) => ExecutionResult,
  ): Promise<ExecutionResult | AsyncIterableIterator<never>> {
    const own = await start();
    if (!isStream(own)) return own;
    let group = this.#groups.get(key);
    if (group && !group.ended) {
      void own.return?.(undefined);
    } else {
      const created: Group = new Group(own, shape, () => {
        if (this.#groups.get(key) === created) this.#groups.delete(key);
      });
      this.#groups.set(key, created);
      group = created;
    }
    return group.join(sink);
  }
}

function isStream(v: unknown): v is Stream {
  return typeof (v as Stream | null)?.[Symbol.asyncIterator] === "function";
}
