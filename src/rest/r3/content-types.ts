/**
 * /api/content-types (spec 004): content types are collections with the content workflow on
 * (`drafts`, `versions`, `slug_field`, `title_field`); this file maps the R3 body onto a
 * collection definition body and calls the collection core (create, update — fields matched by
 * name, so data survives — and delete).
 */
import type { FastifyInstance } from "fastify";
import { createCollection } from "../../core/collections/create.ts";
import { deleteCollection } from "../../core/collections/delete.ts";
import type { CollectionDef } from "../../core/collections/types.ts";
import { updateCollection } from "../../core/collections/update.ts";
import { contentTypes, requireContentType } from "../../core/content/documents.ts";
import { ValidationError } from "../../core/errors.ts";
import { R3_ADMIN, R3_READ } from "./operations.ts";
import { own } from "../../lib/own.ts";
import { dataFields } from "./parse.ts";
import { renderContentType } from "./render.ts";

/** R3 field types → ours (unlisted names are ours already). */
const FIELD_TYPES: Readonly<Record<string, string>> = Object.freeze({
  text: "text",
  textarea: "textarea",
  richText: "editor",
  number: "number",
  boolean: "bool",
  checkbox: "bool",
  date: "date",
  datetime: "datetime",
  email: "email",
  url: "url",
  select: "select",
  tags: "tags",
  json: "json",
  relation: "reference",
  media: "file",
  image: "file",
});

/** Rules of a content type: every API key (or user) reads, signed-in callers write; drafts stay hidden (content/visibility.ts). */
const RULES = { list_rule: "", view_rule: "", create_rule: '@request.auth.id != ""', update_rule: '@request.auth.id != ""', delete_rule: '@request.auth.id != ""' };

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);

function fieldBody(raw: unknown, i: number, current: CollectionDef | undefined): unknown {
  if (!isObject(raw)) return raw;
  const type = typeof raw.type === "string" ? own(FIELD_TYPES, raw.type) : undefined;
  if (raw.type !== undefined && !type)
    throw new ValidationError(`Invalid fields[${i}].type: unknown type '${String(raw.type).slice(0, 40)}' (allowed: ${Object.keys(FIELD_TYPES).join(", ")})`, {
      [`fields[${i}].type`]: "unknown type",
    });
  const previous = current && typeof raw.name === "string" ? dataFields(current).find((f) => f.name === raw.name) : undefined;
  const out: Raw = { name: raw.name, type: type ?? raw.type, required: raw.required === true };
  if (raw.label !== undefined) out.label = raw.label;
  if (previous) out.id = previous.id;
  if (Array.isArray(raw.options)) out.values = raw.options;
  if (raw.multiple !== undefined) out.multiple = raw.multiple;
  if (typeof raw.relationTo === "string") out.collection = raw.relationTo;
  if (raw.unique !== undefined) out.unique = raw.unique;
  return out;
}

/** The collection body for a create (`current` absent) or a PATCH of the R3 body. */
function collectionBody(body: unknown, current?: CollectionDef): Raw {
  if (!isObject(body)) throw new ValidationError("Request body must be a JSON object", { body: "must be an object" });
  const options: Raw = { ...(current?.options ?? {}), drafts: true, versions: true };
  const set = (key: string, option: string) => {
    if (body[key] !== undefined) options[option] = body[key];
  };
  set("label", "label");
  set("description", "description");
  set("icon", "icon");
  set("slugField", "slug_field");
  set("titleField", "title_field");
  if (!current && body.titleField === undefined && typeof body.slugField === "string") options.title_field = body.slugField;
  const out: Raw = { options };
  if (!current) Object.assign(out, { name: body.name, type: "base", ...RULES });
  else if (body.name !== undefined && body.name !== current.name) throw new ValidationError("A content type cannot be renamed", { name: "cannot change" });
  if (body.fields !== undefined || !current) {
    if (!Array.isArray(body.fields)) throw new ValidationError("Invalid fields: must be a list of fields", { fields: "must be a list" });
    out.schema = body.fields.map((f, i) => fieldBody(f, i, current));
  }
  return out;
}

/** Core messages name the collection body (`schema[0]`, `options.slug_field`); R3 clients sent `fields[0]`, `slugField`. */
function inR3Names(e: unknown): unknown {
  if (!(e instanceof ValidationError)) return e;
  const rename = (s: string) =>
    s
      .replace(/\bschema\[/g, "fields[")
      .replace(/\boptions\.slug_field\b/g, "slugField")
      .replace(/\boptions\.title_field\b/g, "titleField");
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(e.fields)) fields[rename(k)] = rename(v);
  return new ValidationError(rename(e.message), fields);
}

const nameParam = { type: "object", properties: { name: { type: "string", maxLength: 100 } }, required: ["name"] } as const;

/** Registers the content-type routes. */
export function registerContentTypeRoutes(api: FastifyInstance): void {
  const tags = ["r3"];
  api.get("/content-types", { config: { operation: R3_READ }, schema: { tags, summary: "List content types" } }, async (req) => ({ docs: contentTypes(req.ctx).map(renderContentType) }));

  api.post("/content-types", { config: { operation: R3_ADMIN }, schema: { tags, summary: "Create a content type" } }, async (req, reply) => {
    const def = await createCollection(req.ctx, collectionBody(req.body)).catch((e: unknown) => {
      throw inR3Names(e);
    });
    return reply.status(201).send(renderContentType(def));
  });

  api.get<{ Params: { name: string } }>("/content-types/:name", { config: { operation: R3_READ }, schema: { tags, summary: "Get a content type", params: nameParam } }, async (req) =>
    renderContentType(requireContentType(req.ctx, req.params.name)),
  );

  api.patch<{ Params: { name: string } }>("/content-types/:name", { config: { operation: R3_ADMIN }, schema: { tags, summary: "Update a content type", params: nameParam } }, async (req) => {
    const current = requireContentType(req.ctx, req.params.name);
    const def = await updateCollection(req.ctx, current.name, collectionBody(req.body, current)).catch((e: unknown) => {
      throw inR3Names(e);
    });
    return renderContentType(def);
  });

  api.delete<{ Params: { name: string } }>(
    "/content-types/:name",
    { config: { operation: R3_ADMIN }, schema: { tags, summary: "Delete a content type and its documents", params: nameParam } },
    async (req) => {
      const current = requireContentType(req.ctx, req.params.name);
      const def = await deleteCollection(req.ctx, current.name);
      return renderContentType(def);
    },
  );
}
