/**
 * The `cairn` command line (`npx cairn …`, `npm start`):
 *   cairn serve                                   start the server
 *   cairn migrate                                 apply pending database migrations
 *   cairn admin create --email E --password P     create (or promote) a superadmin
 *   cairn schema print [--system]                 print the GraphQL SDL (sorted)
 * Configuration comes from the environment and `.env` (see src/config.ts). Exit codes:
 * 0 success, 1 failure, 2 bad arguments.
 */
import { parseArgs } from "node:util";
import { createApp, openDatabase } from "./app.ts";
import { ConfigError, loadConfig, loadDotEnv, type Config } from "./config.ts";
import { createAdmin } from "./core/auth/bootstrap.ts";
import { ValidationError } from "./core/errors.ts";
import { migrate } from "./db/migrator.ts";
import { createPrisma } from "./db/prisma.ts";
import { CollectionRegistry } from "./core/collections/registry.ts";
import { printSchemaFor, printSystemSchema } from "./graphql/print-schema.ts";

const USAGE = `Usage: cairn <command> [options]

Commands:
  serve                                   start the HTTP server (PORT, HOST, DATABASE_URL, …)
  migrate                                 apply pending database migrations and list them
  admin create --email <e> --password <p> create a superadmin, or promote an existing user
  schema print [--system]                 print the GraphQL schema (SDL, sorted); --system: without collections

Options:
  -h, --help                              show this help

Configuration is read from the environment and from .env in the working directory.`;

/** A usage mistake: printed with the usage line, exit code 2. */
class UsageError extends Error {}

function config(): Config {
  loadDotEnv();
  return loadConfig();
}

async function serve(): Promise<void> {
  const app = await createApp(config());
  const url = await app.listen();
  app.services.log.info(`Cairn listening on ${url} (API docs at ${url}/docs)`);
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
}

async function runMigrate(): Promise<void> {
  const applied = await migrate(config().databaseUrl);
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
  const log = { error: (obj: object | string, msg?: string) => console.error(msg ?? "", obj) };
  const db = await openDatabase(cfg, log);
  const prisma = createPrisma(db);
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
  const { values, positionals } = parseArgs({ args, options: { system: { type: "boolean" } }, allowPositionals: true, strict: true });
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  if (values.system) {
    process.stdout.write(printSystemSchema());
    return;
  }
  const log = { error: (obj: object | string, msg?: string) => console.error(msg ?? "", obj) };
  const db = await openDatabase(config(), log);
  try {
    const registry = new CollectionRegistry(db);
    await registry.load();
    process.stdout.write(printSchemaFor(registry.list()));
  } finally {
    await db.close();
  }
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
        if (rest[0] !== "create") throw new UsageError(rest[0] ? `unknown admin command '${rest[0]}'` : "admin needs a command: create");
        await adminCreate(rest.slice(1));
        return 0;
      case "schema":
        if (rest[0] !== "print") throw new UsageError(rest[0] ? `unknown schema command '${rest[0]}'` : "schema needs a command: print");
        await schemaPrint(rest.slice(1));
        return 0;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (e) {
    // parseArgs reports unknown or malformed options with ERR_PARSE_ARGS_* codes.
    const parseError = typeof (e as { code?: unknown })?.code === "string" && String((e as { code: string }).code).startsWith("ERR_PARSE_ARGS");
    if (e instanceof UsageError || parseError) {
      console.error(`cairn: ${(e as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof ValidationError) {
      console.error(`cairn: ${e.message}`);
      return 2;
    }
    if (e instanceof ConfigError) {
      console.error(`cairn: configuration error: ${e.message}`);
      return 1;
    }
    console.error("cairn: failed:", e);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
if (code !== 0) process.exitCode = code;
