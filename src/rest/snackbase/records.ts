/**
 * SnackBase records: `/api/v1/records/{collection}[/{id}]` (compat/snackbase.md §3), SnackBase's
 * only record API. Parse (records-parse.ts) → the core record operations every other path uses
 * (rules, field permissions and account scoping included) → render flat records
 * (records-render.ts).
 *
 * SnackBase registers this router last so that `/records/{collection}` cannot swallow a more
 * specific route. Here every path starts with the static segment `/records/`, which no other
 * route uses, and Fastify prefers static segments over parameters anyway; `registerSnackbase`
 * still adds it after every other SnackBase route, and `test/api/snackbase-records.test.ts`
 * checks that no other route lives under `/api/v1/records`.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Services } from "../../core/context.ts";
import { READ, WRITE } from "../../core/policy/operation.ts";
import { DEFAULT_PAGE_SIZE, MAX_OFFSET, MAX_PAGE_SIZE } from "../../core/records/list-query.ts";
import { getRecord, listRecords } from "../../core/records/read.ts";
import { recordAccount } from "../../core/records/record-account.ts";
import { createRecord, deleteRecord, updateRecord } from "../../core/records/write.ts";
import { nativeJsonWhenConforming } from "../http/native-json.ts";
import { parseListQuery, parseRecordBody } from "./records-parse.ts";
import { recordError, recordErrorSchema, RecordValidationError, renderRecord, validationBody } from "./records-render.ts";

type ListQs = { skip: number; limit: number; sort?: string; fields?: string; [filter: string]: unknown };
type One = { Params: { collection: string; id: string } };

const tags = ["snackbase records"];
const flatRecord = { type: "object", additionalProperties: true } as const;
/** The 200 response of a record list (exported for the serializer parity test). */
export const listSchema = { type: "object", properties: { items: { type: "array", items: flatRecord }, total: { type: "integer" }, skip: { type: "integer" }, limit: { type: "integer" } } } as const;
const errors = Object.fromEntries([400, 401, 403, 404, 409, 422].map((s) => [s, recordErrorSchema]));
const collectionParam = { type: "object", required: ["collection"], properties: { collection: { type: "string", maxLength: 100 } } } as const;
const recordParams = { type: "object", required: ["collection", "id"], properties: { collection: { type: "string", maxLength: 100 }, id: { type: "string", maxLength: 200 } } } as const;
const body = { type: "object", additionalProperties: true, description: "flat field values (system fields are set by the server)" } as const;

/** Runs `fn` and rethrows its error in the SnackBase form (records-render.ts `recordError`). */
async function snack<T>(req: FastifyRequest, data: Record<string, unknown> | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw recordError(e, req.ctx.services.collections.get((req.params as { collection: string }).collection), data);
  }
}

export function registerSnackbaseRecordRoutes(api: FastifyInstance, _services: Services): void {
  // SnackBase validation answers carry a list in `details`; everything else goes to the shared handler
  api.setErrorHandler(async (err, _req, reply) => {
    if (err instanceof RecordValidationError) return reply.status(400).send(validationBody(err));
    throw err;
  });

  api.get<{ Params: { collection: string }; Querystring: ListQs }>(
    "/records/:collection",
    {
      config: { operation: READ },
      schema: {
        tags,
        summary: "List records: skip, limit, sort (-/+ prefix), fields; any other parameter is an equality filter typed by its field",
        params: collectionParam,
        querystring: {
          type: "object",
          additionalProperties: true,
          properties: {
            skip: { type: "integer", minimum: 0, maximum: MAX_OFFSET, default: 0 },
            limit: { type: "integer", minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE },
            sort: { type: "string", maxLength: 200, description: "one field, `-` descending, `+` or none ascending; default `-created_at`" },
            fields: { type: "string", maxLength: 2000, description: "comma list of fields to return (system fields always are)" },
          },
        },
        response: { 200: listSchema, ...errors },
      },
    },
    async (req, reply) =>
      snack(req, undefined, async () => {
        const def = req.ctx.services.collections.require(req.params.collection);
        const q = parseListQuery(def, req.query);
        const [r, account] = await Promise.all([listRecords(req.ctx, def.name, { filter: q.filter, sort: q.sort, offset: q.offset, pageSize: q.pageSize, fields: q.fields }), recordAccount(req.ctx)]);
        // one JSON.stringify of the page when it gives the schema's bytes (http/native-json.ts)
        return nativeJsonWhenConforming(reply, listSchema, { items: r.items.map((rec) => renderRecord(rec, account, q.fields)), total: r.total ?? 0, skip: q.offset, limit: q.pageSize });
      }),
  );

  api.post<{ Params: { collection: string }; Body: Record<string, unknown> }>(
    "/records/:collection",
    { config: { operation: WRITE }, schema: { tags, summary: "Create a record", params: collectionParam, body, response: { 201: flatRecord, ...errors } } },
    async (req, reply) => {
      const data = parseRecordBody(req.body);
      const rec = await snack(req, data, () => createRecord(req.ctx, req.params.collection, data));
      return reply.status(201).send(renderRecord(rec, await recordAccount(req.ctx)));
    },
  );

  api.get<One>("/records/:collection/:id", { config: { operation: READ }, schema: { tags, summary: "Get a record", params: recordParams, response: { 200: flatRecord, ...errors } } }, async (req) => {
    const rec = await snack(req, undefined, () => getRecord(req.ctx, req.params.collection, req.params.id));
    return renderRecord(rec, await recordAccount(req.ctx));
  });

  api.put<One & { Body: Record<string, unknown> }>(
    "/records/:collection/:id",
    {
      config: { operation: WRITE },
      schema: { tags, summary: "Replace a record (missing required → 400 required_missing; missing optional → its default)", params: recordParams, body, response: { 200: flatRecord, ...errors } },
    },
    async (req) => {
      const data = parseRecordBody(req.body);
      const rec = await snack(req, data, () => updateRecord(req.ctx, req.params.collection, req.params.id, data, { replace: true, defaults: true }));
      return renderRecord(rec, await recordAccount(req.ctx));
    },
  );

  api.patch<One & { Body: Record<string, unknown> }>(
    "/records/:collection/:id",
    { config: { operation: WRITE }, schema: { tags, summary: "Update the fields sent", params: recordParams, body, response: { 200: flatRecord, ...errors } } },
    async (req) => {
      const data = parseRecordBody(req.body);
      const rec = await snack(req, data, () => updateRecord(req.ctx, req.params.collection, req.params.id, data));
      return renderRecord(rec, await recordAccount(req.ctx));
    },
  );

  api.delete<One>(
    "/records/:collection/:id",
    { config: { operation: WRITE }, schema: { tags, summary: "Delete a record (409 when a restrict reference blocks it)", params: recordParams, response: { 204: { type: "null" }, ...errors } } },
    async (req, reply) => {
      await snack(req, undefined, () => deleteRecord(req.ctx, req.params.collection, req.params.id));
      return reply.status(204).send();
    },
  );
}
