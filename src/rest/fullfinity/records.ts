/**
 * Fullfinity model routes (spec 002 "Core Endpoints"): query (list or `group_by`), fetch with
 * related records, create, update, delete and the bulk variants. A model is a collection.
 * Every route parses, calls one core operation and renders; reads sent as POST declare `read`.
 */
import type { FastifyInstance } from "fastify";
import type { Context } from "../../core/context.ts";
import { renameInputs, AppError } from "../../core/errors.ts";
import { READ, WRITE } from "../../core/policy/operation.ts";
import { aggregateRecords } from "../../core/records/aggregate.ts";
import { expandRecords } from "../../core/records/expand.ts";
import { queryRecords } from "../../core/records/query-records.ts";
import { getRecord } from "../../core/records/read.ts";
import { bulkCreateRecords, bulkDeleteRecords, bulkUpdateRecords, createRecord, deleteRecord, updateRecord } from "../../core/records/write.ts";
import { parseFields, parseGroupBy, parseOrderBy, parseQFilter, parseRelated, sortString } from "./parse.ts";
import { renderCreated, renderExpanded, renderGroup, renderRecord, type Flat } from "./render.ts";

const tags = ["fullfinity"];
/** core input names → Fullfinity's */
const NAMES = new Map([
  ["pageSize", "limit"],
  ["recordIds", "ids"],
  ["data", "records"],
]);

/** Runs `fn`, renaming the core's input names in its errors to Fullfinity's. */
export async function named<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw e instanceof AppError ? renameInputs(e, NAMES) : e;
  }
}

export const modelParams = { type: "object", required: ["model"], properties: { model: { type: "string", maxLength: 100 } } } as const;
const recordParams = { type: "object", required: ["model", "id"], properties: { model: { type: "string", maxLength: 100 }, id: { type: "string", maxLength: 200 } } } as const;
const anyObject = { type: "object", additionalProperties: true } as const;
const idList = { type: "array", items: { type: "string", maxLength: 200 }, maxItems: 100 } as const;

type QueryBody = { fields?: unknown; q_filter?: unknown; order_by?: unknown; limit?: number; offset?: number; group_by?: unknown };
type Model = { model: string };
type ModelId = { model: string; id: string };

/** The model query (list, or groups with `group_by`) for a parsed request body. */
async function query(ctx: Context, model: string, b: QueryBody): Promise<{ data: Flat[]; total: number | null }> {
  const def = ctx.services.collections.require(model);
  const filter = parseQFilter(b.q_filter);
  const order = parseOrderBy(b.order_by);
  const fields = parseFields(b.fields);
  const groupBy = parseGroupBy(b.group_by);
  if (groupBy) {
    const r = await aggregateRecords(ctx, def.name, { filter, groupBy, aggregates: fields.aggregates, sort: order, limit: b.limit, offset: b.offset });
    return { data: r.groups.map(renderGroup), total: r.total };
  }
  if (fields.aggregates.length) throw new AppError("BAD_REQUEST", 400, "Aggregates (field:sum…) need group_by", { group_by: "Required with aggregates" });
  const r = await named(() => queryRecords(ctx, def.name, { filter, sort: sortString(order), limit: b.limit, offset: b.offset, fields: fields.plain }));
  return { data: r.items.map((rec) => renderRecord(def, rec, fields.plain)), total: r.total };
}

export function registerFullfinityRecords(api: FastifyInstance): void {
  api.post<{ Params: Model; Body: QueryBody | null }>(
    "/api/query/:model",
    {
      config: { operation: READ },
      schema: {
        tags,
        summary: "Query records: Q() filter, order, page; group_by with count and field:sum|avg|min|max",
        params: modelParams,
        body: {
          type: ["object", "null"],
          properties: {
            fields: { type: ["array", "null"], items: { type: "string", maxLength: 200 }, maxItems: 200 },
            q_filter: { type: ["string", "null"], maxLength: 4096 },
            order_by: { description: 'a list such as ["name ASC", "created DESC"] (or one comma-separated string)' },
            limit: { type: "integer" },
            offset: { type: "integer" },
            group_by: { description: 'a field name or a list of them; with fields such as "amount:sum" (sum, avg, min, max)' },
          },
        },
      },
    },
    async (req) => query(req.ctx, req.params.model, req.body ?? {}),
  );

  // spec 002 also shows the query as a GET ("GET /api/query/Contact"): the same, from the query string
  api.get<{ Params: Model; Querystring: { fields?: string; q_filter?: string; order_by?: string; limit?: number; offset?: number; group_by?: string } }>(
    "/api/query/:model",
    {
      config: { operation: READ },
      schema: {
        tags,
        summary: 'Query records from the query string: fields and group_by comma-separated, q_filter, order_by ("name asc, created desc"), limit, offset',
        params: modelParams,
        querystring: {
          type: "object",
          properties: {
            fields: { type: "string", maxLength: 4096 },
            q_filter: { type: "string", maxLength: 4096 },
            order_by: { type: "string", maxLength: 1000 },
            limit: { type: "integer" },
            offset: { type: "integer" },
            group_by: { type: "string", maxLength: 1000 },
          },
        },
      },
    },
    async (req) => {
      const q = req.query;
      const list = (v: string | undefined) =>
        v === undefined
          ? undefined
          : v
              .split(",")
              .map((x) => x.trim())
              .filter((x) => x !== "");
      return query(req.ctx, req.params.model, { fields: list(q.fields), q_filter: q.q_filter, order_by: q.order_by, limit: q.limit, offset: q.offset, group_by: list(q.group_by) });
    },
  );

  api.post<{ Params: ModelId; Body: { fields?: unknown; related?: unknown } | null }>(
    "/api/fetch/:model/:id",
    {
      config: { operation: READ },
      schema: {
        tags,
        summary: "Fetch one record with related records (references and reverse relations, nested, one query per level)",
        params: recordParams,
        body: {
          type: ["object", "null"],
          properties: { fields: { type: ["array", "null"], items: { type: "string" } }, related: { type: ["array", "null"], items: { type: "string", maxLength: 500 } } },
        },
      },
    },
    async (req) => {
      const def = req.ctx.services.collections.require(req.params.model);
      const fields = parseFields(req.body?.fields).plain;
      const paths = parseRelated(req.ctx, def, req.body?.related);
      const rec = await getRecord(req.ctx, def.name, req.params.id);
      const expanded = await expandRecords(req.ctx, def.name, [rec], paths);
      return { data: renderExpanded(req.ctx, def, rec, expanded.get(rec.id), fields) };
    },
  );

  api.post<{ Params: Model; Body: Record<string, unknown> }>(
    "/api/create/:model",
    { config: { operation: WRITE }, schema: { tags, summary: "Create a record → {id, name, display_name}", params: modelParams, body: anyObject } },
    async (req) => {
      const def = req.ctx.services.collections.require(req.params.model);
      return renderCreated(def, await createRecord(req.ctx, def.name, req.body));
    },
  );

  api.put<{ Params: ModelId; Body: Record<string, unknown> }>(
    "/api/update/:model/:id",
    { config: { operation: WRITE }, schema: { tags, summary: "Update the given fields of a record", params: recordParams, body: anyObject } },
    async (req) => {
      const def = req.ctx.services.collections.require(req.params.model);
      return renderRecord(def, await updateRecord(req.ctx, def.name, req.params.id, req.body));
    },
  );

  api.delete<{ Params: ModelId }>("/api/delete/:model/:id", { config: { operation: WRITE }, schema: { tags, summary: "Delete a record", params: recordParams } }, async (req) => {
    const rec = await deleteRecord(req.ctx, req.params.model, req.params.id);
    return { message: "Record deleted", id: rec.id };
  });

  api.post<{ Params: Model; Body: { records: unknown[] } }>(
    "/api/bulk-create/:model",
    {
      config: { operation: WRITE },
      schema: {
        tags,
        summary: "Create up to 100 records, all or nothing",
        params: modelParams,
        body: { type: "object", required: ["records"], properties: { records: { type: "array", items: anyObject } } },
      },
    },
    async (req) => {
      const def = req.ctx.services.collections.require(req.params.model);
      const recs = await named(() => bulkCreateRecords(req.ctx, def.name, req.body.records));
      return { data: recs.map((r) => renderCreated(def, r)), count: recs.length };
    },
  );

  api.put<{ Params: Model; Body: { ids: string[]; values: Record<string, unknown> } }>(
    "/api/bulk-update/:model",
    {
      config: { operation: WRITE },
      schema: {
        tags,
        summary: "Set the same values on up to 100 records, all or nothing",
        params: modelParams,
        body: { type: "object", required: ["ids", "values"], properties: { ids: idList, values: anyObject } },
      },
    },
    async (req) => {
      const recs = await named(() => bulkUpdateRecords(req.ctx, req.params.model, req.body.ids, req.body.values));
      return { message: "Records updated", count: recs.length, ids: recs.map((r) => r.id) };
    },
  );

  api.delete<{ Params: Model; Body: { ids: string[] } }>(
    "/api/bulk-delete/:model",
    {
      config: { operation: WRITE },
      schema: { tags, summary: "Delete up to 100 records, all or nothing", params: modelParams, body: { type: "object", required: ["ids"], properties: { ids: idList } } },
    },
    async (req) => {
      const recs = await named(() => bulkDeleteRecords(req.ctx, req.params.model, req.body.ids));
      return { message: "Records deleted", count: recs.length, ids: recs.map((r) => r.id) };
    },
  );
}
