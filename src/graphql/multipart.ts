/**
 * Uploads over GraphQL: the multipart request spec
 * (github.com/jaydenseric/graphql-multipart-request-spec) — parts `operations` (the request),
 * `map` (which variables each file fills), then the files. Yoga's own support reads every file
 * into memory; here each file streams into storage as it arrives (core/files: limits checked
 * while streaming), and its variable gets a per-request token instead. The request then runs as
 * a plain JSON request; the `Upload` scalar accepts only tokens of this request, and a mutation
 * that takes one claims the stored file. Files no mutation claimed are removed afterwards.
 */
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import type { FastifyReply, FastifyRequest } from "fastify";
import { Kind, parse, type TypeNode } from "graphql";
import type { Services } from "../core/context.ts";
import { AppError, BadRequestError } from "../core/errors.ts";
import { discardUpload, stageUpload, type StagedUpload } from "../core/files/upload.ts";
import { formatOfName } from "../core/transfer/formats.ts";
import { stageImportFile } from "../core/transfer/stage-file.ts";
import { CSRF_HEADERS } from "./use-csrf-prevention.ts";

export const UPLOAD_TOKEN_PREFIX = "cairn-upload:";
export const IMPORT_TOKEN_PREFIX = "cairn-import:";
/** Files per request at most. */
export const MAX_UPLOADS = 10;
/** The scalar of variables whose file is an import file (system-transfer.ts), not a stored file. */
export const IMPORT_UPLOAD_TYPE = "ImportUpload";

/** A file part for `importRecords`: staged as an import file (core/transfer/stage-file.ts). */
export interface StagedImport {
  path: string;
  filename: string | undefined;
}

const uploads = new WeakMap<FastifyRequest, Map<string, StagedUpload>>();
const imports = new WeakMap<FastifyRequest, Map<string, StagedImport>>();

/** The uploads of a request (empty for other requests). */
export function uploadsOf(req: FastifyRequest | undefined): Map<string, StagedUpload> {
  return (req && uploads.get(req)) ?? new Map();
}

/** The import files of a request (empty for other requests). */
export function importsOf(req: FastifyRequest | undefined): Map<string, StagedImport> {
  return (req && imports.get(req)) ?? new Map();
}

const namedType = (t: TypeNode): string => (t.kind === Kind.NAMED_TYPE ? t.name.value : namedType(t.type));

/**
 * The variables the request declares as `ImportUpload`: their files are import files (size limit
 * `max_import_size`, any type), not stored files. A query that does not parse has none (the
 * regular path reports the syntax error).
 */
function importVariables(operations: Record<string, unknown>): Set<string> {
  const out = new Set<string>();
  if (typeof operations.query !== "string") return out;
  try {
    for (const d of parse(operations.query).definitions)
      if (d.kind === Kind.OPERATION_DEFINITION) for (const v of d.variableDefinitions ?? []) if (namedType(v.type) === IMPORT_UPLOAD_TYPE) out.add(v.variable.name.value);
  } catch {
    return out;
  }
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function parseJsonPart(name: string, value: unknown): unknown {
  try {
    return JSON.parse(String(value));
  } catch {
    throw new BadRequestError(`The '${name}' part is not valid JSON`);
  }
}

/** Sets `value` at a spec path (`variables.file`, `variables.files.0`) of the operations object. */
function setPath(operations: Record<string, unknown>, path: string, value: string): void {
  const keys = path.split(".");
  let node: unknown = operations;
  for (let i = 0; i < keys.length - 1; i++) {
    node = isObject(node) || Array.isArray(node) ? (node as Record<string, unknown>)[keys[i]!] : undefined;
    if (!isObject(node) && !Array.isArray(node)) throw new BadRequestError(`map path '${path}' does not name a variable of the operations`);
  }
  const last = keys[keys.length - 1]!;
  if (last === "__proto__" || last === "constructor" || last === "prototype") throw new BadRequestError(`map path '${path}' is not allowed`);
  (node as Record<string, unknown>)[last] = value;
}

/** Answers the request with `e` as a GraphQL error body; returns false (the request is done). */
function answer(reply: FastifyReply, e: AppError): false {
  const code = e.code === "UNAUTHENTICATED" ? "UNAUTHENTICATED" : e.code === "VALIDATION_ERROR" || e.code === "BAD_REQUEST" ? "BAD_USER_INPUT" : e.code;
  reply.header("connection", "close");
  void reply
    .status(e.status)
    .header("content-type", "application/json; charset=utf-8")
    .send(JSON.stringify({ errors: [{ message: e.message, extensions: { code, ...(e.details ? { details: e.details } : {}) } }] }));
  return false;
}

/**
 * Reads a multipart GraphQL request: stores its files and turns the request into a JSON one
 * (body and content type) for the regular path. Returns false after answering the request itself
 * (a bad multipart request, CSRF, an upload refused: 4xx with a GraphQL error body).
 */
export async function readMultipartRequest(req: FastifyRequest, reply: FastifyReply, services: Services): Promise<boolean> {
  if (!CSRF_HEADERS.some((h) => req.headers[h] !== undefined)) {
    return answer(reply, new AppError("FORBIDDEN", 403, `This request needs one of the headers ${CSRF_HEADERS.join(", ")} (CSRF prevention), or a JSON POST`));
  }
  const staged = new Map<string, StagedUpload>();
  const stagedImports = new Map<string, StagedImport>();
  uploads.set(req, staged);
  imports.set(req, stagedImports);
  try {
    let operations: Record<string, unknown> | undefined;
    let map: Map<string, string[]> | undefined;
    for await (const part of req.parts({ limits: { fieldSize: services.config.bodyLimit, files: MAX_UPLOADS, fields: 2, parts: MAX_UPLOADS + 2 } })) {
      if (part.type === "field") {
        if (part.fieldname === "operations" && !operations) {
          const ops = parseJsonPart("operations", part.value);
          if (!isObject(ops)) throw new BadRequestError("The 'operations' part must be one GraphQL request object (batching is off)");
          operations = ops;
        } else if (part.fieldname === "map" && operations && !map) {
          const m = parseJsonPart("map", part.value);
          if (!isObject(m) || !Object.values(m).every((paths) => Array.isArray(paths) && paths.every((p) => typeof p === "string")))
            throw new BadRequestError("The 'map' part must map file names to lists of variable paths");
          map = new Map(Object.entries(m as Record<string, string[]>));
        } else throw new BadRequestError(`Unexpected part '${part.fieldname}': send 'operations', then 'map', then the files`);
        continue;
      }
      const paths = map?.get(part.fieldname);
      if (!operations || !map || !paths) {
        part.file.resume();
        throw new BadRequestError(map ? `File part '${part.fieldname}' is not in the map` : "Send the 'operations' and 'map' parts before the files");
      }
      const forImport = importVariables(operations);
      const isImport = paths.map((p) => /^variables\.([^.]+)/.exec(p)?.[1]).map((v) => v !== undefined && forImport.has(v));
      if (isImport.some((x) => x !== isImport[0])) {
        part.file.resume();
        throw new BadRequestError(`File part '${part.fieldname}' cannot fill both ${IMPORT_UPLOAD_TYPE} and Upload variables`);
      }
      let token: string;
      if (isImport[0]) {
        // the extension only names the staged file; the import takes its format from the name or `format`
        const path = await stageImportFile(req.ctx, part.file, formatOfName(part.filename ?? "") ?? "csv");
        token = IMPORT_TOKEN_PREFIX + randomBytes(16).toString("hex");
        stagedImports.set(token, { path, filename: part.filename });
      } else {
        const file = await stageUpload(req.ctx, { stream: part.file, filename: part.filename, mimeType: part.mimetype });
        token = UPLOAD_TOKEN_PREFIX + randomBytes(16).toString("hex");
        staged.set(token, file);
      }
      for (const p of paths) setPath(operations, p, token);
      map.delete(part.fieldname);
    }
    if (!operations || !map) throw new BadRequestError("A multipart GraphQL request needs the parts 'operations' and 'map'");
    if (map.size) throw new BadRequestError(`File part${map.size > 1 ? "s" : ""} ${[...map.keys()].map((k) => `'${k}'`).join(", ")} missing`);
    req.body = JSON.stringify(operations);
    req.headers["content-type"] = "application/json";
    return true;
  } catch (e) {
    discardUnclaimed(req);
    if (e instanceof AppError) return answer(reply, e);
    const status = (e as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) return answer(reply, new AppError("BAD_REQUEST", status, (e as Error).message));
    throw e;
  }
}

/** Removes the files of a request no mutation claimed. */
export function discardUnclaimed(req: FastifyRequest): void {
  const staged = uploads.get(req);
  if (staged) {
    for (const file of staged.values()) discardUpload(req.ctx, file);
    staged.clear();
  }
  const files = imports.get(req);
  if (files) {
    for (const f of files.values()) void rm(f.path, { force: true }).catch(() => {});
    files.clear();
  }
}
