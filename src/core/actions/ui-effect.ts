/**
 * UI effects: when a form changes a field, the values the collection declares for that trigger
 * (definitions.ts), computed from the referenced record or an expression over the form's
 * record — without saving anything. The referenced record is read under the caller's view rule
 * (a hidden one reads as absent), the stored record too when the form edits one.
 */
import type { Context } from "../context.ts";
import { BadRequestError } from "../errors.ts";
import { getRecordsByIds } from "../records/batch-read.ts";
import { getRecord } from "../records/read.ts";
import { recordAccess } from "../rules/access.ts";
import { declarations } from "./definitions.ts";
import { evaluate } from "./evaluate.ts";

export interface UiEffectInput {
  /** the record being edited, when it exists */
  id?: string | null;
  /** the form's current values */
  values: Record<string, unknown>;
  /** the field that changed */
  trigger: string;
}

/**
 * The values the trigger's declared effects compute (an empty object when none is declared).
 * @throws BadRequestError for an unknown trigger field or non-object values; 404 for an `id`
 *   the caller cannot view; 401/403 when they may not view the collection.
 * @example await uiEffect(ctx, "orders", { values: { contact: "0190…" }, trigger: "contact" })
 */
export async function uiEffect(ctx: Context, collection: string, input: UiEffectInput): Promise<Record<string, unknown>> {
  const { collections } = ctx.services;
  const def = collections.require(collection);
  if (typeof input.values !== "object" || input.values === null || Array.isArray(input.values)) throw new BadRequestError("values must be an object", { values: "Must be an object" });
  const trigger = def.fields.find((f) => f.name === input.trigger);
  if (!trigger) throw new BadRequestError(`Unknown trigger_field '${input.trigger}' in '${def.name}'`, { trigger_field: "Unknown field" });
  const effects = declarations(def, (c) => collections.get(c)).uiEffects.get(trigger.name);
  const stored = input.id ? await getRecord(ctx, def.name, input.id) : (recordAccess(ctx, def, "view"), {});
  const record: Record<string, unknown> = { ...stored, ...input.values };
  if (!effects) return {};
  let referenced: Record<string, unknown> | null = null;
  const ref = record[trigger.name];
  if (trigger.type === "reference" && !trigger.options.multiple && typeof ref === "string" && trigger.options.collection) {
    referenced = (await getRecordsByIds(ctx, trigger.options.collection, [ref])).get(ref) ?? null;
  }
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [field, source] of effects) out[field] = evaluate(source, { input: {}, record, referenced });
  return { ...out };
}
