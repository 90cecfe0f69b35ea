/**
 * Rendering for the SnackBase records routes (compat/snackbase.md §3): the flat record shape and
 * the SnackBase error answers — 400 `{"error":"Validation error","details":[{field, message,
 * code}]}` for record validation (the core's per-field problems with SnackBase's codes), and
 * `Permission denied for <op> on <collection>` for a denied operation.
 */
import type { CollectionDef } from "../../core/collections/types.ts";
import type { RecordAccount } from "../../core/records/record-account.ts";
import type { RecordData } from "../../core/records/values.ts";
import { AppError, BadRequestError, ConflictError, ValidationError } from "../../core/errors.ts";

/** A SnackBase validation problem. */
export interface FieldProblem {
  field: string;
  message: string;
  code: string;
}

/** 400 with `details` as SnackBase's list of `{field, message, code}` (rendered by the records scope). */
export class RecordValidationError extends AppError {
  constructor(
    message: string,
    readonly problems: FieldProblem[],
  ) {
    super("VALIDATION_ERROR", 400, message, null);
  }
}

/** The error body of a {@link RecordValidationError}: Cairn's keys, SnackBase's `error` and `details`. */
export function validationBody(e: RecordValidationError) {
  return { error: "Validation error", message: e.message, detail: e.message, code: e.code, details: e.problems };
}

/** Error body schema of these routes: `details` is a list here, an object elsewhere. */
export const recordErrorSchema = {
  type: "object",
  properties: { error: { type: "string" }, message: { type: "string" }, detail: { type: "string" }, code: { type: "string" }, details: {} },
} as const;

/** A record as SnackBase clients read it: flat, with the system fields under SnackBase's names. */
export function renderRecord(rec: RecordData, account: RecordAccount, fields?: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: rec.id,
    account_id: account.id,
    created_at: rec.created,
    created_by: rec.owner_id,
    updated_at: rec.updated,
    updated_by: rec.updated_by,
    account_name: account.name,
  };
  for (const k in rec) {
    if (k === "id" || k === "owner_id" || k === "created" || k === "updated" || k === "version" || k === "updated_by") continue;
    if (!fields || fields.has(k)) out[k] = rec[k];
  }
  return out;
}

const FORMAT_CODE: Partial<Record<string, string>> = {
  email: "invalid_email_format",
  url: "invalid_url_format",
  datetime: "invalid_datetime_format",
  date: "invalid_date_format",
  json: "invalid_json",
};

/** SnackBase's code for one of the core's field problems. */
function problemCode(def: CollectionDef, body: Record<string, unknown>, field: string, message: string): string {
  const f = def.fields.find((x) => x.name === field);
  if (message === "This field is required") return Object.hasOwn(body, field) ? "required_null" : "required_missing";
  if (!f) return "invalid_type";
  const value = body[field];
  if (f.type === "reference") {
    if (value === "" || (Array.isArray(value) && value.includes(""))) return "empty_reference";
    return / not found in | does not exist$/.test(message) ? "invalid_reference" : "invalid_type";
  }
  const format = FORMAT_CODE[f.type];
  // a value of the wrong JSON type is invalid_type; a string in the wrong format names the format
  if (format && (f.type === "json" || typeof value === "string")) return format;
  return "invalid_type";
}

/**
 * The SnackBase form of an error a record operation threw (others are returned unchanged):
 * - per-field problems (422) → 400 with a `details` list and SnackBase codes;
 * - unknown fields (400) → 400 `unknown_field` per field;
 * - a unique clash (409) on create/update → 400 `unique_violation`;
 * - a denied operation → 403 `Permission denied for <op> on <collection>`.
 */
export function recordError(e: unknown, def: CollectionDef | undefined, body: Record<string, unknown> = {}): unknown {
  if (!(e instanceof AppError)) return e;
  if (def && e instanceof ValidationError) {
    const problems = Object.entries(e.fields).map(([field, message]) => ({ field, message, code: problemCode(def, body, field, message) }));
    return new RecordValidationError(e.message, problems);
  }
  const unknown = e instanceof BadRequestError ? (e.details?.unknown_fields as string[] | undefined) : undefined;
  if (unknown)
    return new RecordValidationError(
      e.message,
      unknown.map((field) => ({ field, message: "Unknown field", code: "unknown_field" })),
    );
  if (e instanceof ConflictError && typeof e.details?.field === "string" && e.details[e.details.field] === "Must be unique") {
    const field = e.details.field;
    return new RecordValidationError(e.message, [{ field, message: e.message, code: "unique_violation" }]);
  }
  if (e.code === "FORBIDDEN" && typeof e.details?.operation === "string" && typeof e.details.collection === "string") {
    const op = e.details.operation === "list" || e.details.operation === "view" ? "read" : e.details.operation;
    return new AppError("FORBIDDEN", 403, `Permission denied for ${op} on ${e.details.collection}`, e.details);
  }
  return e;
}
