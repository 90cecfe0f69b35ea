/**
 * In-memory subscription matching. Every record event (after commit, local or relayed from
 * another instance) is matched against each subscriber of its collection in memory with the
 * filter AST's predicate compiler: the subscriber's `where` ANDed with their read access
 * (`recordAccess(ctx, def, "view")`). No database query per subscriber per event.
 *
 * Records are delivered redacted to what the subscriber may read (`redactRecord` with their
 * view field access); a `where` may only use readable fields (checked when the subscription opens).
 *
 * - created/updated: the new record, when it matches.
 * - deleted: the record as it was, when the subscriber could read it before it was deleted.
 * - changed: CREATE/UPDATE with the record when it matches; an update that moves a record out
 *   of the subscriber's set (where or access) is a DELETE carrying the last state the subscriber
 *   could see (the record before the update, never the new contents; only the id when that
 *   state is unknown); a delete is delivered only when the record was in the set before.
 * Every DELETE carries a record (at least its id), so client caches can evict it by type and id.
 *
 * A collection change recompiles its subscribers' predicates; when the collection is gone
 * (deleted or renamed) or a `where` no longer fits it, the subscription ends with an error.
 */
import type { CollectionDef } from "../core/collections/types.ts";
import type { Context, Services } from "../core/context.ts";
import { SESSION_ENDED } from "../core/auth/session-epochs.ts";
import { AppError, BadRequestError, NotFoundError, UnauthenticatedError } from "../core/errors.ts";
import type { CairnEvent } from "../core/events/bus.ts";
import { recordAccess } from "../core/rules/access.ts";
import { assertReadableQuery, fieldAccess, redactRecord, type FieldSet } from "../core/rules/field-access.ts";
import type { RecordData } from "../core/records/values.ts";
import { and, FilterError, type Expr } from "../query/ast.ts";
import { checkExpr } from "../query/check.ts";
import { collectionResolver } from "../query/fields.ts";
import { toPredicate } from "../query/predicate.ts";
import { PushQueue } from "./push-queue.ts";

export type SubscriptionKind = "created" | "updated" | "deleted" | "changed";

/** One delivery: what happened and the record (for DELETE, the last state the subscriber could see). */
export interface Delivery {
  action: "CREATE" | "UPDATE" | "DELETE";
  id: string;
  record: RecordData;
}

/** A value of a subscription stream: a delivery, or the error that ends it. */
export type HubMessage = Delivery | AppError;

interface Subscriber {
  ctx: Context;
  kind: SubscriptionKind;
  where: Expr;
  def: CollectionDef;
  match: (rec: Record<string, unknown>) => boolean;
  /** fields the subscriber may read; deliveries are redacted to these */
  readable: FieldSet;
  queue: PushQueue<HubMessage>;
}

/** Maximum undelivered events per subscriber before it is ended as too slow. */
const QUEUE_LIMIT = 1000;

export class RealtimeHub {
  /** subscribers by lower-case collection name */
  readonly #byCollection = new Map<string, Set<Subscriber>>();

  constructor(private readonly services: Services) {}

  /** Number of open subscriptions (all collections). */
  get size(): number {
    let n = 0;
    for (const s of this.#byCollection.values()) n += s.size;
    return n;
  }

  /** The collections each open subscription follows, keyed by the id of the request that opened it. */
  subscriptionsById(): Record<string, string[]> {
    const out: Record<string, string[]> = Object.create(null);
    for (const subs of this.#byCollection.values()) for (const s of subs) (out[s.ctx.requestId] ??= []).push(s.def.name);
    return out;
  }

  /**
   * Opens a subscription. Throws 404 for an unknown collection, 401/403 when the caller may not
   * read it, 400 for a `where` that does not fit the collection.
   */
  subscribe(ctx: Context, collection: string, kind: SubscriptionKind, where: Expr): AsyncIterableIterator<HubMessage> {
    const def = this.services.collections.require(collection);
    const key = def.name.toLowerCase();
    const { match, readable } = compile(ctx, def, where);
    let set = this.#byCollection.get(key);
    if (!set) this.#byCollection.set(key, (set = new Set()));
    const subs = set;
    const sub: Subscriber = {
      ctx,
      kind,
      where,
      def,
      match,
      readable,
      queue: new PushQueue<HubMessage>(
        () => {
          subs.delete(sub);
          if (subs.size === 0 && this.#byCollection.get(key) === subs) this.#byCollection.delete(key);
        },
        QUEUE_LIMIT,
        () => new AppError("RATE_LIMITED", 429, "Subscription ended: too many undelivered events"),
      ),
    };
    subs.add(sub);
    return sub.queue;
  }

  /** Matches one committed event against the subscribers of its collection. */
  ingest(event: CairnEvent): void {
    if (!event.type.startsWith("record.") || !event.recordId) return;
    const subs = this.#byCollection.get(event.collection.toLowerCase());
    if (!subs) return;
    const rec = event.payload as RecordData;
    const previous = (event.previous ?? null) as RecordData | null;
    for (const sub of subs) {
      if (sub.ctx.principal.accountId !== event.accountId) continue;
      const d = deliveryFor(sub, event.type, rec, previous);
      if (d) sub.queue.push(d);
    }
  }

  /** After a collection change: recompile, or end subscriptions whose collection is gone. */
  collectionsChanged(): void {
    for (const [key, subs] of this.#byCollection) {
      const def = this.services.collections.get(key);
      for (const sub of [...subs]) {
        if (!def) {
          sub.queue.end(new NotFoundError(`Subscription ended: collection '${sub.def.name}' was deleted or renamed`));
          continue;
        }
        if (def === sub.def) continue;
        try {
          Object.assign(sub, compile(sub.ctx, def, sub.where));
          sub.def = def;
        } catch (e) {
          const why = e instanceof AppError ? e.message : "its filter no longer applies";
          sub.queue.end(new BadRequestError(`Subscription ended: collection '${def.name}' changed (${why})`));
        }
      }
    }
  }

  /**
   * Ends the subscriptions of a user whose sessions ended (401 `Session ended; sign in again`),
   * except those of the session `kept` (the one that changed the password).
   */
  endSessions(userId: string, kept: string | null = null): void {
    for (const subs of this.#byCollection.values()) {
      for (const sub of [...subs]) {
        const p = sub.ctx.principal;
        if (p.kind === "user" && p.userId === userId && (kept === null || p.sessionId !== kept)) sub.queue.end(new UnauthenticatedError(SESSION_ENDED));
      }
    }
  }

  /** Ends every subscription (server shutdown). */
  close(): void {
    for (const subs of this.#byCollection.values()) for (const sub of [...subs]) sub.queue.end();
    this.#byCollection.clear();
  }
}

/**
 * The subscriber's matcher (where AND read access) and readable fields. Throws 401/403 when the
 * caller may not read the collection or filters on a field they may not read, 400 for a bad where.
 */
function compile(ctx: Context, def: CollectionDef, where: Expr): { match: (rec: Record<string, unknown>) => boolean; readable: FieldSet } {
  const access = recordAccess(ctx, def, "view");
  const { readable } = fieldAccess(ctx, def, "view");
  const resolve = collectionResolver(def);
  try {
    const expr = checkExpr(and(where, access), resolve);
    assertReadableQuery(ctx, def, readable, { filter: where });
    if (expr.kind === "const") return { match: expr.value ? () => true : () => false, readable };
    return { match: toPredicate(expr, resolve), readable };
  } catch (e) {
    if (e instanceof FilterError) throw new BadRequestError(`Invalid where: ${e.message}`, { where: e.message });
    throw e;
  }
}

function deliveryFor(sub: Subscriber, type: CairnEvent["type"], rec: RecordData, previous: RecordData | null): Delivery | undefined {
  const id = rec.id;
  const visible = () => redactRecord(rec, sub.readable);
  switch (type) {
    case "record.create":
      if ((sub.kind === "created" || sub.kind === "changed") && sub.match(rec)) return { action: "CREATE", id, record: visible() };
      return undefined;
    case "record.update": {
      if (sub.kind === "updated") return sub.match(rec) ? { action: "UPDATE", id, record: visible() } : undefined;
      if (sub.kind !== "changed") return undefined;
      if (sub.match(rec)) return { action: "UPDATE", id, record: visible() };
      // Left the set: the state before the update, never the new contents. Without `previous` it
      // may have been in it, and all the subscriber may learn is the id.
      if (previous === null) return { action: "DELETE", id, record: { id } as RecordData };
      return sub.match(previous) ? { action: "DELETE", id, record: redactRecord(previous, sub.readable) } : undefined;
    }
    case "record.delete":
      if ((sub.kind === "deleted" || sub.kind === "changed") && sub.match(rec)) return { action: "DELETE", id, record: visible() };
      return undefined;
    default:
      return undefined;
  }
}
