/**
 * /api/content (spec 004): documents — list, create, get by id or slug, PATCH, DELETE, publish,
 * unpublish, versions, restore. Parse (parse.ts) → core (content/, records/) → render.
 */
import type { FastifyInstance } from "fastify";
import { documentBySlug, documentType, findDocument, listDocuments, requireContentType } from "../../core/content/documents.ts";
import { publishDocument, scheduleTime, unpublishDocument } from "../../core/content/publish.ts";
import { listVersions, restoreVersion } from "../../core/content/versions.ts";
import { ValidationError } from "../../core/errors.ts";
import { R3_READ, R3_WRITE } from "./operations.ts";
import { createRecord, deleteRecord, updateRecord } from "../../core/records/write.ts";
import { documentInput, flag, parseFields, parseListQuery, queryPairs } from "./parse.ts";
import { envelope, project, renderDocument, renderVersion } from "./render.ts";

const tags = ["r3"];
const idParam = { type: "object", properties: { id: { type: "string", maxLength: 100 } }, required: ["id"] } as const;

/** `publishAt` / `unpublishAt` (or `at`) of an optional publish body. */
function when(body: unknown, key: string): string | null {
  if (body === undefined || body === null) return null;
  if (typeof body !== "object" || Array.isArray(body)) throw new ValidationError("Request body must be a JSON object", { body: "must be an object" });
  const b = body as Record<string, unknown>;
  return scheduleTime(b[key] ?? b.at, key);
}

/** Registers the document routes. */
export function registerContentRoutes(api: FastifyInstance): void {
  api.get("/content", { config: { operation: R3_READ }, schema: { tags, summary: "List documents (published only unless draft=true)" } }, async (req) => {
    const q = parseListQuery(req.ctx, queryPairs(req.url));
    const page = await listDocuments(req.ctx, { type: q.type, filter: q.filter, sort: q.sort, page: q.page, pageSize: q.limit, drafts: q.drafts });
    const defs = new Map(page.items.map((d) => [d.type, req.ctx.services.collections.require(d.type)]));
    return envelope(
      page.items.map((d) => project(renderDocument(defs.get(d.type)!, d), q.fields)),
      page,
    );
  });

  api.post("/content", { config: { operation: R3_WRITE }, schema: { tags, summary: "Create a document (a draft unless status says otherwise)" } }, async (req, reply) => {
    const body = req.body as Record<string, unknown> | undefined;
    if (typeof body?.type !== "string" || body.type === "") throw new ValidationError("Invalid type: is required", { type: "is required" });
    const def = requireContentType(req.ctx, body.type);
    const record = await createRecord(req.ctx, def.name, documentInput(def, body, true));
    return reply.status(201).send(renderDocument(def, { record }));
  });

  api.get<{ Params: { type: string; slug: string } }>(
    "/content/by-slug/:type/:slug",
    {
      config: { operation: R3_READ },
      schema: {
        tags,
        summary: "Get a document by its slug",
        params: { type: "object", properties: { type: { type: "string" }, slug: { type: "string", maxLength: 300 } }, required: ["type", "slug"] },
      },
    },
    async (req) => {
      const pairs = queryPairs(req.url);
      const one = (n: string) => pairs.find(([k]) => k === n)?.[1];
      const d = await documentBySlug(req.ctx, req.params.type, req.params.slug, flag(one("draft"), "draft"));
      return project(renderDocument(req.ctx.services.collections.require(d.type), d), parseFields(one("fields")));
    },
  );

  api.get<{ Params: { id: string } }>("/content/:id", { config: { operation: R3_READ }, schema: { tags, summary: "Get a document", params: idParam } }, async (req) => {
    const pairs = queryPairs(req.url);
    const one = (n: string) => pairs.find(([k]) => k === n)?.[1];
    const d = await findDocument(req.ctx, req.params.id, flag(one("draft"), "draft"));
    return project(renderDocument(req.ctx.services.collections.require(d.type), d), parseFields(one("fields")));
  });

  api.patch<{ Params: { id: string } }>("/content/:id", { config: { operation: R3_WRITE }, schema: { tags, summary: "Update a document (data merged)", params: idParam } }, async (req) => {
    const def = await documentType(req.ctx, req.params.id);
    const body = req.body as Record<string, unknown> | undefined;
    if (body && typeof body === "object" && body.type !== undefined && body.type !== def.name) throw new ValidationError("A document cannot change its type", { type: "cannot change" });
    const record = await updateRecord(req.ctx, def.name, req.params.id, documentInput(def, body, false));
    return renderDocument(def, { record });
  });

  api.delete<{ Params: { id: string } }>("/content/:id", { config: { operation: R3_WRITE }, schema: { tags, summary: "Delete a document", params: idParam } }, async (req) => {
    const def = await documentType(req.ctx, req.params.id);
    const record = await deleteRecord(req.ctx, def.name, req.params.id);
    return renderDocument(def, { record });
  });

  api.post<{ Params: { id: string } }>(
    "/content/:id/publish",
    { config: { operation: R3_WRITE }, schema: { tags, summary: "Publish a document now, or at publishAt", params: idParam } },
    async (req) => {
      const def = await documentType(req.ctx, req.params.id);
      const record = await publishDocument(req.ctx, def.name, req.params.id, when(req.body, "publishAt"));
      return renderDocument(def, { record });
    },
  );

  api.post<{ Params: { id: string } }>(
    "/content/:id/unpublish",
    { config: { operation: R3_WRITE }, schema: { tags, summary: "Unpublish a document now, or at unpublishAt", params: idParam } },
    async (req) => {
      const def = await documentType(req.ctx, req.params.id);
      const record = await unpublishDocument(req.ctx, def.name, req.params.id, when(req.body, "unpublishAt"));
      return renderDocument(def, { record });
    },
  );

  api.get<{ Params: { id: string } }>("/content/:id/versions", { config: { operation: R3_READ }, schema: { tags, summary: "Versions of a document, newest first", params: idParam } }, async (req) => {
    const def = await documentType(req.ctx, req.params.id);
    return { docs: (await listVersions(req.ctx, def.name, req.params.id)).map((v) => renderVersion(def, v)) };
  });

  api.post<{ Params: { id: string; versionId: string } }>(
    "/content/:id/restore/:versionId",
    {
      config: { operation: R3_WRITE },
      schema: { tags, summary: "Restore a version (recorded as a new version; the status is kept)", params: { type: "object", properties: { id: { type: "string" }, versionId: { type: "string" } } } },
    },
    async (req) => {
      const def = await documentType(req.ctx, req.params.id);
      const record = await restoreVersion(req.ctx, def.name, req.params.id, req.params.versionId);
      return renderDocument(def, { record });
    },
  );
}
