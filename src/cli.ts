/**
 * The `cairn` command line (`npx cairn …`, `npm start`):
 *   cairn serve                                   start the server
 *   cairn migrate                                 apply pending database migrations
 *   cairn admin create --email E --password P     create (or promote) a superadmin
 *   cairn admin install-link                      a fresh first-run link while no superadmin exists (cli-install.ts)
 *   cairn schema print [--system] [--role R]      print the GraphQL SDL (sorted; R: a role or anonymous)
 *   cairn schema diff OLD.graphql [NEW.graphql]   breaking/dangerous changes (NEW: the live schema)
 *   cairn schema snapshot > cairn-schema.json     the schema snapshot (src/cli-snapshot.ts)
 *   cairn schema diff cairn-schema.json           the plan that would apply it
 *   cairn schema apply FILE [--allow-drop] [--dry-run]   apply a snapshot in one transaction
 *   cairn backup create|list|restore N|delete N   backups (src/cli-backup.ts)
 *   cairn import FILE --collection C [--mode upsert] import records (cli-transfer.ts)
 *   cairn export C [--format csv] > file           export records
 * Configuration comes from the environment and `.env` (see src/config.ts). Exit codes:
 * 0 success, 1 failure, 2 bad arguments.
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { createApp, openDatabase } from "./app.ts";
import { ConfigError, loadConfig, loadDotEnv, type Config } from "./config.ts";
import { createAdmin } from "./core/auth/bootstrap.ts";
import { ValidationError } from "./core/errors.ts";
import { classifyDriverError } from "./db/driver-errors.ts";
import { createDatabaseIfMissing } from "./db/ensure-database.ts";
import { migrate } from "./db/migrator.ts";
import { StartupError } from "./lib/startup-error.ts";
import { createPrisma } from "./db/prisma.ts";
import { CollectionRegistry } from "./core/collections/registry.ts";
import { printSchemaFor, printSystemSchema } from "./graphql/print-schema.ts";
import { readRoles } from "./core/rules/role-cache.ts";
import type { RoleSet } from "./core/rules/role-scope.ts";
import { diffSchemas, formatSchemaChanges, SchemaSourceError } from "./graphql/schema-diff.ts";
import { backupCommand } from "./cli-backup.ts";
import { isSnapshotFile, snapshotApply, snapshotDiff, snapshotPrint } from "./cli-snapshot.ts";
import { exportCommand, importCommand, TransferUsageError } from "./cli-transfer.ts";
import { announceInstallLink, installLinkCommand } from "./cli-install.ts";
import { AppError } from "./core/errors.ts";
import { releaseStartupMemory } from "./lib/release-startup-memory.ts";

const USAGE = `Usage: cairn <command> [options]

Commands:
  serve                                   start the HTTP server (PORT, HOST, DATABASE_URL, …)
  migrate                                 apply pending database migrations and list them
  admin create --email <e> --password <p> create a superadmin, or promote an existing user
  admin install-link                      print a link to create the first superadmin in the admin UI
                                          (valid 30 minutes; only while no superadmin exists)
  schema print [--system] [--role R]      print the GraphQL schema (SDL, sorted); --system: without collections;
                                          --role R: as members of role R (name or id) see it, or 'anonymous'
  schema diff OLD [NEW]                   list breaking and dangerous changes from the SDL file OLD to the
                                          SDL file NEW (default: the live schema); exit code 1 if any breaks
  schema snapshot                         print the schema snapshot (JSON): collections, roles, permissions,
                                          webhooks without secrets
  schema diff SNAPSHOT.json               print the plan (create, alter, rename, drop) that applying the
                                          snapshot would carry out, with data-loss warnings
  schema apply SNAPSHOT.json [--allow-drop] [--dry-run]
                                          apply a snapshot in one transaction; steps that drop something
                                          need --allow-drop; exit code 1 if refused
  import FILE --collection C [--mode insert|upsert] [--key id|FIELD] [--atomic] [--format F]
                                          import records from a csv, json, ndjson or xlsx file;
                                          prints the counts and failing rows as JSON
  export C [--format csv|json|ndjson|xlsx] [--filter E] [--sort S] [--fields a,b] > file
                                          write the records of collection C to stdout

Options:
  -h, --help                              show this help

Configuration is read from the environment and from .env in the working directory.`;

/** A usage mistake: printed with the usage line, exit code 2. */
class UsageError extends Error {}

/** The configuration once loaded: start-up failures name its database and port. */
let loaded: Config | undefined;

function config(): Config {
  loadDotEnv();
  loaded = loadConfig();
  return loaded;
}

/** Messages for the one-time commands go to stderr, so `schema print` output stays clean. */
const cliLog = {
  error: (obj: object | string, msg?: string) => console.error(msg ?? "", obj),
  info: (msg: string) => console.error(msg),
  warn: (obj: object | string, msg?: string) => console.error(msg ?? "", obj),
};

/** Listen errors the operator can fix, as one line naming the fix. */
function listenProblem(e: unknown, cfg: Config): StartupError | undefined {
  const where = `port ${cfg.port} on ${cfg.host}`;
  switch ((e as { code?: unknown })?.code) {
    case "EADDRINUSE":
      return new StartupError(`${where} is in use; set PORT to a free port (or stop the other server)`);
    case "EACCES":
      return new StartupError(`permission denied to listen on ${where}; set PORT to a port above 1023`);
    case "EADDRNOTAVAIL":
      return new StartupError(`cannot listen on ${cfg.host}: no such address on this machine; set HOST (e.g. 127.0.0.1 or 0.0.0.0)`);
    default:
      return undefined;
  }
}

/** File-system errors creating or opening the SQLite file. */
const FS_REASONS: ReadonlyMap<string, string> = new Map([
  ["ENOTDIR", "a part of the path is not a directory"],
  ["ENOENT", "the directory does not exist"],
  ["EACCES", "permission denied"],
  ["EPERM", "permission denied"],
  ["EROFS", "the file system is read-only"],
  ["ENOSPC", "the disk is full"],
]);

/** A database that cannot be reached or opened at start-up, as one line naming where and the fix. */
function databaseProblem(e: unknown, cfg: Config | undefined): string | undefined {
  if (!cfg) return undefined;
  const fsCode = (e as { code?: unknown })?.code;
  if (cfg.dialect === "sqlite" && typeof fsCode === "string" && FS_REASONS.has(fsCode)) {
    return `cannot open the SQLite database ${cfg.databaseUrl.replace(/^file:/, "")} (${FS_REASONS.get(fsCode)}); check DATABASE_URL / CAIRN_DATA_DIR`;
  }
  const failure = classifyDriverError(e);
  if (failure?.kind !== "unavailable") return undefined;
  if (cfg.dialect === "postgres") {
    const url = new URL(cfg.databaseUrl);
    return `cannot reach PostgreSQL at ${url.hostname || "localhost"}:${url.port || "5432"} database ${url.pathname.slice(1)} (${failure.reason}); start it or fix DATABASE_URL`;
  }
  return `cannot open the SQLite database ${cfg.databaseUrl.replace(/^file:/, "")} (${failure.reason}); check DATABASE_URL / CAIRN_DATA_DIR and the disk`;
}

async function serve(): Promise<void> {
  const cfg = config();
  const app = await createApp(cfg);
  // before listening: a signal that arrives while start-up finishes (the install link, the
  // memory release below) shuts down cleanly instead of killing the process mid-way
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      app.services.log.warn(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    app.services.log.info(`${signal}: shutting down`);
    app.close().then(
      () => process.exit(0),
      (e: unknown) => {
        app.services.log.error({ err: e }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  let url: string;
  try {
    url = await app.listen();
  } catch (e) {
    await app.close().catch(() => {});
    throw listenProblem(e, cfg) ?? e;
  }
  await announceInstallLink(app.services, url).catch((e: unknown) => app.services.log.warn({ err: e }, "could not create the first-run install link"));
  app.services.log.info(`Cairn listening on ${url} (API docs at ${url}/docs)`);
  await releaseStartupMemory().catch((e: unknown) => app.services.log.warn({ err: e }, "could not release start-up memory"));
}

async function runMigrate(): Promise<void> {
  const cfg = config();
  if (cfg.dialect === "postgres" && (await createDatabaseIfMissing(cfg.databaseUrl))) console.log(`Created PostgreSQL database ${new URL(cfg.databaseUrl).pathname.slice(1)}.`);
  const applied = await migrate(cfg.databaseUrl);
  if (applied.length === 0) console.log("Database is up to date; no migrations applied.");
  else console.log(`Applied ${applied.length} migration(s):\n${applied.map((m) => `  ${m}`).join("\n")}`);
}

async function adminCreate(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: { email: { type: "string" }, password: { type: "string" } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  if (!values.email || !values.password) throw new UsageError("admin create needs --email and --password");
  const cfg = config();
  const db = await openDatabase(cfg, cliLog);
  const prisma = await createPrisma(db);
  try {
    const { user, action } = await createAdmin({ prisma }, values.email, values.password);
    console.log(`Superadmin ${user.email} ${action} (id ${user.id}).`);
  } finally {
    await prisma.$disconnect();
    await db.close();
  }
}

/** `schema print`: the GraphQL SDL for the database's collections (or the system part only). */
async function schemaPrint(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, options: { system: { type: "boolean" }, role: { type: "string" } }, allowPositionals: true, strict: true });
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  if (values.system) {
    if (values.role !== undefined) throw new UsageError("--system and --role cannot be combined");
    process.stdout.write(printSystemSchema());
    return;
  }
  process.stdout.write(await liveSchema(values.role));
}

/** The role set `--role` names: `anonymous`, or a role by id or (case-insensitive) name. */
async function roleSetNamed(prisma: Awaited<ReturnType<typeof createPrisma>>, ref: string): Promise<RoleSet> {
  if (ref.toLowerCase() === "anonymous") return { kind: "anonymous" };
  const roles = await readRoles(prisma);
  const role = /^\d+$/.test(ref) ? roles.find((r) => r.id === Number(ref)) : roles.find((r) => r.name.toLowerCase() === ref.toLowerCase());
  if (!role) throw new UsageError(`no role '${ref}'; roles: anonymous, ${roles.map((r) => r.name).join(", ")}`);
  return { kind: "role", role };
}

/** The live schema's SDL: the collections of the configured database (as `role` sees them). */
async function liveSchema(role?: string): Promise<string> {
  const db = await openDatabase(config(), cliLog);
  const prisma = role === undefined ? undefined : await createPrisma(db);
  try {
    const registry = new CollectionRegistry(db);
    await registry.load();
    return printSchemaFor(registry.list(), prisma && role !== undefined ? await roleSetNamed(prisma, role) : undefined);
  } finally {
    await prisma?.$disconnect();
    await db.close();
  }
}

/** `schema diff OLD [NEW]`: exit 1 when something breaks, 0 otherwise. */
async function schemaDiff(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
  if (positionals.length < 1 || positionals.length > 2) throw new UsageError("schema diff needs OLD.graphql and optionally NEW.graphql");
  const read = async (file: string) => {
    try {
      return await readFile(file, "utf8");
    } catch (e) {
      throw new SchemaSourceError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  const [oldFile, newFile] = positionals as [string, string | undefined];
  const oldSdl = await read(oldFile);
  const newSdl = newFile ? await read(newFile) : await liveSchema();
  const changes = diffSchemas(oldSdl, newSdl, { old: oldFile, new: newFile ?? "the live schema" });
  process.stdout.write(formatSchemaChanges(changes));
  return changes.some((c) => c.level === "breaking") ? 1 : 0;
}

/** Runs the command line; resolves to the exit code (serve keeps running and resolves 0). */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === "-h" || command === "--help" || command === "help" || rest.includes("--help") || rest.includes("-h")) {
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    }
    switch (command) {
      case "serve":
      case "migrate":
        if (rest.length) throw new UsageError(`${command} takes no arguments, got '${rest[0]}'`);
        await (command === "serve" ? serve() : runMigrate());
        return 0;
      case "admin":
        if (rest[0] === "install-link") {
          if (rest.length > 1) throw new UsageError(`admin install-link takes no arguments, got '${rest[1]}'`);
          await installLinkCommand(config(), cliLog);
          return 0;
        }
        if (rest[0] !== "create") throw new UsageError(rest[0] ? `unknown admin command '${rest[0]}'` : "admin needs a command: create or install-link");
        await adminCreate(rest.slice(1));
        return 0;
      case "schema":
        if (rest[0] === "diff" && (await isSnapshotFile(rest.slice(1)))) return await snapshotDiff(config(), rest.slice(1), (m) => new UsageError(m));
        if (rest[0] === "diff") return await schemaDiff(rest.slice(1));
        if (rest[0] === "snapshot") return await snapshotPrint(config(), rest.slice(1), (m) => new UsageError(m));
        if (rest[0] === "apply") return await snapshotApply(config(), rest.slice(1), (m) => new UsageError(m));
        if (rest[0] !== "print") throw new UsageError(rest[0] ? `unknown schema command '${rest[0]}'` : "schema needs a command: print, diff, snapshot or apply");
        await schemaPrint(rest.slice(1));
        return 0;
      case "backup":
        return await backupCommand(config(), rest, (m) => new UsageError(m));
      case "import":
        return await importCommand(rest, config);
      case "export":
        return await exportCommand(rest, config);
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (e) {
    // parseArgs reports unknown or malformed options with ERR_PARSE_ARGS_* codes.
    const parseError = typeof (e as { code?: unknown })?.code === "string" && String((e as { code: string }).code).startsWith("ERR_PARSE_ARGS");
    if (e instanceof UsageError || e instanceof TransferUsageError || parseError) {
      console.error(`cairn: ${(e as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof SchemaSourceError) {
      console.error(`cairn: ${e.message}`);
      return 2;
    }
    if (e instanceof ValidationError) {
      console.error(`cairn: ${e.message}`);
      return 2;
    }
    if (e instanceof AppError && e.status < 500) {
      console.error(`cairn: ${e.message}`);
      return 1;
    }
    if (e instanceof ConfigError) {
      console.error(`cairn: configuration error: ${e.message}`);
      return 1;
    }
    if (e instanceof StartupError) {
      console.error(`cairn: ${e.message}`);
      return 1;
    }
    const database = databaseProblem(e, loaded);
    if (database) {
      console.error(`cairn: ${database}`);
      return 1;
    }
    console.error("cairn: failed:", e);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
if (code !== 0) process.exitCode = code;
