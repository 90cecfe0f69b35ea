/**
 * Fullfinity methods: declared actions (`execute`, `action-meta`) and UI effects (`ui-effect`),
 * all data in the collection's options (core/actions). Parse → core → render.
 */
import type { FastifyInstance } from "fastify";
import { actionMeta } from "../../core/actions/action-meta.ts";
import { runAction } from "../../core/actions/run-action.ts";
import { uiEffect } from "../../core/actions/ui-effect.ts";
import { READ, WRITE } from "../../core/policy/operation.ts";
import { modelParams } from "./records.ts";

const tags = ["fullfinity"];
const methodParams = { type: "object", required: ["model", "method"], properties: { model: { type: "string", maxLength: 100 }, method: { type: "string", maxLength: 100 } } } as const;
const contextSchema = { type: ["object", "null"], additionalProperties: true, properties: { active_ids: { type: "array", items: { type: "string" } } } } as const;

type ExecuteBody = { ids?: string[]; request_body?: { inputs?: unknown; context?: { active_ids?: string[] } | null } | null } | null;

export function registerFullfinityActions(api: FastifyInstance): void {
  api.post<{ Params: { model: string; method: string }; Body: ExecuteBody }>(
    "/api/execute/:model/:method",
    {
      config: { operation: WRITE },
      schema: {
        tags,
        summary: "Run a declared action on ids (or context.active_ids) with request_body.inputs, in one transaction",
        params: methodParams,
        body: {
          type: ["object", "null"],
          properties: {
            ids: { type: "array", items: { type: "string", maxLength: 200 } },
            request_body: { type: ["object", "null"], properties: { inputs: { type: ["object", "null"], additionalProperties: true }, context: contextSchema } },
          },
        },
      },
    },
    async (req) => {
      const b = req.body ?? {};
      const ids = b.ids ?? b.request_body?.context?.active_ids;
      const r = await runAction(req.ctx, req.params.model, req.params.method, ids, b.request_body?.inputs);
      return { message: "Method executed successfully", result: { updated: r.updated, created: r.created } };
    },
  );

  api.post<{ Params: { model: string; method: string }; Body: { context?: unknown } | null }>(
    "/api/action-meta/:model/:method",
    {
      config: { operation: READ },
      schema: {
        tags,
        summary: "Wizard metadata of a declared action: inputs, defaults, confirmation",
        params: methodParams,
        body: { type: ["object", "null"], properties: { context: contextSchema } },
      },
    },
    async (req) => {
      const m = actionMeta(req.ctx, req.params.model, req.params.method);
      return { name: m.name, label: m.label, confirmation: m.confirm, view: { inputs: m.inputs, required: m.required }, defaults: m.defaults };
    },
  );

  api.post<{ Params: { model: string }; Body: { id?: string | null; values: Record<string, unknown>; trigger_field: string } }>(
    "/api/ui-effect/:model",
    {
      config: { operation: READ },
      schema: {
        tags,
        summary: "Values a field change computes (declared UI effects), without saving",
        params: modelParams,
        body: {
          type: "object",
          required: ["values", "trigger_field"],
          properties: { id: { type: ["string", "null"], maxLength: 200 }, values: { type: "object", additionalProperties: true }, trigger_field: { type: "string", maxLength: 100 } },
        },
      },
    },
    async (req) => uiEffect(req.ctx, req.params.model, { id: req.body.id, values: req.body.values, trigger: req.body.trigger_field }),
  );
}
