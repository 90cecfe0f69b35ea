// The API examples of one collection (REST, GraphQL, curl) built from its definition: real field
// names, sample values that pass its validation where the definition allows, the server's origin,
// and, when the collection has records, a real record id.
import type { Collection, CollectionField } from "../../lib/collections.ts";
import type { CollectionNames as GraphqlNames } from "../../../lib/collection-names.ts";

export interface Example {
  id: string;
  title: string;
  lang: "http" | "sh" | "graphql" | "json";
  code: string;
  note?: string;
}

export interface ExampleContext {
  origin: string;
  collection: Collection;
  names: GraphqlNames;
  /** a record of this collection to read, update and delete (null: a placeholder) */
  recordId: string | null;
  /** a record id per reference target, for sample references */
  targetIds: Record<string, string>;
  /** select field → (stored value → GraphQL enum name), from the live schema */
  enums: Record<string, Record<string, string>>;
}

const RECORD_PLACEHOLDER = "RECORD_ID";
const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function sampleText(f: CollectionField): string {
  const v = f.validation ?? {};
  let s = f.type === "editor" ? "<p>Example</p>" : `Example ${f.name}`;
  const min = typeof v.min_length === "number" ? v.min_length : 0;
  const max = typeof v.max_length === "number" ? v.max_length : Infinity;
  while (s.length < min) s += "x";
  return s.length > max ? s.slice(0, Math.max(max, min)) : s;
}

function sampleNumber(f: CollectionField): number {
  const v = f.validation ?? {};
  const min = typeof v.min === "number" ? v.min : null;
  const max = typeof v.max === "number" ? v.max : null;
  let n = min !== null ? Math.max(min, 1) : 1;
  if (max !== null && n > max) n = max;
  return v.integer ? Math.ceil(n) : n;
}

/** A value for a field in REST spelling, or undefined to leave it out. */
export function sampleValue(f: CollectionField, ctx: Pick<ExampleContext, "targetIds">): unknown {
  const today = new Date().toISOString();
  switch (f.type) {
    case "text":
    case "textarea":
    case "editor":
      return sampleText(f);
    case "email":
      return "someone@example.com";
    case "url":
      return "https://example.com/";
    case "number":
      return sampleNumber(f);
    case "bool":
      return true;
    case "date":
      return today.slice(0, 10);
    case "datetime":
      return `${today.slice(0, 19)}Z`;
    case "select": {
      const first = f.select?.values?.[0];
      if (first === undefined) return undefined;
      return (f.select?.max_select ?? 1) > 1 ? [first] : first;
    }
    case "json":
      return { example: true };
    case "tags":
      return ["example"];
    case "geopoint":
      return { lat: 52.52, lng: 13.405 };
    case "reference":
    case "relation": {
      const id = f.relation ? ctx.targetIds[f.relation.collection] : undefined;
      if (!id) return f.required ? (f.relation?.multiple ? [`ID_OF_A_${f.relation.collection.toUpperCase()}_RECORD`] : `ID_OF_A_${f.relation?.collection.toUpperCase()}_RECORD`) : undefined;
      return f.relation?.multiple ? [id] : id;
    }
    case "file":
      return f.required ? ["FILE_ID"] : undefined;
    default:
      return undefined;
  }
}

/**
 * Sample `data` for a create: every field a value can be made up for. Optional unique fields are
 * left out (a fixed value would clash on the second run); required ones get a value made unique.
 */
export function sampleData(c: Collection, ctx: Pick<ExampleContext, "targetIds">): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of c.schema) {
    if (f.unique && !f.required) continue;
    let v = sampleValue(f, ctx);
    if (f.unique && typeof v === "string") v = `${v}-${Date.now().toString(36)}`;
    if (v !== undefined) out[f.name] = v;
  }
  return out;
}

/** The same data with select values as GraphQL enum names. */
function graphqlData(c: Collection, data: Record<string, unknown>, enums: ExampleContext["enums"]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...data };
  for (const f of c.schema) {
    const map = enums[f.name];
    if (f.type !== "select" || !map || out[f.name] === undefined) continue;
    const v = out[f.name];
    out[f.name] = Array.isArray(v) ? v.map((x) => map[String(x)] ?? x) : (map[String(v)] ?? v);
  }
  return out;
}

/** A filter that fits the collection's first suitable field. */
export function sampleFilter(c: Collection): string {
  const text = c.schema.find((f) => ["text", "textarea", "editor", "email", "url"].includes(f.type));
  if (text) return `${text.name} ~ "Example"`;
  const num = c.schema.find((f) => f.type === "number");
  if (num) return `${num.name} >= ${sampleNumber(num)}`;
  const bool = c.schema.find((f) => f.type === "bool");
  if (bool) return `${bool.name} = true`;
  return `created >= "2020-01-01"`;
}

/** The GraphQL selection of a record: system fields, then each field (references and geopoints with sub-fields). */
export function selection(c: Collection, indent: string): string {
  const lines = ["id", "created", "updated", "version"];
  for (const f of c.schema) {
    if (f.type === "reference" || f.type === "relation") lines.push(`${f.name} { id }`);
    else if (f.type === "geopoint") lines.push(`${f.name} { lat lng }`);
    else lines.push(f.name);
  }
  return lines.map((l) => indent + l).join("\n");
}

export function buildExamples(ctx: ExampleContext): { rest: Example[]; graphql: Example[]; curl: Example[] } {
  const { origin, collection: c, names: n } = ctx;
  const base = `${origin}/api/v1/collections/${encodeURIComponent(c.name)}/records`;
  const id = ctx.recordId ?? RECORD_PLACEHOLDER;
  const filter = sampleFilter(c);
  const data = sampleData(c, ctx);
  const firstField = c.schema.find((f) => data[f.name] !== undefined);
  const patch = firstField ? { [firstField.name]: data[firstField.name] } : {};
  const listUrl = `${base}?${new URLSearchParams({ filter, sort: "-created", page: "1", per_page: "20" }).toString()}`;
  const json = (v: unknown) => JSON.stringify(v, null, 2);
  const auth = `-H "authorization: Bearer $TOKEN"`;
  const body = (v: unknown) => `-H 'content-type: application/json' \\\n  -d ${shellQuote(JSON.stringify(v))}`;
  const idNote = ctx.recordId ? `Uses the record ${ctx.recordId}, the newest of ${c.name}.` : `Replace ${RECORD_PLACEHOLDER} with a record id (the collection has no records yet).`;

  const rest: Example[] = [
    {
      id: "rest-list",
      title: "List with a filter, sort and paging",
      lang: "http",
      code: `GET ${listUrl}`,
      note: "Answers {items, total, page, per_page, total_pages, next_cursor, …}; pass next_cursor as cursor= for the next page.",
    },
    { id: "rest-get", title: "Get one record", lang: "http", code: `GET ${base}/${id}`, note: idNote },
    { id: "rest-create", title: "Create a record", lang: "http", code: `POST ${base}\ncontent-type: application/json\n\n${json({ data })}` },
    { id: "rest-update", title: "Update a record (only the fields sent change)", lang: "http", code: `PATCH ${base}/${id}\ncontent-type: application/json\n\n${json({ data: patch })}` },
    { id: "rest-delete", title: "Delete a record", lang: "http", code: `DELETE ${base}/${id}` },
  ];

  const curl: Example[] = [
    {
      id: "curl-token",
      title: "Sign in (sets $TOKEN for the commands below)",
      lang: "sh",
      code: `TOKEN=$(curl -s -X POST ${origin}/api/v1/auth/login -H 'content-type: application/json' \\\n  -d '{"email":"you@example.com","password":"your-password"}' | jq -r .access_token)`,
      note: 'An API key works too: -H "x-api-key: cairn_…".',
    },
    {
      id: "curl-list",
      title: "List",
      lang: "sh",
      code: `curl -s -G ${base} ${auth} \\\n  --data-urlencode ${shellQuote(`filter=${filter}`)} \\\n  --data-urlencode 'sort=-created' -d page=1 -d per_page=20`,
    },
    { id: "curl-get", title: "Get", lang: "sh", code: `curl -s ${base}/${id} ${auth}` },
    { id: "curl-create", title: "Create", lang: "sh", code: `curl -s -X POST ${base} ${auth} \\\n  ${body({ data })}` },
    { id: "curl-update", title: "Update", lang: "sh", code: `curl -s -X PATCH ${base}/${id} ${auth} \\\n  ${body({ data: patch })}` },
    { id: "curl-delete", title: "Delete", lang: "sh", code: `curl -s -X DELETE ${base}/${id} ${auth}` },
  ];

  const sel = (indent: string) => selection(c, indent);
  const text = c.schema.find((f) => ["text", "textarea", "editor"].includes(f.type));
  const where = text ? { [text.name]: { contains: "Example" } } : {};
  const gdata = graphqlData(c, data, ctx.enums);
  const gpatch = graphqlData(c, patch, ctx.enums);
  const graphql: Example[] = [
    {
      id: "gql-list",
      title: `Query: ${n.list} (filter, order, paging)`,
      lang: "graphql",
      code: `query List${n.type}($where: ${n.where}, $first: Int, $after: String) {\n  ${n.list}(where: $where, orderBy: [{ created: DESC }], first: $first, after: $after) {\n    totalCount\n    nodes {\n${sel("      ")}\n    }\n    pageInfo { hasNextPage endCursor }\n  }\n}`,
    },
    { id: "gql-list-vars", title: "Variables", lang: "json", code: json({ where, first: 20 }), note: "Pass pageInfo.endCursor as after for the next page." },
    { id: "gql-get", title: `Query: ${n.single}`, lang: "graphql", code: `query Get${n.type}($id: ID!) {\n  ${n.single}(id: $id) {\n${sel("    ")}\n  }\n}` },
    { id: "gql-get-vars", title: "Variables", lang: "json", code: json({ id }), note: idNote },
    { id: "gql-create", title: `Mutation: ${n.create}`, lang: "graphql", code: `mutation Create${n.type}($data: ${n.createInput}!) {\n  ${n.create}(data: $data) {\n${sel("    ")}\n  }\n}` },
    { id: "gql-create-vars", title: "Variables", lang: "json", code: json({ data: gdata }) },
    {
      id: "gql-update",
      title: `Mutation: ${n.update}`,
      lang: "graphql",
      code: `mutation Update${n.type}($id: ID!, $data: ${n.updateInput}!) {\n  ${n.update}(id: $id, data: $data) {\n    id\n    version\n  }\n}`,
    },
    { id: "gql-update-vars", title: "Variables", lang: "json", code: json({ id, data: gpatch }) },
    { id: "gql-delete", title: `Mutation: ${n.delete}`, lang: "graphql", code: `mutation Delete${n.type}($id: ID!) {\n  ${n.delete}(id: $id) {\n    id\n  }\n}` },
    {
      id: "gql-subscription",
      title: `Subscription: ${n.changed}`,
      lang: "graphql",
      code: `subscription On${n.type}Changed {\n  ${n.changed} {\n    action\n    id\n    record {\n${sel("      ")}\n    }\n  }\n}`,
      note: `Over websockets (ws${origin.replace(/^http/, "")}/graphql, graphql-transport-ws) or server-sent events (POST with accept: text/event-stream). Also ${n.created}, ${n.updated}, ${n.deleted}.`,
    },
    {
      id: "gql-curl",
      title: "The list query with curl",
      lang: "sh",
      code: `curl -s ${origin}/graphql ${auth} -H 'content-type: application/json' \\\n  -d ${shellQuote(JSON.stringify({ query: `{ ${n.list}(first: 20) { totalCount nodes { id } } }` }))}`,
    },
  ];
  return { rest, graphql, curl };
}
