/**
 * The service gate: while a restore replaces the database, every operation (reads, writes,
 * sessions, admin; any caller but the system) is refused with 503 `SERVICE_UNAVAILABLE` and
 * `Retry-After`, so no client reads a half-replaced database or writes into one that is about to
 * be overwritten. Checked first by `checkOperation` on every transport. The gate also runs the
 * long maintenance tasks (backup, restore) one at a time per instance.
 */
import { Mutex } from "async-mutex";
import type { Context } from "../context.ts";
import { ServiceUnavailableError } from "../errors.ts";

/** Seconds clients are asked to wait while the gate is closed. */
export const GATE_RETRY_AFTER_SECONDS = 10;

export class ServiceGate {
  #reason: string | undefined;
  /** closed by other instances (backups/restore-gate.ts): origin → reason and until when */
  readonly #remote = new Map<string, { reason: string; until: number }>();
  readonly #tasks = new Mutex();

  /** Why the gate is closed (here or by another instance), or undefined while it is open. */
  get closedReason(): string | undefined {
    if (this.#reason !== undefined || this.#remote.size === 0) return this.#reason;
    const now = Date.now();
    for (const [origin, c] of this.#remote) {
      if (c.until > now) return c.reason;
      this.#remote.delete(origin);
    }
    return undefined;
  }

  /** Closes the gate for `reason` on behalf of instance `origin`, for at most `forMs` unless renewed. */
  closeRemotely(origin: string, reason: string, forMs: number): void {
    this.#remote.set(origin, { reason, until: Date.now() + forMs });
  }

  /** Reopens what `origin` closed. */
  openRemotely(origin: string): void {
    this.#remote.delete(origin);
  }

  /** Whether a backup or restore is running on this instance. */
  get busy(): boolean {
    return this.#tasks.isLocked();
  }

  /** Throws ServiceUnavailableError (503, Retry-After) while the gate is closed, except for the system principal. */
  check(ctx: Context): void {
    if (ctx.principal.kind === "system") return;
    const reason = this.closedReason;
    if (reason !== undefined) throw new ServiceUnavailableError(reason, GATE_RETRY_AFTER_SECONDS);
  }

  /** Runs `fn` with the gate closed for `reason` (the 503 message); reopens it whatever happens. */
  async closedWhile<T>(reason: string, fn: () => Promise<T>): Promise<T> {
    this.#reason = reason;
    try {
      return await fn();
    } finally {
      this.#reason = undefined;
    }
  }

  /** Runs `fn` when no other maintenance task runs on this instance (they queue in order). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.#tasks.runExclusive(fn);
  }
}
