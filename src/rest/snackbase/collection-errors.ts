/**
 * SnackBase's answer to an invalid collection definition (compat/snackbase.md §4): 400
 * `{"error":"Validation error","details":[{field, message, code}]}` with SnackBase's codes,
 * for a SnackBase-shaped body on the collection routes both dialects share. A FastCMS-shaped
 * body keeps FastCMS's 422 (compat §9 "validation status: each path keeps its own").
 */
import { isSnackbaseDefinition, SNACKBASE_NAME_LENGTH } from "../../core/collections/normalize.ts";
import { ValidationError } from "../../core/errors.ts";
import { RecordValidationError, type FieldProblem } from "./records-render.ts";

/** SnackBase's code for one problem the core found at `path`. */
function definitionCode(path: string, message: string, body: Record<string, unknown>): string {
  if (path === "name") {
    if (/is required/.test(message)) return "name_required";
    if (/reserved/.test(message)) return "name_reserved";
    if (/characters long/.test(message)) return typeof body.name === "string" && body.name.length < SNACKBASE_NAME_LENGTH.min ? "name_too_short" : "name_too_long";
    if (/at most/.test(message)) return "name_too_long";
    return "name_invalid_format";
  }
  if (/\.name$/.test(path)) {
    if (/reserved/.test(message)) return "field_name_reserved";
    if (/duplicate/.test(message)) return "field_name_duplicate";
    if (/is required/.test(message)) return "field_name_required";
    if (/at most/.test(message)) return "field_name_too_long";
    return "field_name_invalid_format";
  }
  if (/\.type$/.test(path)) return "field_type_invalid";
  if (/\.(relation\.)?collection$/.test(path)) return /needs a target/.test(message) ? "reference_collection_required" : "reference_collection_not_found";
  if (/\.on_delete$/.test(path)) return /needs on_delete/.test(message) ? "reference_on_delete_required" : "reference_on_delete_invalid";
  if (/\.default$/.test(path)) return "default_invalid";
  if (/\.required$/.test(path)) return "required_field_has_nulls";
  return "invalid_value";
}

/**
 * The SnackBase form of a definition error: a {@link RecordValidationError} (400, `details` a
 * list) when `body` is SnackBase-shaped and `e` lists the problems; undefined otherwise.
 */
export function snackbaseDefinitionError(e: unknown, body: unknown): RecordValidationError | undefined {
  if (!(e instanceof ValidationError) || typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  const raw = body as Record<string, unknown>;
  if (!isSnackbaseDefinition(raw)) return undefined;
  const problems: FieldProblem[] = Object.entries(e.fields).map(([field, message]) => ({ field, message, code: definitionCode(field, message, raw) }));
  return new RecordValidationError(e.message, problems);
}
