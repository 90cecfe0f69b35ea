/**
 * A table rebuild seen by every instance: while a schema change on one instance rebuilds a
 * collection's table, every instance answers requests for that collection with 503 and
 * `Retry-After` (registry.require), instead of queueing them on the database's locks. Notices
 * travel on the `rebuild` channel of the pub/sub port (Redis with REDIS_URL; with one instance
 * they only reach it, which marks itself directly).
 *
 * - The rebuilding instance marks its own registry, announces `begin` with the names (waiting at
 *   most {@link ANNOUNCE_WAIT_MS} for the transport, so a Redis outage never stalls the change),
 *   repeats it every {@link HEARTBEAT_MS} while the change runs, and announces `end` when it is
 *   over, committed or not.
 * - Another instance marks the names for {@link REMOTE_MARK_MS} (renewed by each heartbeat, so an
 *   instance that dies mid-change cannot keep the collection closed), and on `end` re-reads the
 *   catalogue (syncRegistry) before it lifts the mark: it never serves the new table with the old
 *   definition.
 */
import type { Services } from "../context.ts";
import { syncRegistry } from "./sync-registry.ts";

export const HEARTBEAT_MS = 2_000;
export const REMOTE_MARK_MS = 10_000;
export const ANNOUNCE_WAIT_MS = 1_000;

type RebuildMessage = { state: "begin" | "end"; names: string[] };

function isRebuildMessage(m: unknown): m is RebuildMessage {
  const o = m as { state?: unknown; names?: unknown } | null;
  return typeof o === "object" && o !== null && (o.state === "begin" || o.state === "end") && Array.isArray(o.names) && o.names.every((n) => typeof n === "string");
}

/**
 * Marks `names` as being rebuilt on every instance (see the module comment) and returns the
 * release (call it once the change is over; calling it again does nothing). Publishing problems
 * are logged, never thrown.
 * @example const release = await announceRebuild(services, ["posts"]); try { … } finally { release(); }
 */
export async function announceRebuild(services: Pick<Services, "collections" | "pubsub" | "log">, names: readonly string[]): Promise<() => void> {
  const { collections, pubsub, log } = services;
  const releaseLocal = collections.beginRebuild(names);
  const begin: RebuildMessage = { state: "begin", names: [...names] };
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, ANNOUNCE_WAIT_MS)));
  await Promise.race([pubsub.publishConfirmed("rebuild", begin).catch((err: unknown) => log.warn({ err }, "rebuild: could not tell the other instances a table rebuild starts")), waited]);
  clearTimeout(timer);
  const beat = setInterval(() => pubsub.publish("rebuild", begin), HEARTBEAT_MS);
  beat.unref();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    clearInterval(beat);
    releaseLocal();
    pubsub.publish("rebuild", { state: "end", names: [...names] } satisfies RebuildMessage);
  };
}

/** Follows other instances' rebuilds (see the module comment); returns the unsubscribe. */
export function followRemoteRebuilds(services: Services): () => void {
  let syncing: Promise<unknown> = Promise.resolve();
  return services.pubsub.subscribe("rebuild", (m, delivery) => {
    if (delivery.local || !isRebuildMessage(m)) return;
    if (m.state === "begin") {
      services.collections.markRemoteRebuild(delivery.origin, m.names, REMOTE_MARK_MS);
      return;
    }
    syncing = syncing
      .then(() => syncRegistry(services))
      .catch((err: unknown) => services.log.error({ err }, "rebuild: re-reading the catalogue after another instance's rebuild failed"))
      .finally(() => services.collections.unmarkRemoteRebuild(delivery.origin, m.names));
  });
}
