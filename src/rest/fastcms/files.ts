/**
 * /api/v1/files (compat/fastcms.md §11): upload (multipart, streamed to storage), list, metadata,
 * download (Range, ETag/If-None-Match, Content-Disposition, nosniff; active types as
 * attachments; `?thumb=WxH` thumbnails), signed download URLs, delete. Parse → core/files →
 * render the FastCMS File shape.
 */
import multipart from "@fastify/multipart";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Services } from "../../core/context.ts";
import { requireSignedIn } from "../../core/auth/guards.ts";
import { BadRequestError, ValidationError } from "../../core/errors.ts";
import { fileContent } from "../../core/files/content.ts";
import { deleteFile } from "../../core/files/delete.ts";
import { safeInline } from "../../core/files/mime.ts";
import { getFile, listFiles } from "../../core/files/read.ts";
import { DEFAULT_URL_TTL, MAX_URL_TTL, signFileUrl } from "../../core/files/signed-url.ts";
import { parseThumb } from "../../core/files/thumbnails.ts";
import { fileDownloadPath, type FileView } from "../../core/files/types.ts";
import { commitUpload, discardUpload, stageUpload, type StagedUpload } from "../../core/files/upload.ts";
import { READ, WRITE } from "../../core/policy/operation.ts";
import { DEFAULT_PAGE_SIZE, MAX_PAGE, MAX_PAGE_SIZE } from "../../core/records/list-query.ts";
import { dict } from "../../lib/own.ts";
import { errorBody, errorResponses } from "../errors.ts";
import { parseRange } from "./range.ts";

/** The download path of a file (records' file fields and File answers carry it as `url`). */
export const fileUrl = fileDownloadPath;

/** Core file → FastCMS File (plus `name`/`type`, the shape file fields of records use). */
export function renderFile(f: FileView) {
  return {
    id: f.id,
    filename: f.name,
    original_filename: f.name,
    name: f.name,
    mime_type: f.mimeType,
    type: f.mimeType,
    size: f.size,
    storage_path: f.storageKey,
    storage_type: f.storageType,
    collection_name: f.collection,
    record_id: f.recordId,
    field_name: f.field,
    user_id: f.userId,
    is_thumbnail: false,
    parent_file_id: null,
    created: f.created.toISOString(),
    updated: f.updated.toISOString(),
    url: fileUrl(f.id),
  };
}

const str = { type: "string" } as const;
const nstr = { type: ["string", "null"] } as const;
const fileSchema = {
  type: "object",
  properties: {
    id: str,
    filename: str,
    original_filename: str,
    name: str,
    mime_type: str,
    type: str,
    size: { type: "integer" },
    storage_path: str,
    storage_type: str,
    collection_name: nstr,
    record_id: nstr,
    field_name: nstr,
    user_id: nstr,
    is_thumbnail: { type: "boolean" },
    parent_file_id: nstr,
    created: str,
    updated: str,
    url: str,
  },
} as const;
const idParams = { type: "object", required: ["id"], properties: { id: { type: "string", maxLength: 200 } } } as const;

/** The multipart text fields POST /files takes (FastCMS names and the docs' short ones). */
const UPLOAD_FIELDS: ReadonlyMap<string, "collection" | "recordId" | "field"> = new Map([
  ["collection_name", "collection"],
  ["collection", "collection"],
  ["record_id", "recordId"],
  ["field_name", "field"],
  ["field", "field"],
]);

/** Reads the multipart body: streams the `file` part to storage, collects the text fields. */
async function readUpload(req: FastifyRequest): Promise<{ staged: StagedUpload; target: { collection?: string; recordId?: string; field?: string } }> {
  const target = dict<string>();
  let staged: StagedUpload | undefined;
  try {
    for await (const part of req.parts()) {
      if (part.type === "file") {
        if (part.fieldname !== "file" || staged) {
          part.file.resume();
          throw new BadRequestError(`Unexpected file part '${part.fieldname}': send one file, in the part named 'file'`, { [part.fieldname]: "Unexpected file" });
        }
        staged = await stageUpload(req.ctx, { stream: part.file, filename: part.filename, mimeType: part.mimetype });
      } else {
        const name = UPLOAD_FIELDS.get(part.fieldname);
        if (!name)
          throw new BadRequestError(`Unknown form field '${part.fieldname}': expected file, collection_name (or collection), record_id, field_name (or field)`, { [part.fieldname]: "unknown field" });
        const value = String(part.value).trim();
        if (value !== "") target[name] = value;
      }
    }
  } catch (e) {
    if (staged) discardUpload(req.ctx, staged);
    throw e;
  }
  if (!staged) throw new ValidationError("A file is required in the multipart part 'file'", { file: "Required" });
  return { staged, target };
}

function contentDisposition(kind: "inline" | "attachment", name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

type DownloadQs = { thumb?: string; fit?: string; download?: boolean; expires?: number; signature?: string };

async function download(req: FastifyRequest<{ Params: { id: string }; Querystring: DownloadQs }>, reply: FastifyReply) {
  const q = req.query;
  if ((q.expires === undefined) !== (q.signature === undefined)) throw new BadRequestError("A signed URL needs both expires and signature", { signature: "Needs expires and signature together" });
  const thumb = q.thumb !== undefined && q.thumb !== "" ? parseThumb(q.thumb, q.fit) : undefined;
  const file = await getFile(req.ctx, req.params.id, q.signature !== undefined ? { expires: q.expires!, signature: q.signature } : undefined);
  const content = await fileContent(req.ctx, file, thumb);
  const inline = !q.download && safeInline(content.mimeType);
  reply.header("etag", content.etag).header("cache-control", "private, no-cache").header("accept-ranges", "bytes").header("x-content-type-options", "nosniff");
  const ifNoneMatch = req.headers["if-none-match"];
  if (ifNoneMatch !== undefined && (ifNoneMatch.trim() === "*" || ifNoneMatch.split(",").some((t) => t.trim().replace(/^W\//, "") === content.etag))) return reply.status(304).send();
  const ifRange = req.headers["if-range"];
  const range = ifRange === undefined || ifRange === content.etag ? parseRange(req.headers.range, content.size) : undefined;
  if (range === "unsatisfiable") {
    reply.status(416).header("content-range", `bytes */${content.size}`);
    return reply.send(errorBody(416, `Range '${req.headers.range}' is outside the file (${content.size} bytes)`, null, "RANGE_NOT_SATISFIABLE"));
  }
  reply
    .header("content-type", content.mimeType)
    .header("content-security-policy", "default-src 'none'; sandbox")
    .header("content-disposition", contentDisposition(inline ? "inline" : "attachment", file.name));
  if (range) {
    reply
      .status(206)
      .header("content-range", `bytes ${range.start}-${range.end}/${content.size}`)
      .header("content-length", String(range.end - range.start + 1));
    return reply.send(await content.open(range));
  }
  reply.header("content-length", String(content.size));
  if (content.size === 0) return reply.send("");
  return reply.send(await content.open());
}

export function registerFileRoutes(api: FastifyInstance, _services: Services): void {
  const tags = ["files"];
  void api.register(async (scope) => {
    // Limits here bound the form itself; the file's size limit is the setting, checked while streaming.
    await scope.register(multipart, { limits: { fileSize: Number.MAX_SAFE_INTEGER, files: 1, fields: 10, fieldSize: 1000, parts: 12, headerPairs: 100 } });
    scope.post(
      "/files",
      {
        config: { operation: WRITE },
        schema: {
          tags,
          summary: "Upload a file (multipart: file, and optionally collection_name, record_id, field_name)",
          consumes: ["multipart/form-data"],
          response: { 201: fileSchema, ...errorResponses(400, 401, 403, 404, 406, 413, 422) },
        },
      },
      async (req, reply) => {
        requireSignedIn(req.ctx);
        if (!req.isMultipart()) throw new BadRequestError("Send the file as multipart/form-data with a part named 'file'");
        try {
          const { staged, target } = await readUpload(req);
          return reply.status(201).send(renderFile(await commitUpload(req.ctx, staged, target)));
        } catch (e) {
          // the client may still be sending: answer, then close the connection
          reply.header("connection", "close");
          throw e;
        }
      },
    );
  });

  api.get<{ Querystring: { page: number; per_page: number; collection_name?: string; collection?: string; record_id?: string } }>(
    "/files",
    {
      config: { operation: READ },
      schema: {
        tags,
        summary: "List files (superadmins: all of the account; others: their uploads), newest first",
        querystring: {
          type: "object",
          properties: {
            page: { type: "integer", minimum: 1, maximum: MAX_PAGE, default: 1 },
            per_page: { type: "integer", minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE },
            collection_name: { type: "string", maxLength: 100 },
            collection: { type: "string", maxLength: 100 },
            record_id: { type: "string", maxLength: 200 },
          },
        },
        response: {
          200: {
            type: "object",
            properties: { items: { type: "array", items: fileSchema }, total: { type: "integer" }, page: { type: "integer" }, per_page: { type: "integer" }, total_pages: { type: "integer" } },
          },
          ...errorResponses(401, 403, 422),
        },
      },
    },
    async (req) => {
      const q = req.query;
      const r = await listFiles(req.ctx, { collection: q.collection_name ?? q.collection, recordId: q.record_id, page: q.page, pageSize: q.per_page });
      return { items: r.items.map(renderFile), total: r.total, page: r.page, per_page: r.pageSize, total_pages: Math.ceil(r.total / r.pageSize) };
    },
  );

  api.get<{ Params: { id: string } }>(
    "/files/:id",
    { config: { operation: READ }, schema: { tags, summary: "File metadata", params: idParams, response: { 200: fileSchema, ...errorResponses(400, 404) } } },
    async (req) => renderFile(await getFile(req.ctx, req.params.id)),
  );

  api.get<{ Params: { id: string }; Querystring: DownloadQs }>(
    "/files/:id/download",
    {
      config: { operation: READ },
      schema: {
        tags,
        summary: "Download a file (Range, If-None-Match; ?thumb=WxH for image thumbnails; ?expires&signature from a signed URL)",
        params: idParams,
        querystring: {
          type: "object",
          properties: {
            thumb: { type: "string", maxLength: 20, description: "WxH (crop centre), WxHt, WxHb, WxHf (fit inside), Wx0, 0xH" },
            fit: { type: "string", enum: ["cover", "contain", "fill", "inside", "outside"] },
            download: { type: "boolean", description: "always as an attachment" },
            expires: { type: "integer", minimum: 0 },
            signature: { type: "string", maxLength: 200 },
          },
        },
        response: { ...errorResponses(400, 404, 416, 503) },
      },
    },
    download,
  );

  api.get<{ Params: { id: string }; Querystring: { expires_in: number } }>(
    "/files/:id/signed-url",
    {
      config: { operation: READ },
      schema: {
        tags,
        summary: "A short-lived download URL that needs no Authorization header (for <img src>)",
        params: idParams,
        querystring: { type: "object", properties: { expires_in: { type: "integer", minimum: 1, maximum: MAX_URL_TTL, default: DEFAULT_URL_TTL } } },
        response: { 200: { type: "object", properties: { url: str, expires: { type: "integer" }, expires_at: str } }, ...errorResponses(404, 422) },
      },
    },
    async (req) => {
      const f = await getFile(req.ctx, req.params.id);
      const s = signFileUrl(req.ctx, f.id, req.query.expires_in);
      return { url: `${fileUrl(f.id)}?expires=${s.expires}&signature=${s.signature}`, expires: s.expires, expires_at: new Date(s.expires * 1000).toISOString() };
    },
  );

  api.delete<{ Params: { id: string } }>(
    "/files/:id",
    { config: { operation: WRITE }, schema: { tags, summary: "Delete a file (not while a record uses it)", params: idParams, response: { 204: { type: "null" }, ...errorResponses(401, 404, 409) } } },
    async (req, reply) => {
      await deleteFile(req.ctx, req.params.id);
      return reply.status(204).send();
    },
  );
}
