/**
 * First start on PostgreSQL: when the database named in DATABASE_URL does not exist, create it
 * through the server's maintenance database (`postgres`, else `template1`) — when the role may
 * (superuser or CREATEDB). When it may not, fail with one line saying how to create it.
 */
import { StartupError } from "../lib/startup-error.ts";

const code = (e: unknown) => (e as { code?: unknown })?.code;

/** The createdb command line that makes the database, owned by the configured user. */
function createdbHint(url: URL, database: string): string {
  const user = decodeURIComponent(url.username);
  return `createdb -h ${url.hostname || "localhost"} -p ${url.port || "5432"}${user ? ` -O ${user}` : ""} ${database} (as a user allowed to create databases)`;
}

/**
 * Creates the PostgreSQL database of `connectionString` if it is missing; resolves true when it
 * created it. Throws StartupError when it is missing and cannot be created; other connection
 * errors (unreachable server, bad credentials) are rethrown as the driver raised them.
 */
export async function createDatabaseIfMissing(connectionString: string): Promise<boolean> {
  // loaded here, not at start-up: a SQLite install never needs the driver
  const { default: pg } = await import("pg");
  const probe = new pg.Client({ connectionString, connectionTimeoutMillis: 10_000 });
  try {
    await probe.connect();
    return false;
  } catch (e) {
    if (code(e) !== "3D000") throw e;
  } finally {
    await probe.end().catch(() => {});
  }
  const url = new URL(connectionString);
  const database = decodeURIComponent(url.pathname.slice(1));
  let lastError: unknown;
  for (const maintenance of ["postgres", "template1"]) {
    const admin = new URL(connectionString);
    admin.pathname = `/${maintenance}`;
    const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 10_000 });
    try {
      await client.connect();
    } catch (e) {
      lastError = e;
      await client.end().catch(() => {});
      if (code(e) === "3D000") continue;
      break;
    }
    try {
      await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
      return true;
    } catch (e) {
      if (code(e) === "42P04") return false; // created meanwhile by another instance
      lastError = e;
      break;
    } finally {
      await client.end().catch(() => {});
    }
  }
  const denied = code(lastError) === "42501";
  throw new StartupError(
    `PostgreSQL database "${database}" does not exist${denied ? ` and user "${decodeURIComponent(url.username)}" may not create it` : " and could not be created"}; create it with: ${createdbHint(url, database)}`,
  );
}
