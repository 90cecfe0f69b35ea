/**
 * `/api/v1/collections…` (compat/fastcms.md §2, compat/snackbase.md §4 and §9): parse, call the
 * core operation, render. Definitions are validated by the core, which names every failing path
 * (`schema[2].name`); the body schemas document the shape in /openapi.json but are not enforced
 * here, so ajv's coercion (e.g. wrapping a scalar into an array) never rewrites a definition.
 */
import type { FastifyInstance } from "fastify";
import type { Services } from "../../core/context.ts";
import { createCollection } from "../../core/collections/create.ts";
import { renderCollection } from "./render-collection.ts";
import { deleteCollection } from "../../core/collections/delete.ts";
import { getCollection } from "../../core/collections/get.ts";
import { listCollections } from "../../core/collections/list.ts";
import { updateCollection } from "../../core/collections/update.ts";
import { errorSchema } from "../errors.ts";
import { snackbaseDefinitionError } from "../snackbase/collection-errors.ts";
import { recordErrorSchema, validationBody } from "../snackbase/records-render.ts";
import { registerCollectionRuleRoutes } from "./collection-rules.ts";
import { ADMIN, READ } from "../../core/policy/operation.ts";

const tags = ["collections"];
const nullableString = { type: ["string", "null"] } as const;
const looseObject = { type: "object", additionalProperties: true } as const;

/** Route option: the core validates the body (and the only param is a free string). */
const validatedByCore = { validatorCompiler: () => () => true };

const fieldInput = {
  type: "object",
  additionalProperties: true,
  description:
    "A field: FastCMS shape {name, type, validation:{required,unique,min,max,min_length,max_length,pattern,values}, relation:{collection,cascade_delete}, select:{values,max_select}, file:{max_files,max_size,mime_types}, label, hint, hidden} or SnackBase shape {name, type, required, unique, default, collection, on_delete, options}. Types: text textarea editor (richText) email url number bool (boolean) date datetime select json tags reference (relation) file geopoint. `id` (or `previous_name`) keeps a field's data across a rename.",
} as const;

const collectionInput = {
  type: "object",
  additionalProperties: true,
  properties: {
    name: { type: "string", description: "1-100 chars, ^[a-zA-Z][a-zA-Z0-9_]*$; collections, users, system and names starting with _ are reserved" },
    type: { type: "string", description: "base (default), auth or view; cannot change" },
    schema: { type: "array", items: fieldInput, description: "the field list (replaces the current one on update)" },
    fields: { type: "array", items: fieldInput, description: "alias of schema" },
    options: looseObject,
    list_rule: nullableString,
    view_rule: nullableString,
    create_rule: nullableString,
    update_rule: nullableString,
    delete_rule: nullableString,
    view_query: { ...nullableString, description: "SELECT returning the system columns and every field; required iff type=view" },
  },
} as const;

const fieldResponse = {
  type: "object",
  properties: {
    id: { type: "string" },
    name: { type: "string" },
    type: { type: "string" },
    required: { type: "boolean" },
    unique: { type: "boolean" },
    index: { type: "boolean" },
    default: {},
    validation: {
      type: "object",
      additionalProperties: true,
      properties: {
        required: { type: "boolean" },
        unique: { type: "boolean" },
        min: { type: ["number", "null"] },
        max: { type: ["number", "null"] },
        min_length: { type: ["integer", "null"] },
        max_length: { type: ["integer", "null"] },
        pattern: nullableString,
        values: { type: ["array", "null"], items: { type: "string" } },
      },
    },
    relation: { type: ["object", "null"], additionalProperties: true },
    select: { type: ["object", "null"], additionalProperties: true },
    file: { type: ["object", "null"], additionalProperties: true },
    options: looseObject,
    collection: { type: "string" },
    on_delete: { type: "string" },
    label: nullableString,
    hint: nullableString,
    hidden: { type: "boolean" },
    system: { type: "boolean" },
  },
} as const;

const collectionResponse = {
  type: "object",
  properties: {
    id: { type: "string" },
    name: { type: "string" },
    type: { type: "string" },
    schema: { type: "array", items: fieldResponse },
    options: looseObject,
    list_rule: nullableString,
    view_rule: nullableString,
    create_rule: nullableString,
    update_rule: nullableString,
    delete_rule: nullableString,
    view_query: nullableString,
    system: { type: "boolean" },
    created: { type: "string", format: "date-time" },
    updated: { type: "string", format: "date-time" },
    table_name: { type: "string" },
    created_at: { type: "string", format: "date-time" },
    updated_at: { type: "string", format: "date-time" },
    fields_count: { type: "integer" },
  },
} as const;

const idParams = { type: "object", required: ["idOrName"], properties: { idOrName: { type: "string", description: "collection id or name" } } } as const;
const errors = { 401: errorSchema, 403: errorSchema, 422: errorSchema };
/** 400: a SnackBase-shaped definition's problems, `details` as SnackBase's `[{field, message, code}]` (422 for FastCMS bodies). */
const definitionErrorSchema = { ...recordErrorSchema, description: "SnackBase-shaped definition invalid: details is a list of {field, message, code}" };

type IdParams = { idOrName: string };
type ListQuery = { page: number; per_page?: number; page_size?: number; search?: string; sort_by?: string; sort_order?: "asc" | "desc" };

const SORT_KEYS: Record<string, "name" | "created" | "updated"> = { name: "name", created: "created", created_at: "created", updated: "updated", updated_at: "updated" };
const DEFAULT_PER_PAGE = 30;

export function registerCollectionRoutes(api: FastifyInstance, services: Services): void {
  registerCollectionRuleRoutes(api, services);
  api.post<{ Body: unknown }>(
    "/collections",
    {
      config: { operation: ADMIN },
      ...validatedByCore,
      schema: { tags, summary: "Create a collection (superadmin)", body: collectionInput, response: { 201: collectionResponse, 400: definitionErrorSchema, 409: errorSchema, ...errors } },
    },
    async (req, reply) => {
      try {
        const def = await createCollection(req.ctx, req.body);
        return reply.code(201).send(renderCollection(def));
      } catch (e) {
        const snack = snackbaseDefinitionError(e, req.body);
        if (snack) return reply.code(400).send(validationBody(snack));
        throw e;
      }
    },
  );

  api.get<{ Querystring: ListQuery }>(
    "/collections",
    {
      config: { operation: READ },
      schema: {
        tags,
        summary: "List collections (superadmin)",
        querystring: {
          type: "object",
          properties: {
            page: { type: "integer", minimum: 1, default: 1 },
            per_page: { type: "integer", minimum: 1, maximum: 200, description: `page size, 1-200 (default ${DEFAULT_PER_PAGE}); wins over page_size` },
            page_size: { type: "integer", minimum: 1, maximum: 200, description: "SnackBase spelling of per_page" },
            include_system: { type: "boolean", description: "accepted for compatibility; Cairn has no system collections" },
            search: { type: "string", maxLength: 200, description: "name substring or id" },
            sort_by: { type: "string", enum: Object.keys(SORT_KEYS) },
            sort_order: { type: "string", enum: ["asc", "desc"] },
          },
        },
        response: {
          200: {
            type: "object",
            properties: {
              items: { type: "array", items: collectionResponse },
              total: { type: "integer" },
              page: { type: "integer" },
              per_page: { type: "integer" },
              page_size: { type: "integer" },
              total_pages: { type: "integer" },
            },
          },
          ...errors,
        },
      },
    },
    async (req) => {
      const q = req.query;
      const perPage = q.per_page ?? q.page_size ?? DEFAULT_PER_PAGE;
      const page = await listCollections(req.ctx, { page: q.page, perPage, search: q.search, sortBy: q.sort_by ? SORT_KEYS[q.sort_by] : undefined, sortOrder: q.sort_order });
      return { items: page.items.map(renderCollection), total: page.total, page: page.page, per_page: page.perPage, page_size: page.perPage, total_pages: Math.ceil(page.total / page.perPage) };
    },
  );

  api.get(
    "/collections/names",
    {
      config: { operation: READ },
      schema: {
        tags,
        summary: "Names of every collection (SnackBase, superadmin)",
        response: { 200: { type: "object", properties: { names: { type: "array", items: { type: "string" } }, total: { type: "integer" } } }, ...errors },
      },
    },
    async (req) => {
      const page = await listCollections(req.ctx, { page: 1, perPage: Number.MAX_SAFE_INTEGER, sortBy: "name" });
      return { names: page.items.map((c) => c.name), total: page.total };
    },
  );

  api.get<{ Params: IdParams }>(
    "/collections/:idOrName",
    { config: { operation: READ }, schema: { tags, summary: "Get a collection by id or name (superadmin)", params: idParams, response: { 200: collectionResponse, 404: errorSchema, ...errors } } },
    async (req) => renderCollection(await getCollection(req.ctx, req.params.idOrName)),
  );

  api.get<{ Params: { name: string } }>(
    "/collections/name/:name",
    {
      config: { operation: READ },
      schema: {
        tags,
        summary: "Get a collection by name (superadmin)",
        params: { type: "object", required: ["name"], properties: { name: { type: "string" } } },
        response: { 200: collectionResponse, 404: errorSchema, ...errors },
      },
    },
    async (req) => renderCollection(await getCollection(req.ctx, req.params.name)),
  );

  for (const method of ["patch", "put"] as const) {
    api[method]<{ Params: IdParams; Body: unknown }>(
      "/collections/:idOrName",
      {
        config: { operation: ADMIN },
        ...validatedByCore,
        schema: {
          tags,
          summary: `Update a collection (superadmin)${method === "put" ? " — SnackBase spelling of PATCH" : ""}`,
          description: "Any of name, schema (replaces the field list; matched fields keep their data), options, *_rule, view_query.",
          params: idParams,
          body: collectionInput,
          response: { 200: collectionResponse, 400: definitionErrorSchema, 404: errorSchema, 409: errorSchema, ...errors },
        },
      },
      async (req, reply) => {
        try {
          return renderCollection(await updateCollection(req.ctx, req.params.idOrName, req.body));
        } catch (e) {
          const snack = snackbaseDefinitionError(e, req.body);
          if (snack) return reply.code(400).send(validationBody(snack));
          throw e;
        }
      },
    );
  }

  api.delete<{ Params: IdParams }>(
    "/collections/:idOrName",
    {
      config: { operation: ADMIN },
      schema: {
        tags,
        summary: "Delete a collection and its table (superadmin)",
        params: idParams,
        response: { 204: { type: "null", description: "deleted" }, 404: errorSchema, 409: errorSchema, ...errors },
      },
    },
    async (req, reply) => {
      await deleteCollection(req.ctx, req.params.idOrName);
      return reply.code(204).send();
    },
  );
}
