/**
 * FastCMS records routes: `/api/v1/collections/{name}/records…` (compat/fastcms.md §3–§6).
 * Parse → core operation → render `{id, data:{…}, created, updated}`.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Services } from "../../core/context.ts";
import { BadRequestError, ValidationError } from "../../core/errors.ts";
import { DEFAULT_PAGE_SIZE, MAX_PAGE, MAX_PAGE_SIZE } from "../../core/records/list-query.ts";
import { listRecords, getRecord } from "../../core/records/read.ts";
import { bulkDeleteRecords, bulkUpdateRecords, createRecord, deleteRecord, MAX_BULK, updateRecord } from "../../core/records/write.ts";
import { deleteEach, updateEach, type BulkOutcome } from "../../core/records/bulk-each.ts";
import { expandRecords, parseExpand, type Expansion } from "../../core/records/expand.ts";
import { RECORD_SYSTEM_FIELDS, type RecordData } from "../../core/records/values.ts";
import { FilterError, type Expr } from "../../query/ast.ts";
import { parseExpression } from "../../query/parse-expression.ts";
import { errorSchema } from "../errors.ts";
import { nativeJsonWhenConforming } from "../http/native-json.ts";
import { READ, WRITE } from "../../core/policy/operation.ts";
import { RECORD_PARAM_NAMES, withParamNames } from "./param-names.ts";
import { parseProjection, projectData, type Projection } from "./record-projection.ts";
import type { Context } from "../../core/context.ts";
import { withFiles } from "./record-files.ts";
import { fileFields } from "../../core/files/refs.ts";

/** One record rendered with its files (see withFiles). */
const renderWithFiles = async (ctx: Context, collection: string, rec: RecordData) => renderRecord((await withFiles(ctx, collection, [rec]))[0]!);

const SYSTEM = new Set<string>(RECORD_SYSTEM_FIELDS);

type RenderedExpand = Record<string, ReturnType<typeof renderRecord> | ReturnType<typeof renderRecord>[] | null>;

function renderExpansion(expansion: Expansion | undefined): RenderedExpand | null {
  if (!expansion || expansion.size === 0) return null;
  const out: RenderedExpand = Object.create(null) as RenderedExpand;
  for (const [name, value] of expansion) {
    out[name] = value === null ? null : Array.isArray(value) ? value.map((e) => renderRecord(e.record, undefined, e.expand)) : renderRecord(value.record, undefined, value.expand);
  }
  return out;
}

/** Core record → FastCMS record shape: `data` reduced by `fields=`, `expand` filled by `expand=`. */
export function renderRecord(rec: RecordData, projection?: Projection, expansion?: Expansion): { id: string; data: Record<string, unknown>; expand: RenderedExpand | null; [k: string]: unknown } {
  const data: Record<string, unknown> = {};
  for (const k in rec) if (!SYSTEM.has(k)) data[k] = rec[k];
  return { id: rec.id, data: projectData(data, projection), created: rec.created, updated: rec.updated, version: rec.version, owner_id: rec.owner_id, expand: renderExpansion(expansion) };
}

/** `{success, failed, errors}` of a bulk operation (compat/fastcms.md §3 "Bulk"). */
function renderBulk(r: BulkOutcome) {
  return {
    success: r.done.length,
    failed: r.failed.length,
    errors: r.failed.length ? r.failed.map((f) => ({ record_id: f.id, error: f.error.message })) : null,
    record_ids: r.done.map((rec) => rec.id),
  };
}

export const recordSchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    data: { type: "object", additionalProperties: true },
    created: { type: "string" },
    updated: { type: "string" },
    version: { type: "integer" },
    owner_id: { type: ["string", "null"] },
    expand: { type: ["object", "null"], additionalProperties: true },
  },
} as const;

/** The 200 response of a record list (exported for the serializer parity test). */
export const listSchema = {
  type: "object",
  properties: {
    items: { type: "array", items: recordSchema },
    total: { type: "integer" },
    page: { type: "integer" },
    per_page: { type: "integer" },
    total_pages: { type: "integer" },
    next_cursor: { type: ["string", "null"] },
    prev_cursor: { type: ["string", "null"] },
    has_more: { type: "boolean" },
  },
} as const;

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema, 422: errorSchema };
const collectionParam = { type: "object", required: ["collection"], properties: { collection: { type: "string", maxLength: 100 } } } as const;
const recordParams = { type: "object", required: ["collection", "id"], properties: { collection: { type: "string", maxLength: 100 }, id: { type: "string", maxLength: 200 } } } as const;
const dataBody = { type: "object", description: "field values; number fields also accept `name+`/`name-` increments on update", additionalProperties: true } as const;
const bulkResult = {
  type: "object",
  properties: {
    success: { type: "integer" },
    failed: { type: "integer" },
    errors: { type: ["array", "null"], items: { type: "object", additionalProperties: true } },
    record_ids: { type: "array", items: { type: "string" } },
  },
} as const;

/**
 * 422 naming `record_ids` when the list holds anything but strings (`{"record_ids":[1,2]}`):
 * record ids are strings, and a coerced `"1"` would only come back as a per-id "not found".
 */
function refuseNonStringIds(body: unknown): void {
  const ids = (body as { record_ids?: unknown } | null)?.record_ids;
  if (!Array.isArray(ids)) return;
  const at = ids.findIndex((v) => typeof v !== "string");
  if (at < 0) return;
  const got = ids[at] === null ? "null" : Array.isArray(ids[at]) ? "a list" : typeof ids[at];
  throw new ValidationError(`record_ids must be a list of record id strings (item ${at} is ${got})`, { "body.record_ids": `item ${at} must be a string, not ${got}` });
}

/** `If-Match: 3` / `If-Match: "3"` / body `expectedVersion` → expected version. */
function expectedVersion(req: FastifyRequest, body: { expectedVersion?: number; expected_version?: number }): number | undefined {
  const fromBody = body.expectedVersion ?? body.expected_version;
  if (fromBody !== undefined) return fromBody;
  const h = req.headers["if-match"];
  if (h === undefined) return undefined;
  const m = /^\s*(?:W\/)?"?(\d+)"?\s*$/.exec(String(h));
  if (!m) throw new BadRequestError(`Invalid If-Match header '${h}': expected the record version, e.g. "3"`);
  return Number(m[1]);
}

type ReadQs = { expand?: string; fields?: string };
type ListQs = ReadQs & { page: number; per_page: number; sort?: string; filter?: string; search?: string; skipTotal?: boolean; skip_total?: boolean; cursor?: string; before?: string };

const readParams = {
  expand: {
    type: "string",
    maxLength: 1000,
    description: "comma list of reference fields to inline under `expand`, nested with `.` (`author,author.company`); back-relations as `<collection>_via_<field>`",
  },
  fields: { type: "string", maxLength: 2000, description: "comma list of fields to return inside `data` (`title,views`), or to leave out (`-body`); `body:excerpt(100,true)` shortens text" },
} as const;

/** The `expand` of each record of a page, by id (empty when not asked for). */
/** Whether an `expand` parameter asks for anything. */
const wantsExpand = (spec: string | undefined): spec is string => spec !== undefined && spec.trim() !== "";

async function expansions(req: FastifyRequest, collection: string, records: readonly RecordData[], spec: string | undefined): Promise<Map<string, Expansion>> {
  if (!wantsExpand(spec)) return new Map();
  return expandRecords(req.ctx, collection, records, parseExpand(spec));
}

export function registerRecordRoutes(api: FastifyInstance, _services: Services): void {
  const tags = ["records"];
  api.get<{ Params: { collection: string }; Querystring: ListQs }>(
    "/collections/:collection/records",
    {
      config: { operation: READ },
      schema: {
        tags,
        summary: "List records (filter, sort, search, page or cursor in either direction)",
        params: collectionParam,
        querystring: {
          type: "object",
          properties: {
            page: { type: "integer", minimum: 1, maximum: MAX_PAGE, default: 1 },
            per_page: { type: "integer", minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE },
            sort: { type: "string", maxLength: 500, description: "comma list, `-` for descending, e.g. `-created,title`" },
            filter: { type: "string", maxLength: 4096, description: 'expression, e.g. `status="published" && views>10`' },
            search: { type: "string", maxLength: 500, description: "full-text search over text, editor, email and url fields" },
            skipTotal: { type: "boolean", description: "skip counting: total and total_pages are -1" },
            skip_total: { type: "boolean" },
            cursor: { type: "string", maxLength: 2000, description: "keyset pagination: the page after this cursor (the next_cursor of the previous page)" },
            before: { type: "string", maxLength: 2000, description: "keyset pagination backwards: the page before this cursor (the prev_cursor of the current page)" },
            ...readParams,
          },
        },
        response: { 200: listSchema, ...errors },
      },
    },
    async (req, reply) => {
      const qs = req.query;
      let filter: Expr | undefined;
      if (qs.filter !== undefined && qs.filter.trim() !== "") {
        try {
          filter = parseExpression(qs.filter);
        } catch (e) {
          if (e instanceof FilterError) throw new BadRequestError(`Invalid filter: ${e.message}`, { filter: e.message, ...(e.position !== undefined ? { position: e.position } : {}) });
          throw e;
        }
      }
      const skipTotal = qs.skipTotal ?? qs.skip_total ?? false;
      const projection = parseProjection(qs.fields, req.ctx.services.collections.require(req.params.collection));
      // an expanded reference must be read even when `fields` leaves it out of `data`
      const expandRoots = qs.expand ? parseExpand(qs.expand).map((p) => p[0]!) : [];
      const columns = projection ? new Set([...projection.keep, ...expandRoots]) : undefined;
      const r = await withParamNames(RECORD_PARAM_NAMES, () =>
        listRecords(req.ctx, req.params.collection, {
          filter,
          sort: qs.sort,
          search: qs.search,
          page: qs.page,
          pageSize: qs.per_page,
          skipTotal,
          after: qs.cursor,
          before: qs.before,
          fields: columns,
        }),
      );
      const expanded = await expansions(req, req.params.collection, r.items, qs.expand);
      return nativeJsonWhenConforming(reply, listSchema, {
        items: (await withFiles(req.ctx, req.params.collection, r.items, expanded.values())).map((rec) => renderRecord(rec, projection, expanded.get(rec.id))),
        total: r.total ?? -1,
        page: r.page,
        per_page: r.pageSize,
        total_pages: r.total === null ? -1 : Math.ceil(r.total / r.pageSize),
        next_cursor: r.nextCursor,
        prev_cursor: r.prevCursor,
        has_more: r.hasMore,
      });
    },
  );

  api.post<{ Params: { collection: string }; Body: { data: unknown } }>(
    "/collections/:collection/records",
    {
      config: { operation: WRITE },
      schema: {
        tags,
        summary: "Create a record",
        params: collectionParam,
        body: { type: "object", required: ["data"], additionalProperties: false, properties: { data: dataBody } },
        response: { 201: recordSchema, ...errors },
      },
    },
    async (req, reply) => {
      const rec = await createRecord(req.ctx, req.params.collection, req.body.data);
      return reply.status(201).send(await renderWithFiles(req.ctx, req.params.collection, rec));
    },
  );

  api.get<{ Params: { collection: string; id: string }; Querystring: ReadQs }>(
    "/collections/:collection/records/:id",
    {
      config: { operation: READ },
      schema: { tags, summary: "Get a record", params: recordParams, querystring: { type: "object", properties: readParams }, response: { 200: recordSchema, ...errors } },
    },
    async (req, reply) => {
      const def = req.ctx.services.collections.require(req.params.collection);
      const projection = parseProjection(req.query.fields, def);
      const rec = await getRecord(req.ctx, req.params.collection, req.params.id);
      // Nothing to expand and no file fields (the common case): no more waiting, the same answer.
      if (!wantsExpand(req.query.expand) && fileFields(def).length === 0) return nativeJsonWhenConforming(reply, recordSchema, renderRecord(rec, projection));
      const expanded = await expansions(req, req.params.collection, [rec], req.query.expand);
      const rendered = renderRecord((await withFiles(req.ctx, req.params.collection, [rec], expanded.values()))[0]!, projection, expanded.get(rec.id));
      return nativeJsonWhenConforming(reply, recordSchema, rendered);
    },
  );

  const updateSchema = (summary: string) => ({
    tags,
    summary,
    params: recordParams,
    headers: { type: "object", properties: { "if-match": { type: "string", description: "expected record version" } } },
    body: {
      type: "object",
      required: ["data"],
      additionalProperties: false,
      properties: { data: dataBody, expectedVersion: { type: "integer", minimum: 1 }, expected_version: { type: "integer", minimum: 1 } },
    },
    response: { 200: recordSchema, ...errors },
  });
  type UpdateReq = { Params: { collection: string; id: string }; Body: { data: unknown; expectedVersion?: number; expected_version?: number } };
  api.patch<UpdateReq>("/collections/:collection/records/:id", { config: { operation: WRITE }, schema: updateSchema("Update a record (merge)") }, async (req) =>
    renderWithFiles(req.ctx, req.params.collection, await updateRecord(req.ctx, req.params.collection, req.params.id, req.body.data, { expectedVersion: expectedVersion(req, req.body) })),
  );
  api.put<UpdateReq>("/collections/:collection/records/:id", { config: { operation: WRITE }, schema: updateSchema("Replace a record (absent fields become null)") }, async (req) =>
    renderWithFiles(
      req.ctx,
      req.params.collection,
      await updateRecord(req.ctx, req.params.collection, req.params.id, req.body.data, { replace: true, expectedVersion: expectedVersion(req, req.body) }),
    ),
  );

  api.delete<{ Params: { collection: string; id: string } }>(
    "/collections/:collection/records/:id",
    { config: { operation: WRITE }, schema: { tags, summary: "Delete a record", params: recordParams, response: { 204: { type: "null" }, ...errors } } },
    async (req, reply) => {
      await deleteRecord(req.ctx, req.params.collection, req.params.id);
      return reply.status(204).send();
    },
  );

  const ids = { type: "array", minItems: 1, maxItems: MAX_BULK, items: { type: "string", minLength: 1, maxLength: 200 } } as const;
  // Runs before the body schema, whose type coercion would turn `[1, 2]` into `["1", "2"]`.
  const stringIds = async (req: FastifyRequest) => refuseNonStringIds(req.body);
  const atomicQs = {
    type: "object",
    properties: { atomic: { type: "boolean", default: false, description: "true: all or nothing (any failing id fails the request, nothing changed); default: each id on its own" } },
  } as const;
  api.post<{ Params: { collection: string }; Querystring: { atomic: boolean }; Body: { record_ids: string[] } }>(
    "/collections/:collection/records/bulk-delete",
    {
      config: { operation: WRITE },
      preValidation: stringIds,
      schema: {
        tags,
        summary: `Delete up to ${MAX_BULK} records, each on its own (\`atomic=true\`: all or nothing)`,
        params: collectionParam,
        querystring: atomicQs,
        body: { type: "object", required: ["record_ids"], additionalProperties: false, properties: { record_ids: ids } },
        response: { 200: bulkResult, ...errors },
      },
    },
    async (req) =>
      renderBulk(
        await withParamNames(RECORD_PARAM_NAMES, async () =>
          req.query.atomic ? { done: await bulkDeleteRecords(req.ctx, req.params.collection, req.body.record_ids), failed: [] } : deleteEach(req.ctx, req.params.collection, req.body.record_ids),
        ),
      ),
  );
  api.post<{ Params: { collection: string }; Querystring: { atomic: boolean }; Body: { record_ids: string[]; data: unknown } }>(
    "/collections/:collection/records/bulk-update",
    {
      config: { operation: WRITE },
      preValidation: stringIds,
      schema: {
        tags,
        summary: `Apply the same update to up to ${MAX_BULK} records, each on its own (\`atomic=true\`: all or nothing)`,
        params: collectionParam,
        querystring: atomicQs,
        body: { type: "object", required: ["record_ids", "data"], additionalProperties: false, properties: { record_ids: ids, data: dataBody } },
        response: { 200: bulkResult, ...errors },
      },
    },
    async (req) =>
      renderBulk(
        await withParamNames(RECORD_PARAM_NAMES, async () =>
          req.query.atomic
            ? { done: await bulkUpdateRecords(req.ctx, req.params.collection, req.body.record_ids, req.body.data), failed: [] }
            : updateEach(req.ctx, req.params.collection, req.body.record_ids, req.body.data),
        ),
      ),
  );
}
