/**
 * Composition root: opens the database, applies migrations, wires the services, the event
 * path (outbox → dispatcher → consumers, src/core/events/dispatcher.ts) and the HTTP
 * transports. `createApp(config)` returns a ready (not yet listening) server.
 */
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import type { Config } from "./config.ts";
import { loggerOptions } from "./lib/logger-options.ts";
import { createDatabaseIfMissing } from "./db/ensure-database.ts";
import { migrate } from "./db/migrator.ts";
import { createPrisma } from "./db/prisma.ts";
import { SqliteDb } from "./db/sqlite.ts";
import type { SqlDb } from "./db/sql-db.ts";
import { invalidateApiKeys } from "./core/api-keys/authenticate.ts";
import { SessionEpochs } from "./core/auth/session-epochs.ts";
import { TokenService } from "./core/auth/tokens.ts";
import { bootstrapAdmin } from "./core/auth/bootstrap.ts";
import { reconcileDerivedObjects } from "./core/collections/reconcile.ts";
import { reconcileSystemColumns } from "./core/collections/system-columns.ts";
import { CollectionRegistry } from "./core/collections/registry.ts";
import { checkDeclarations } from "./core/actions/definitions.ts";
import { DEFAULT_ACCOUNT_ID, type Logger, type Services } from "./core/context.ts";
import { EventBus } from "./core/events/bus.ts";
import { EventDispatcher } from "./core/events/dispatcher.ts";
import { startWebhooks, type WebhookEngine } from "./core/webhooks/engine.ts";
import { startLiveEvents, type LiveEvents } from "./realtime/live-events.ts";
import { createPubSub } from "./realtime/pubsub.ts";
import { SettingsStore } from "./core/settings/store.ts";
import { ListCache } from "./core/records/list-cache.ts";
import { ServiceGate } from "./core/policy/service-gate.ts";
import { RuntimeStats } from "./core/stats/runtime-stats.ts";
import { startBackupSchedule, type BackupScheduler } from "./core/backups/schedule.ts";
import { startContentSchedule, type ContentScheduler } from "./core/content/schedule.ts";
import { registerBackupJobs } from "./core/backups/backup-jobs.ts";
import { JobRunner } from "./core/jobs/runner.ts";
import { startOrphanSweep, type OrphanSweeper } from "./core/files/orphans.ts";
import { followRemoteRestores } from "./core/backups/restore-gate.ts";
import { followRemoteRebuilds } from "./core/collections/rebuild-notice.ts";
import { registerTransferJobs } from "./core/transfer/register.ts";
import { loadRoles } from "./core/rules/role-cache.ts";
import { registerRest } from "./rest/index.ts";
import { LazySerializers } from "./lib/lazy-serializers.ts";
import { LazyValidators } from "./lib/lazy-validators.ts";
import { RequestLogController } from "./rest/http/request-log.ts";
import { registerGraphql, type GraphqlHandle } from "./graphql/register.ts";
import { createBlobStore } from "./storage/create-store.ts";

export interface App {
  readonly server: FastifyInstance;
  readonly services: Services;
  /** GraphQL schema manager, subscription hub and Yoga */
  readonly graphql: GraphqlHandle;
  /** reads the outbox and feeds its consumers (`register` more before or after start) */
  readonly dispatcher: EventDispatcher;
  /** the live fan-out through the pub/sub port: hub, schema and settings notices */
  readonly live: LiveEvents;
  /** queues and sends webhook deliveries (core/webhooks/engine.ts) */
  readonly webhooks: WebhookEngine;
  /** Starts listening; returns the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

/** The token secret: CAIRN_SECRET, or one generated once into the data dir. */
export function resolveSecret(config: Config): string {
  if (config.secret) return config.secret;
  const file = join(config.dataDir, "secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/**
 * Opens the core database for a config and applies pending migrations. A missing PostgreSQL
 * database is created first when the role may (else a StartupError says how).
 */
export async function openDatabase(config: Config, log: Pick<Logger, "error" | "warn" | "info">): Promise<SqlDb> {
  if (config.dialect === "postgres" && (await createDatabaseIfMissing(config.databaseUrl))) log.info(`Created PostgreSQL database ${new URL(config.databaseUrl).pathname.slice(1)}`);
  await migrate(config.databaseUrl);
  const onError = (e: unknown) => log.error({ err: e }, "after-commit callback failed");
  const onIdleError = (e: unknown) => log.warn({ err: e }, "an idle database connection was lost; the pool opens a new one when needed");
  if (config.dialect !== "postgres") return new SqliteDb(config.databaseUrl.replace(/^file:/, ""), onError);
  // imported here: the pg driver stays unloaded on SQLite (idle memory)
  const { PostgresDb } = await import("./db/postgres.ts");
  const db = new PostgresDb(config.databaseUrl, onError, 10, onIdleError);
  if (!(await db.enableTrigram())) log.warn("pg_trgm extension could not be created (needs a privileged role: CREATE EXTENSION pg_trgm): contains filters (~) scan instead of using trigram indexes");
  return db;
}

async function ensureDefaultAccount(db: SqlDb): Promise<void> {
  const now = new Date().toISOString();
  const q = db.qb
    .insertInto("_accounts")
    .values({ id: DEFAULT_ACCOUNT_ID, slug: "default", name: "Default", created: now, updated: now })
    .onConflict((oc) => oc.column("id").doNothing());
  await db.execute(q);
}

/**
 * The core's services over an open database, Prisma client and pub/sub port: what `createApp`
 * serves, and what command-line tools (import, export) run core operations with.
 */
export async function buildServices(config: Config, log: Logger, db: SqlDb, prisma: Services["prisma"], pubsub: Services["pubsub"]): Promise<Services> {
  const now = () => new Date();
  const secret = resolveSecret(config);
  return {
    config,
    db,
    prisma,
    collections: new CollectionRegistry(db),
    events: new EventBus(),
    pubsub,
    tokens: new TokenService(secret, config.accessTokenTtl, now),
    sessions: new SessionEpochs(prisma, pubsub, log),
    settings: new SettingsStore(prisma),
    listCache: new ListCache({ pageBytes: config.listCacheBytes }),
    files: { blobs: await createBlobStore(config), thumbsDir: join(config.dataDir, "thumbs"), urlKey: createHmac("sha256", secret).update("cairn file urls").digest() },
    gate: new ServiceGate(),
    runtime: new RuntimeStats(now),
    jobs: new JobRunner(),
    log,
    now,
  };
}

/** Builds the whole application for a configuration. */
export async function createApp(config: Config): Promise<App> {
  const serializers = new LazySerializers();
  const validators = new LazyValidators();
  const server = Fastify({
    logger: loggerOptions(config.logLevel),
    // One line per request instead of two.
    logController: new RequestLogController(),
    bodyLimit: config.bodyLimit,
    // `__proto__` and `constructor` keys in a JSON body are data (a JSON field may hold them), as
    // over GraphQL: JSON.parse makes them own properties, and no code merges a body into a plain
    // object or looks client names up in one (lib/own.ts).
    onProtoPoisoning: "ignore",
    onConstructorPoisoning: "ignore",
    requestIdHeader: "x-request-id",
    genReqId: () => randomUUID(),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: "array", useDefaults: true, allErrors: false } },
    // request validators and response serializers compiled on first use (lib/lazy-*.ts): idle memory
    schemaController: { compilersFactory: { buildValidator: validators.buildValidator, buildSerializer: serializers.buildSerializer } },
  });
  serializers.attach(server);
  validators.attach(server);
  const log: Logger = server.log;
  const db = await openDatabase(config, log);
  const prisma = await createPrisma(db);
  const pubsub = await createPubSub(config, log);
  const services = await buildServices(config, log, db, prisma, pubsub);
  // API keys act as their owner: when the owner's sessions end, every instance reloads their keys.
  services.sessions.onEnded((userId) => invalidateApiKeys(services, { userId }));
  services.listCache.connect(services.events, pubsub);
  registerTransferJobs(services);
  // declared actions and UI effects are checked when a collection is saved
  services.collections.addNameCheck(checkDeclarations);
  const dispatcher = new EventDispatcher(services);
  const live = startLiveEvents(services, dispatcher);
  const webhooks = startWebhooks(services, dispatcher);
  let graphql: GraphqlHandle | undefined;
  let backups: BackupScheduler | undefined;
  let orphans: OrphanSweeper | undefined;
  let stopFollowingRestores: (() => void) | undefined;
  let stopFollowingRebuilds: (() => void) | undefined;
  let schedule: ContentScheduler | undefined;
  try {
    await ensureDefaultAccount(db);
    await services.collections.load();
    for (const c of await reconcileSystemColumns(db)) log.info(c, `Added the system columns ${c.added.join(", ")} to collection '${c.collection}'`);
    for (const c of await reconcileDerivedObjects(db)) log.info(c, `Brought the indexes of collection '${c.collection}' up to date`);
    await services.settings.reload();
    await loadRoles(services);
    await bootstrapAdmin(services);
    await registerRest(server, services);
    graphql = await registerGraphql(server, services, live.hub);
    await dispatcher.start();
    registerBackupJobs(services);
    await services.jobs.start(services);
    backups = startBackupSchedule(services);
    orphans = startOrphanSweep(services);
    stopFollowingRestores = followRemoteRestores(services);
    stopFollowingRebuilds = followRemoteRebuilds(services);
    schedule = startContentSchedule(services);
  } catch (e) {
    // Start-up failed: release the connections opened above before reporting.
    await schedule?.stop().catch(() => {});
    await webhooks.close().catch(() => {});
    backups?.stop();
    await orphans?.stop();
    stopFollowingRestores?.();
    stopFollowingRebuilds?.();
    await services.jobs.stop().catch(() => {});
    await dispatcher.stop().catch(() => {});
    await live.close().catch(() => {});
    await graphql?.close().catch(() => {});
    await server.close().catch(() => {});
    await prisma.$disconnect().catch(() => {});
    await db.close().catch(() => {});
    await pubsub.close().catch(() => {});
    await services.files.blobs.close().catch(() => {});
    throw e;
  }

  let closed = false;
  return {
    server,
    services,
    graphql,
    dispatcher,
    live,
    webhooks,
    async listen() {
      return server.listen({ port: config.port, host: config.host });
    },
    async close() {
      if (closed) return;
      closed = true;
      backups.stop();
      stopFollowingRestores();
      stopFollowingRebuilds();
      await orphans.stop();
      await backups.idle();
      await schedule.stop();
      await graphql.close();
      await webhooks.close();
      await services.jobs.stop();
      await dispatcher.stop();
      await live.close();
      await server.close();
      services.sessions.close();
      services.listCache.close();
      await prisma.$disconnect();
      await db.close();
      await pubsub.close();
      await services.files.blobs.close();
    },
  };
}
