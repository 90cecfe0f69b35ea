/**
 * `/api/v1/settings…` (compat/fastcms.md §14), superadmins only: parse, call core, render.
 */
import type { FastifyInstance } from "fastify";
import { deleteSetting, listCategorySettings, listSettings, saveSetting, type SaveSettingInput } from "../core/settings/manage.ts";
import { SETTING_CATEGORIES } from "../core/settings/store.ts";
import { errorResponses } from "./errors.ts";
import { ADMIN, READ } from "../core/policy/operation.ts";

const tags = ["settings"];
const entry = { type: "object", properties: { value: {}, description: { type: ["string", "null"] } } } as const;
const byKey = { type: "object", additionalProperties: entry } as const;

/** Registers the settings routes on the /api/v1 scope. */
export function registerSettingsRoutes(api: FastifyInstance): void {
  api.get(
    "/settings",
    { config: { operation: READ }, schema: { tags, summary: "All settings, grouped by category", response: { 200: { type: "object", additionalProperties: byKey }, ...errorResponses(401, 403) } } },
    async (req) => listSettings(req.ctx),
  );

  // GET and DELETE share one path template (OpenAPI: one path, one parameter name): `name` is a
  // category for GET and a setting key for DELETE.
  api.get<{ Params: { name: string } }>(
    "/settings/:name",
    {
      config: { operation: READ },
      schema: {
        tags,
        summary: "The settings of one category",
        params: { type: "object", properties: { name: { type: "string", description: `GET: a category (${SETTING_CATEGORIES.join(", ")}); DELETE: a setting key` } } },
        response: { 200: byKey, ...errorResponses(401, 403, 422) },
      },
    },
    async (req) => listCategorySettings(req.ctx, req.params.name),
  );

  api.post<{ Body: SaveSettingInput }>(
    "/settings",
    {
      config: { operation: ADMIN },
      schema: {
        tags,
        summary: "Create or update a setting",
        body: {
          type: "object",
          required: ["key", "value"],
          properties: {
            key: { type: "string", description: "1-100 characters: letters, digits, _ . : -" },
            value: { description: 'any JSON value; known keys are type-checked (README "Settings")' },
            category: { type: "string", enum: [...SETTING_CATEGORIES], default: "app" },
            description: { type: ["string", "null"], maxLength: 1000 },
          },
        },
        response: {
          200: {
            type: "object",
            properties: {
              id: { type: "string" },
              key: { type: "string" },
              value: {},
              category: { type: "string" },
              description: { type: ["string", "null"] },
              created: { type: "string" },
              updated: { type: "string" },
            },
          },
          ...errorResponses(401, 403, 422),
        },
      },
    },
    async (req) => saveSetting(req.ctx, req.body),
  );

  api.delete<{ Params: { name: string } }>(
    "/settings/:name",
    {
      config: { operation: ADMIN },
      schema: {
        tags,
        summary: "Delete a setting",
        params: { type: "object", properties: { name: { type: "string", description: "GET: a category; DELETE: a setting key" } } },
        response: { 200: { type: "object", properties: { deleted: { type: "boolean" } } }, ...errorResponses(401, 403) },
      },
    },
    async (req) => ({ deleted: await deleteSetting(req.ctx, req.params.name) }),
  );
}
