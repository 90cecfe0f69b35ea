/**
 * Access that ends at once. Access tokens are stateless JWTs; to take access away before they
 * expire (logout-all, a password change or reset, a role change, deactivation), each user has a
 * session epoch — `_users.sessions_ended_at`, optionally sparing one session (`session_kept`, the
 * one that changed the password) — and a token issued before it is refused with 401
 * `Session ended; sign in again`.
 *
 * Per-request cost: the epoch is cached in memory per user (loaded once, on first sight, with
 * one indexed lookup; concurrent loads share it). A change is written to the database and
 * published on the pub/sub port's `sessions` channel, which updates every instance's cache — and
 * tells local listeners (open GraphQL subscriptions) to end the user's streams — within
 * milliseconds.
 */
import type { Prisma } from "../../db/prisma.ts";
import type { PubSub } from "../events/pubsub.ts";
import type { Context, Logger } from "../context.ts";

export const SESSION_ENDED = "Session ended; sign in again";

/** Users remembered at most; the oldest entry is forgotten first (and reloaded when seen again). */
const CACHE_SIZE = 50_000;

interface Epoch {
  /** ms since the epoch; 0 = never ended */
  endedMs: number;
  /** refresh-token family spared by the last end */
  kept: string | null;
}

interface SessionsMessage {
  userId: string;
  endedMs: number;
  kept: string | null;
}

const NEVER: Epoch = Object.freeze({ endedMs: 0, kept: null });

function isMessage(m: unknown): m is SessionsMessage {
  const v = m as SessionsMessage;
  return typeof v === "object" && v !== null && typeof v.userId === "string" && typeof v.endedMs === "number" && (v.kept === null || typeof v.kept === "string");
}

/** Told which user's sessions ended, and the session spared (null: none). */
export type SessionsEndedListener = (userId: string, kept: string | null) => void;

function within(epoch: Epoch, issuedMs: number, sessionId: string | undefined): boolean {
  if (issuedMs >= epoch.endedMs) return true;
  return epoch.kept !== null && sessionId === epoch.kept;
}

export class SessionEpochs {
  readonly #cache = new Map<string, Epoch>();
  readonly #loading = new Map<string, Promise<Epoch>>();
  readonly #listeners = new Set<SessionsEndedListener>();
  readonly #unsubscribe: () => void;

  constructor(
    private readonly prisma: Pick<Prisma, "user">,
    private readonly pubsub: PubSub,
    private readonly log: Pick<Logger, "error">,
  ) {
    this.#unsubscribe = pubsub.subscribe("sessions", (message) => {
      if (isMessage(message)) this.#apply(message);
    });
  }

  /**
   * True when a token of `userId` issued at `issuedMs` for session `sessionId` is still valid.
   * One map lookup once the user is cached.
   */
  async valid(userId: string, issuedMs: number, sessionId: string | undefined): Promise<boolean> {
    return this.validCached(userId, issuedMs, sessionId) ?? within(await this.#load(userId), issuedMs, sessionId);
  }

  /** `valid` without waiting: undefined when the user's epoch is not cached yet. */
  validCached(userId: string, issuedMs: number, sessionId: string | undefined): boolean | undefined {
    const epoch = this.#cache.get(userId);
    return epoch ? within(epoch, issuedMs, sessionId) : undefined;
  }

  /**
   * Ends every session of `userId` that started before now (sparing `keep`, a refresh-token
   * family, when given): stores the epoch, then tells every instance. Call after the change
   * that caused it has committed.
   */
  async end(userId: string, at: Date, keep?: string): Promise<void> {
    const kept = keep ?? null;
    await this.prisma.user.updateMany({ where: { id: userId }, data: { sessionsEndedAt: at, sessionKept: kept } });
    this.pubsub.publish("sessions", { userId, endedMs: at.getTime(), kept } satisfies SessionsMessage);
  }

  /** Calls `listener(userId, kept)` whenever a user's sessions end (on any instance); returns its removal. */
  onEnded(listener: SessionsEndedListener): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  close(): void {
    this.#unsubscribe();
    this.#listeners.clear();
  }

  #apply(m: SessionsMessage): void {
    const current = this.#cache.get(m.userId);
    if (!current || current.endedMs <= m.endedMs) this.#remember(m.userId, { endedMs: m.endedMs, kept: m.kept });
    // a load in flight may read the row from before the change: forget it, the cache now knows
    this.#loading.delete(m.userId);
    for (const listener of this.#listeners) {
      try {
        listener(m.userId, m.kept);
      } catch (err) {
        this.log.error({ err }, "sessions: listener failed");
      }
    }
  }

  #remember(userId: string, epoch: Epoch): void {
    this.#cache.delete(userId);
    if (this.#cache.size >= CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(userId, epoch);
  }

  #load(userId: string): Promise<Epoch> {
    let pending = this.#loading.get(userId);
    if (!pending) {
      pending = this.prisma.user
        .findUnique({ where: { id: userId }, select: { sessionsEndedAt: true, sessionKept: true } })
        .then((row) => {
          const epoch: Epoch = row?.sessionsEndedAt ? { endedMs: row.sessionsEndedAt.getTime(), kept: row.sessionKept } : NEVER;
          if (this.#loading.get(userId) === pending) {
            this.#loading.delete(userId);
            if (!this.#cache.has(userId)) this.#remember(userId, epoch);
          }
          return this.#cache.get(userId) ?? epoch;
        })
        .catch((err: unknown) => {
          if (this.#loading.get(userId) === pending) this.#loading.delete(userId);
          throw err;
        });
      this.#loading.set(userId, pending);
    }
    return pending;
  }
}

/**
 * Ends the sessions of `userId` everywhere, at once (see the module comment); `keep` spares one
 * refresh-token family (the caller's, when they changed their own password).
 */
export async function endSessions(ctx: Context, userId: string, keep?: string): Promise<void> {
  await ctx.services.sessions.end(userId, ctx.services.now(), keep);
}
