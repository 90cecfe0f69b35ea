/**
 * The request context every core operation takes first: who is calling, in which account,
 * the request id, and the services (database, registry, bus…). Transports build it once per
 * request; core code never reads HTTP objects.
 */
import type { Config } from "../config.ts";
import type { Prisma } from "../db/prisma.ts";
import type { SqlDb } from "../db/sql-db.ts";
import type { CollectionRegistry } from "./collections/registry.ts";
import type { EventBus } from "./events/bus.ts";
import type { PubSub } from "./events/pubsub.ts";
import type { SessionEpochs } from "./auth/session-epochs.ts";
import type { TokenService } from "./auth/tokens.ts";
import type { SettingsStore } from "./settings/store.ts";
import type { ListCache } from "./records/list-cache.ts";
import type { FileServices } from "./files/types.ts";
import type { ServiceGate } from "./policy/service-gate.ts";
import type { RuntimeStats } from "./stats/runtime-stats.ts";
import type { JobRunner } from "./jobs/runner.ts";

export interface Logger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
}

/** Who is calling. `system` is used by start-up tasks and the CLI, never by a request. */
export type Principal =
  | {
      kind: "anonymous";
      accountId: string;
      /** an access token was sent but refused: `invalid` (bad or expired) or `ended` (session ended) */
      refusedToken?: "invalid" | "ended";
    }
  | {
      kind: "user";
      userId: string;
      accountId: string;
      email: string;
      role: string;
      superadmin: boolean;
      /** role id (1 admin, 2 user, custom roles above); authenticate always sets it */
      roleId?: number | null;
      /** refresh-token family of the session an access token belongs to (logout without a body revokes it) */
      sessionId?: string;
      /** present when the caller used an API key: the key acts as its owner, limited to `scopes` (see auth/guards.ts) */
      apiKey?: { id: string; scopes: readonly string[] };
    }
  | { kind: "system"; accountId: string };

export interface Services {
  readonly config: Config;
  readonly db: SqlDb;
  readonly prisma: Prisma;
  readonly collections: CollectionRegistry;
  readonly events: EventBus;
  /** crosses instances: events, schema and settings changes, session invalidations, shared counters */
  readonly pubsub: PubSub;
  readonly tokens: TokenService;
  /** per-user session epochs: access that ends at once (auth/session-epochs.ts) */
  readonly sessions: SessionEpochs;
  readonly settings: SettingsStore;
  /** list totals and pages remembered until their collection changes on any instance (records/list-cache.ts) */
  readonly listCache: ListCache;
  /** uploaded files: the storage port, the thumbnail cache, the URL-signing key (core/files) */
  readonly files: FileServices;
  /** refuses every operation while a restore runs; runs backups and restores one at a time */
  readonly gate: ServiceGate;
  /** live counters the transports feed (requests per minute, realtime subscribers) for stats and metrics */
  readonly runtime: RuntimeStats;
  /** background jobs with progress (jobs/runner.ts); register kinds with jobs/jobs.ts `registerJobKind` */
  readonly jobs: JobRunner;
  readonly log: Logger;
  readonly now: () => Date;
}

/** What a permission rule may read about the request (`@request.*`). */
export interface RequestInfo {
  method: string;
  query: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  ip: string;
}

export interface Context {
  readonly requestId: string;
  readonly principal: Principal;
  readonly services: Services;
  readonly request?: RequestInfo;
  readonly log: Logger;
}

export const DEFAULT_ACCOUNT_ID = "default";

export function isSuperadmin(ctx: Context): boolean {
  return ctx.principal.kind === "system" || (ctx.principal.kind === "user" && ctx.principal.superadmin);
}

/** Context for start-up tasks, migrations and the CLI. */
export function systemContext(services: Services, requestId = "system"): Context {
  return { requestId, principal: { kind: "system", accountId: DEFAULT_ACCOUNT_ID }, services, log: services.log };
}
