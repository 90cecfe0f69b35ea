/**
 * The service gate across instances: while one instance restores a backup into the shared
 * database, every instance answers 503 with `Retry-After`, and none answers again before it has
 * re-read the restored state. Messages travel on the `gate` channel of the pub/sub port (Redis
 * with REDIS_URL; with one instance they only reach it, which needs nothing more).
 *
 * - The restoring instance announces `closed` (and waits until the transport took it) before it
 *   touches the database, repeats it every {@link HEARTBEAT_MS} while it works, and announces
 *   `open` when it is done, whatever happened.
 * - Another instance closes its gate on `closed` for {@link REMOTE_CLOSE_MS} (renewed by each
 *   heartbeat, so a restoring instance that dies cannot keep the others closed), and on `open`
 *   reloads its registry, settings, roles and API keys (reload-state.ts), then reopens.
 */
import type { Services } from "../context.ts";
import { reloadState } from "./reload-state.ts";

export const HEARTBEAT_MS = 5_000;
export const REMOTE_CLOSE_MS = 30_000;

type GateMessage = { state: "closed"; reason: string } | { state: "open" };

function isGateMessage(m: unknown): m is GateMessage {
  const o = m as { state?: unknown; reason?: unknown } | null;
  return typeof o === "object" && o !== null && (o.state === "open" || (o.state === "closed" && typeof o.reason === "string"));
}

/**
 * Runs `fn` with every other instance's gate closed for `reason` (see the module comment).
 * Publishing problems are logged, never thrown: the local gate is closed by the caller anyway.
 */
export async function closeEveryInstance<T>(services: Pick<Services, "pubsub" | "log">, reason: string, fn: () => Promise<T>): Promise<T> {
  const closed: GateMessage = { state: "closed", reason };
  await services.pubsub.publishConfirmed("gate", closed).catch((err: unknown) => services.log.warn({ err }, "gate: could not tell the other instances a restore starts"));
  const beat = setInterval(() => services.pubsub.publish("gate", closed), HEARTBEAT_MS);
  beat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(beat);
    services.pubsub.publish("gate", { state: "open" } satisfies GateMessage);
  }
}

/** Follows other instances' restores (see the module comment); returns the unsubscribe. */
export function followRemoteRestores(services: Services): () => void {
  let reloading: Promise<void> = Promise.resolve();
  return services.pubsub.subscribe("gate", (m, delivery) => {
    if (delivery.local || !isGateMessage(m)) return;
    if (m.state === "closed") {
      services.gate.closeRemotely(delivery.origin, m.reason, REMOTE_CLOSE_MS);
      return;
    }
    reloading = reloading
      .then(() => reloadState(services))
      .catch((err: unknown) => services.log.error({ err }, "gate: reloading after another instance's restore failed"))
      .finally(() => services.gate.openRemotely(delivery.origin));
  });
}
