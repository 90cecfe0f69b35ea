/**
 * What a client needs to run a declared action as a wizard: its label, the confirmation text,
 * the inputs (JSON Schema per input, which are required) and their defaults.
 */
import type { Context } from "../context.ts";
import { recordAccess } from "../rules/access.ts";
import { requireAction } from "./definitions.ts";

export interface ActionMeta {
  name: string;
  label: string;
  confirm: string | null;
  inputs: Record<string, unknown>;
  required: string[];
  defaults: Record<string, unknown>;
}

/**
 * The wizard metadata of action `name` of `collection`.
 * @throws NotFoundError (404) for an undeclared action; 401/403 when the caller may not update
 *   records of the collection; BadRequestError for a malformed declaration.
 * @example await actionMeta(ctx, "orders", "confirm") // { label: "Confirm", defaults: { note: "ok" }, … }
 */
export function actionMeta(ctx: Context, collection: string, name: string): ActionMeta {
  const { collections } = ctx.services;
  const def = collections.require(collection);
  const action = requireAction(def, name, (c) => collections.get(c));
  recordAccess(ctx, def, "update");
  const inputs = (action.inputSchema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const defaults: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [k, schema] of Object.entries(inputs)) if (typeof schema === "object" && schema !== null && "default" in schema) defaults[k] = schema.default;
  return { name: action.name, label: action.label, confirm: action.confirm, inputs, required: action.inputSchema.required as string[], defaults: { ...defaults } };
}
