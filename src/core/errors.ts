/**
 * The AppError family. Core code throws these; each transport maps them once
 * (REST: status + body, GraphQL: extensions.code). Anything else is an internal error,
 * logged with the request id and masked.
 */

export type ErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "PAYLOAD_TOO_LARGE"
  | "VALIDATION_ERROR"
  | "RATE_LIMITED"
  | "MAINTENANCE_MODE"
  | "INTERNAL";

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
