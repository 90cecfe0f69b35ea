/**
 * The later SnackBase spelling of collection rules (compat/snackbase.md §6):
 * `GET/PUT /collections/{name}/rules` with `list_rule` … `delete_rule` and the field lists
 * `list_fields`, `view_fields`, `create_fields`, `update_fields` (`"*"` or names). Rules live on
 * the collection; the field lists in its `options`. Superadmin only.
 */
import { requireSuperadmin } from "../auth/guards.ts";
import { updateCollection } from "../collections/update.ts";
import type { CollectionDef } from "../collections/types.ts";
import type { Context } from "../context.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { dict } from "../../lib/own.ts";

export const RULE_FIELDS = ["list_rule", "view_rule", "create_rule", "update_rule", "delete_rule"] as const;
export const FIELD_LISTS = ["list_fields", "view_fields", "create_fields", "update_fields"] as const;

export type CollectionRulesView = { collection: string } & Record<(typeof RULE_FIELDS)[number], string | null> & Record<(typeof FIELD_LISTS)[number], "*" | string[]>;

function viewOf(def: CollectionDef): CollectionRulesView {
  const list = (key: string): "*" | string[] => {
    const v = def.options[key];
    return Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : "*";
  };
  return {
    collection: def.name,
    list_rule: def.listRule,
    view_rule: def.viewRule,
    create_rule: def.createRule,
    update_rule: def.updateRule,
    delete_rule: def.deleteRule,
    list_fields: list("list_fields"),
    view_fields: list("view_fields"),
    create_fields: list("create_fields"),
    update_fields: list("update_fields"),
  };
}

function find(ctx: Context, name: string): CollectionDef {
  const def = ctx.services.collections.find(name);
  if (!def) throw new NotFoundError(`Collection '${name}' not found`);
  return def;
}

/** The rules and field lists of a collection. @throws 401/403, 404 */
export function getCollectionRules(ctx: Context, name: string): CollectionRulesView {
  requireSuperadmin(ctx);
  return viewOf(find(ctx, name));
}

/**
 * Partially updates rules and field lists (absent keys keep their value). Rules are validated
 * like collection updates (422 naming the rule); field lists must be `"*"` or names of the
 * collection's fields.
 * @throws 401/403, 404, ValidationError 422
 */
export async function updateCollectionRules(ctx: Context, name: string, body: unknown): Promise<CollectionRulesView> {
  requireSuperadmin(ctx);
  const def = find(ctx, name);
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new ValidationError("Request body must be a JSON object", { body: "must be an object" });
  const b = body as Record<string, unknown>;
  const errors = dict<string>();
  for (const k of Object.keys(b)) if (!(RULE_FIELDS as readonly string[]).includes(k) && !(FIELD_LISTS as readonly string[]).includes(k) && k !== "collection") errors[k] = "unknown field";
  const known = new Set(def.fields.map((f) => f.name));
  const options: Record<string, unknown> = { ...def.options };
  for (const k of FIELD_LISTS) {
    const v = b[k];
    if (v === undefined) continue;
    if (v === "*" || v === null) delete options[k];
    else if (Array.isArray(v) && v.every((x) => typeof x === "string")) {
      const unknown = v.filter((x) => !known.has(x));
      if (unknown.length) errors[k] = `unknown field${unknown.length > 1 ? "s" : ""} ${unknown.map((x) => `'${x}'`).join(", ")}`;
      else options[k] = v.includes("*") ? undefined : v;
    } else errors[k] = 'must be "*" or a list of field names';
  }
  if (Object.keys(errors).length) {
    const [k, v] = Object.entries(errors)[0]!;
    throw new ValidationError(`Invalid rules: ${k} ${v}`, errors);
  }
  const patch: Record<string, unknown> = { options: JSON.parse(JSON.stringify(options)) };
  for (const k of RULE_FIELDS) if (b[k] !== undefined) patch[k] = b[k];
  return viewOf(await updateCollection(ctx, def.id, patch));
}
