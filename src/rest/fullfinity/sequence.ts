/**
 * Fullfinity `clone` (copy a record under a new id) and `resequence` (move a record after
 * another in a number field's order, renumbering in one transaction).
 */
import type { FastifyInstance } from "fastify";
import { WRITE } from "../../core/policy/operation.ts";
import { cloneRecord } from "../../core/records/clone.ts";
import { resequenceRecord } from "../../core/records/resequence.ts";
import { modelParams } from "./records.ts";
import { renderRecord } from "./render.ts";

const tags = ["fullfinity"];

export function registerFullfinitySequence(api: FastifyInstance): void {
  api.post<{ Params: { model: string }; Body: { id: string } }>(
    "/api/clone/:model",
    {
      config: { operation: WRITE },
      schema: {
        tags,
        summary: "Copy a record under a new id (unique values made unique, files shared)",
        params: modelParams,
        body: { type: "object", required: ["id"], properties: { id: { type: "string", maxLength: 200 } } },
      },
    },
    async (req) => {
      const def = req.ctx.services.collections.require(req.params.model);
      return renderRecord(def, await cloneRecord(req.ctx, def.name, req.body.id));
    },
  );

  api.post<{ Params: { model: string }; Body: { dropped_column_id: string; after_column_id?: string | null; sequence_field?: string } }>(
    "/api/resequence/:model",
    {
      config: { operation: WRITE },
      schema: {
        tags,
        summary: "Move a record right after another (first when after_column_id is null), renumbering in one transaction",
        params: modelParams,
        body: {
          type: "object",
          required: ["dropped_column_id"],
          properties: {
            dropped_column_id: { type: "string", maxLength: 200 },
            after_column_id: { type: ["string", "null"], maxLength: 200 },
            sequence_field: { type: "string", maxLength: 100, default: "sequence" },
          },
        },
      },
    },
    async (req) => {
      const b = req.body;
      const r = await resequenceRecord(req.ctx, req.params.model, { id: b.dropped_column_id, afterId: b.after_column_id ?? null, field: b.sequence_field });
      return { message: "Resequenced", id: b.dropped_column_id, sequence: r.sequence, changed: r.changed };
    },
  );
}
