/**
 * `/openapi.json`: the document @fastify/swagger builds from the route schemas, finished here in
 * one place — a license, the `servers` entry (this server, as the request reached it), an
 * operationId for every operation, a catch-all 4XX answer where a route lists none, and the typed
 * per-collection schemas and paths (openapi-collections.ts). The finished document is kept until
 * the collections change (registry version), and its text per origin, so a request serialises
 * nothing that did not change.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Services } from "../../core/context.ts";
import { collectionParameters, collectionPaths, collectionSchemas } from "./openapi-collections.ts";

type Json = Record<string, any>;
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const MAX_ORIGINS = 8;
const file = { "200": { description: "The file", content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } } };
const redirect = { "302": { description: "Redirect to the identity provider", headers: { location: { schema: { type: "string" } } } } };
/** Answers that are not JSON, which the route schemas cannot describe. */
const NOT_JSON: ReadonlyMap<string, Json> = new Map<string, Json>([
  ["get /api/v1/files/{id}/download", file],
  ["get /api/v1/backups/{filename}", file],
  ["get /api/v1/jobs/{id}/download", file],
  ["get /api/v1/jobs/{id}/events", { "200": { description: "Progress events", content: { "text/event-stream": { schema: { type: "string" } } } } }],
  ["get /api/v1/auth/saml/metadata", { "200": { description: "The service provider's SAML metadata", content: { "application/xml": { schema: { type: "string" } } } } }],
  ["get /api/v1/auth/saml/sso", redirect],
  ["get /api/v1/oauth/{provider}/login", redirect],
]);

/** `get /api/v1/collections/{collection}/records` → `getApiV1CollectionsCollectionRecords`. */
function operationId(method: string, path: string): string {
  const words = path.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return method + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
}

/** The finished document (see the module comment) for the current collections. */
export function finishOpenApi(base: Json, services: Services): Json {
  const doc: Json = structuredClone(base);
  doc.info = { ...doc.info, license: { name: "MIT", url: "https://opensource.org/licenses/MIT" } };
  doc.tags = [...(doc.tags ?? []), { name: "typed records", description: "One set of paths per collection, with its record, create and update bodies typed." }];
  const schemas: Json = (doc.components.schemas ??= {});
  const parameters: Json = (doc.components.parameters ??= {});
  const typed: Json = {};
  for (const def of services.collections.list()) {
    if (def.system) continue;
    Object.assign(schemas, collectionSchemas(def));
    Object.assign(parameters, collectionParameters(def));
    Object.assign(typed, collectionPaths(def, doc.paths));
  }
  doc.paths = { ...doc.paths, ...typed };
  const used = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths as Json)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      let id = op.operationId ?? operationId(method, path);
      while (used.has(id)) id += "_";
      used.add(id);
      op.operationId = id;
      const known = NOT_JSON.get(`${method} ${path}`);
      if (known && !Object.keys(op.responses ?? {}).some((c) => /^[23]/.test(c))) op.responses = { ...known, ...op.responses };
      const codes = Object.keys(op.responses ?? {});
      if (!codes.some((c) => c.startsWith("4"))) op.responses = { ...op.responses, "4XX": { description: "Refused: the error body names the problem" } };
    }
  }
  return doc;
}

/** Serves the finished document, rebuilt only after a collection change. */
export function registerOpenApiRoute(app: FastifyInstance, services: Services): void {
  let version = -1;
  let doc: Json | undefined;
  const texts = new Map<string, string>();
  const origin = (req: FastifyRequest) => `${req.protocol}://${req.host}`;
  app.get("/openapi.json", { schema: { hide: true } }, async (req, reply) => {
    if (!doc || version !== services.collections.version) {
      version = services.collections.version;
      doc = finishOpenApi(app.swagger() as Json, services);
      texts.clear();
    }
    const at = origin(req);
    let text = texts.get(at);
    if (text === undefined) {
      text = JSON.stringify({ ...doc, servers: [{ url: at, description: "this server" }] });
      if (texts.size >= MAX_ORIGINS) texts.clear();
      texts.set(at, text);
    }
    return reply.type("application/json; charset=utf-8").send(text);
  });
}
