/**
 * Which webhooks an outbox event goes to, and the body each receives. A webhook matches a record
 * event of its account when its collections include the event's (or are empty), its events
 * include the action (or `*`), it existed when the event happened, and its filter (a FastCMS
 * expression, checked against the collection) holds for the record — the record after the change,
 * or before it for a delete — evaluated in memory with the same semantics as SQL filters
 * (query/predicate.ts).
 */
import type { CollectionRegistry } from "../collections/registry.ts";
import type { StoredEvent } from "../events/outbox.ts";
import { FilterError } from "../../query/ast.ts";
import { checkExpr } from "../../query/check.ts";
import { collectionResolver } from "../../query/fields.ts";
import { parseExpression } from "../../query/parse-expression.ts";
import { toPredicate } from "../../query/predicate.ts";
import { ValidationError } from "../errors.ts";
import type { Webhook, WebhookFormat } from "./types.ts";
import type { CollectionDef } from "../collections/types.ts";

/** Largest filter expression, characters. */
export const MAX_FILTER_LENGTH = 2000;

type Matcher = (record: Record<string, unknown>) => boolean;

/**
 * Compiles a webhook filter for a collection.
 * @throws FilterError for a syntax error, an unknown field, a `@request` value (there is no
 *   request at delivery) or a value of the wrong type.
 */
export function compileFilter(filter: string, def: CollectionDef): Matcher {
  const resolve = collectionResolver(def);
  const expr = checkExpr(parseExpression(filter), resolve);
  if (expr.kind === "const") return expr.value ? () => true : () => false;
  return toPredicate(expr, resolve);
}

/**
 * Checks a webhook filter against its collections (exactly one).
 * @throws ValidationError (field `filter`) naming the problem.
 */
export function checkFilter(filter: string, collections: readonly string[], registry: CollectionRegistry): void {
  const bad = (why: string) => new ValidationError(`Invalid webhook filter: ${why}`, { filter: why });
  if (filter.length > MAX_FILTER_LENGTH) throw bad(`must be at most ${MAX_FILTER_LENGTH} characters`);
  if (collections.length !== 1) throw bad("needs exactly one collection to check its fields against");
  const def = registry.get(collections[0]!);
  if (!def) throw bad(`unknown collection '${collections[0]}'`);
  try {
    compileFilter(filter, def);
  } catch (e) {
    if (e instanceof FilterError) throw bad(e.message);
    throw e;
  }
}

/** The action of a record event (`record.update` → `update`), or undefined for other events. */
export function actionOf(e: StoredEvent): string | undefined {
  return e.type.startsWith("record.") ? e.type.slice("record.".length) : undefined;
}

/**
 * Every action a record event stands for: its own, plus `publish` / `unpublish` for an update
 * that changed a document's status to or from `published` (`previous` holds the changed fields).
 */
export function actionsOf(e: StoredEvent): string[] {
  const action = actionOf(e);
  if (!action) return [];
  if (action !== "update" || !e.previous || !Object.hasOwn(e.previous, "status")) return [action];
  const now = e.payload.status;
  const was = e.previous.status;
  if (now === "published" && was !== "published") return [action, "publish"];
  if (was === "published" && now !== "published") return [action, "unpublish"];
  return [action];
}

/** The R3 shape of a document in deliveries (spec 004). */
function r3Document(e: StoredEvent) {
  const r = e.payload;
  const data: Record<string, unknown> = {};
  const base = new Set(["id", "owner_id", "created", "updated", "version", "status", "slug", "published_at", "publish_at", "unpublish_at"]);
  for (const [k, v] of Object.entries(r)) if (!base.has(k)) Object.defineProperty(data, k, { value: v, enumerable: true, writable: true, configurable: true });
  return {
    id: e.recordId,
    type: e.collection,
    slug: r.slug ?? null,
    status: r.status ?? "published",
    authorId: r.owner_id ?? null,
    publishedAt: r.published_at ?? null,
    data,
    createdAt: r.created ?? null,
    updatedAt: r.updated ?? null,
  };
}

/** The request body a webhook of `format` receives for a record event as `action` (serialised once, signed as is). */
export function deliveryBody(format: WebhookFormat, e: StoredEvent, action = actionOf(e)): string {
  switch (format) {
    case "fastcms":
      return JSON.stringify({ event: actionOf(e), collection: e.collection, record_id: e.recordId, data: e.payload, timestamp: e.created });
    case "r3":
      return JSON.stringify({ event: `entry.${action}`, contentType: e.collection, entry: r3Document(e), timestamp: e.created });
  }
}

/** A webhook prepared for matching a batch. */
export interface PreparedWebhook {
  hook: Webhook;
  matches(e: StoredEvent): boolean;
  /** the action the delivery of a matching event names (R3: the most specific one the webhook subscribed to) */
  actionFor(e: StoredEvent): string;
}

/**
 * Prepares webhooks for a batch: a webhook whose filter no longer compiles (its collection or
 * field was removed) matches nothing and is reported through `onBadFilter`.
 */
export function prepareWebhooks(hooks: readonly Webhook[], registry: CollectionRegistry, onBadFilter: (hook: Webhook, error: unknown) => void): PreparedWebhook[] {
  const out: PreparedWebhook[] = [];
  for (const hook of hooks) {
    const collections = new Set(hook.collections.map((c) => c.toLowerCase()));
    const all = hook.events.includes("*");
    const actions = new Set(hook.events);
    let filter: Matcher | undefined;
    if (hook.filter) {
      const def = registry.get(hook.collections[0] ?? "");
      try {
        if (!def) throw new FilterError(`unknown collection '${hook.collections[0]}'`);
        filter = compileFilter(hook.filter, def);
      } catch (e) {
        onBadFilter(hook, e);
        continue;
      }
    }
    out.push({
      hook,
      actionFor(e) {
        const list = actionsOf(e);
        // FastCMS deliveries name the record action; R3 ones the most specific (entry.publish)
        if (hook.format !== "r3") return list[0]!;
        return list.findLast((a) => all || actions.has(a)) ?? list[0]!;
      },
      matches(e) {
        const list = actionsOf(e);
        if (list.length === 0 || e.accountId !== hook.accountId) return false;
        if (!all && !list.some((a) => actions.has(a))) return false;
        if (collections.size && !collections.has(e.collection.toLowerCase())) return false;
        if (e.created < hook.created) return false;
        return !filter || filter(e.payload);
      },
    });
  }
  return out;
}
