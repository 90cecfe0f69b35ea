/**
 * The AppError family. Core code throws these; each transport maps them once
 * (REST: status + body, GraphQL: extensions.code). Anything else is an internal error,
 * logged with the request id and masked. Database driver errors that mean an outage or a refused
 * value become AppErrors here too (`fromDriverError`), so both transports answer them alike.
 */
import { classifyDriverError } from "../db/driver-errors.ts";

export type ErrorCode =
  "BAD_REQUEST" | "UNAUTHENTICATED" | "FORBIDDEN" | "NOT_FOUND" | "CONFLICT" | "PAYLOAD_TOO_LARGE" | "VALIDATION_ERROR" | "RATE_LIMITED" | "MAINTENANCE_MODE" | "SERVICE_UNAVAILABLE" | "INTERNAL";

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class BadRequestError extends AppError {
  constructor(message: string, details: Record<string, unknown> | null = null) {
    super("BAD_REQUEST", 400, message, details);
  }
}

/** Per-field validation failure; `fields` maps a field name (or path) to its message. */
export class ValidationError extends AppError {
  constructor(
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super("VALIDATION_ERROR", 422, message, Object.keys(fields).length ? fields : null);
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = "Authentication required") {
    super("UNAUTHENTICATED", 401, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = "Access denied") {
    super("FORBIDDEN", 403, message);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super("NOT_FOUND", 404, message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, details: Record<string, unknown> | null = null) {
    super("CONFLICT", 409, message, details);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message: string) {
    super("PAYLOAD_TOO_LARGE", 413, message);
  }
}

export class RateLimitedError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    details: Record<string, unknown> | null = null,
  ) {
    super("RATE_LIMITED", 429, message, details);
  }
}

/** Seconds a client is asked to wait (Retry-After) when the database is unavailable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * A dependency the request needs is down (today: the database). 503 with Retry-After; the
 * message names the cause (`Database unavailable: the disk is full`), never a driver message.
 */
export class ServiceUnavailableError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number = DATABASE_RETRY_AFTER_SECONDS,
    options?: { cause?: unknown },
  ) {
    super("SERVICE_UNAVAILABLE", 503, message, null, options);
  }
}

/** The message text clients get for a request refused because a value holds U+0000. */
export const NUL_MESSAGE = "Text values cannot contain NUL characters (\\u0000)";

/**
 * The AppError a database driver error stands for, or undefined when it is not one we
 * recognise (then it is an internal error): an outage → ServiceUnavailableError
 * (`Database unavailable: <cause>`), a text value PostgreSQL refused for holding U+0000 →
 * BadRequestError. The driver error is kept as the private `cause`.
 */
export function fromDriverError(error: unknown): AppError | undefined {
  const failure = classifyDriverError(error);
  if (!failure) return undefined;
  if (failure.kind === "nul") return new AppError("BAD_REQUEST", 400, NUL_MESSAGE, null, { cause: error });
  return new ServiceUnavailableError(`Database unavailable: ${failure.reason}`, DATABASE_RETRY_AFTER_SECONDS, { cause: error });
}

/**
 * The same error with the input names in its details (and at word boundaries in its message
 * and its text detail values) renamed through `names`: core errors name inputs by their domain
 * names (`pageSize`, `recordIds`), and each transport renders its own parameter names
 * (`per_page`, `ids`) with this. Returns `e` itself when no name in its details is mapped.
 * @example renameInputs(e, new Map([["recordIds", "record_ids"]]))
 */
export function renameInputs(e: AppError, names: ReadonlyMap<string, string>): AppError {
  const details = e instanceof ValidationError ? e.fields : e.details;
  if (!details || !Object.keys(details).some((k) => names.has(k))) return e;
  const rename = (text: string): string => {
    for (const [from, to] of names) text = text.replace(new RegExp(`\\b${from}\\b`, "g"), to);
    return text;
  };
  const renamed: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(details))
    Object.defineProperty(renamed, names.get(k) ?? k, { value: typeof v === "string" ? rename(v) : v, enumerable: true, writable: true, configurable: true });
  const message = rename(e.message);
  const out = e instanceof ValidationError ? new ValidationError(message, renamed as Record<string, string>) : new AppError(e.code, e.status, message, renamed, { cause: e });
  if (e instanceof RateLimitedError) return new RateLimitedError(message, e.retryAfterSeconds, renamed);
  return out;
}
