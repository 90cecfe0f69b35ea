/**
 * The one place that reads database driver errors. better-sqlite3, pg and Prisma's driver
 * adapters each report an outage or a refused value in their own shape (an SQLite result code,
 * a PostgreSQL SQLSTATE, a Node socket errno, or Prisma's `driverAdapterError` wrapper around
 * either); this module turns all of them into two facts the rest of the code can act on:
 *
 * - `unavailable`: the database cannot serve the request right now (unreachable, restarting,
 *   not accepting connections, read-only, disk full, busy, out of connections). Transports
 *   answer 503 with Retry-After; the request may succeed later without any change.
 * - `nul`: PostgreSQL refused a text or JSON value holding U+0000 (SQLSTATE 22021 / 22P05).
 *   The request edges refuse NUL first; this is the backstop for any path they miss.
 *
 * `reason` is a short, fixed phrase of ours: driver messages (which may name hosts, files,
 * users or SQL) never leave this module.
 */

export type DriverFailure = { readonly kind: "unavailable"; readonly reason: string } | { readonly kind: "nul" };

const unavailable = (reason: string): DriverFailure => ({ kind: "unavailable", reason });

/** Node socket errors on the way to a database server. */
const SOCKET_REASONS: ReadonlyMap<string, string> = new Map([
  ["ECONNREFUSED", "connection refused"],
  ["ECONNRESET", "the connection was reset"],
  ["EPIPE", "the connection was closed"],
  ["ETIMEDOUT", "the connection timed out"],
  ["ENOTFOUND", "the database host was not found"],
  ["EAI_AGAIN", "the database host could not be resolved"],
  ["EHOSTUNREACH", "the database host is unreachable"],
  ["ENETUNREACH", "the database network is unreachable"],
]);

/** SQLite primary result codes (better-sqlite3 reports extended names such as SQLITE_READONLY_DBMOVED). */
const SQLITE_REASONS: ReadonlyMap<string, string> = new Map([
  ["SQLITE_READONLY", "the database is read-only"],
  ["SQLITE_FULL", "the disk is full"],
  ["SQLITE_CANTOPEN", "the database file cannot be opened"],
  ["SQLITE_IOERR", "disk I/O error"],
  ["SQLITE_BUSY", "the database is busy"],
  ["SQLITE_LOCKED", "the database is busy"],
]);

/** Prisma driver-adapter error kinds that mean an outage. */
const ADAPTER_REASONS: ReadonlyMap<string, string> = new Map([
  ["DatabaseNotReachable", "connection refused"],
  ["ConnectionClosed", "the connection was closed"],
  ["SocketTimeout", "the database did not answer in time"],
  ["TooManyConnections", "too many connections"],
  ["DatabaseDoesNotExist", "the database does not exist"],
  ["DatabaseAccessDenied", "access to the database was denied"],
  ["AuthenticationFailed", "the database refused the credentials"],
]);

/** pg's own errors that carry no code (the connection was lost or never made). */
const PG_MESSAGES: readonly [RegExp, string][] = [
  [/^Connection terminated/, "the connection was closed"],
  [/timeout exceeded when trying to connect/, "no database connection became available in time"],
  // a new connection not established within CONNECT_TIMEOUT_MS (src/db/postgres.ts)
  [/^timeout expired$/, "the database did not answer in time"],
  [/Client has encountered a connection error/, "the connection was closed"],
  [/Cannot use a pool after calling end/, "the server is shutting down"],
];

function sqlState(code: string, message: string): DriverFailure | undefined {
  if (code === "22021" || code === "22P05") return { kind: "nul" };
  if (code === "57P01" || code === "57P02" || code === "57P03") return unavailable("the database server is restarting or shutting down");
  if (code === "3D000") return unavailable("the database does not exist");
  if (code === "25006") return unavailable("the database is read-only");
  if (code === "53100") return unavailable("the database server's disk is full");
  if (code === "53300") return unavailable("too many connections");
  if (code.startsWith("53")) return unavailable("the database server is out of resources");
  if (code.startsWith("08")) return unavailable("the connection to the database failed");
  if (code === "28000" || code === "28P01") return unavailable("the database refused the credentials");
  if (code === "55000" && /not currently accepting connections/.test(message)) return unavailable("the database is not accepting connections");
  return undefined;
}

function fromCode(code: string, message: string): DriverFailure | undefined {
  if (code.startsWith("SQLITE_")) {
    const primary = /^SQLITE_[A-Z]+/.exec(code)![0];
    const reason = SQLITE_REASONS.get(primary);
    return reason ? unavailable(reason) : undefined;
  }
  const socket = SOCKET_REASONS.get(code);
  if (socket) return unavailable(socket);
  if (/^[0-9A-Z]{5}$/.test(code)) return sqlState(code, message);
  return undefined;
}

function classifyOne(e: Record<string, unknown>): DriverFailure | undefined {
  const message = typeof e.message === "string" ? e.message : typeof e.originalMessage === "string" ? e.originalMessage : "";
  // Prisma's adapter error cause: { kind, originalCode?, code? (postgres), extendedCode? (sqlite) }.
  if (typeof e.kind === "string") {
    const reason = ADAPTER_REASONS.get(e.kind);
    if (reason) return unavailable(e.kind === "SocketTimeout" && String(e.originalCode ?? "").startsWith("SQLITE_BUSY") ? "the database is busy" : reason);
    const code = typeof e.originalCode === "string" ? e.originalCode : typeof e.code === "string" ? e.code : undefined;
    return code ? fromCode(code, message) : undefined;
  }
  if (typeof e.code === "string") {
    const byCode = fromCode(e.code, message);
    if (byCode) return byCode;
  }
  for (const [pattern, reason] of PG_MESSAGES) if (pattern.test(message)) return unavailable(reason);
  return undefined;
}

/**
 * Classifies an error thrown by a database call (see the module comment); undefined for
 * anything else (a bug, a constraint the caller handles, a non-database error). Looks inside
 * Prisma's wrapper (`meta.driverAdapterError` and its `cause`) and a GraphQL `originalError`,
 * but not through other `cause` chains: a failed `fetch` to an OAuth provider also carries
 * ECONNREFUSED in its cause, and that is not the database.
 */
export function classifyDriverError(error: unknown): DriverFailure | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current !== null && typeof current === "object"; depth++) {
    const e = current as Record<string, unknown>;
    const found = classifyOne(e);
    if (found) return found;
    const meta = e.meta as Record<string, unknown> | undefined;
    current = (meta && typeof meta === "object" ? meta.driverAdapterError : undefined) ?? (e.name === "DriverAdapterError" ? e.cause : undefined) ?? e.originalError;
  }
  return undefined;
}
