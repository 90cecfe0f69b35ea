/**
 * REST requests that name a collection by its old name (a rename's grace period runs, see
 * core/collections/renames.ts) are served as usual — the registry resolves the old name — and
 * answered with `Deprecation` (RFC 9745: when the name was deprecated, `@<unix seconds>`),
 * `Sunset` (RFC 8594: when it stops working, an HTTP date) and a `Link` to the current name's
 * documentation relation (`rel="successor-version"`, the path with the new name).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Services } from "../../core/context.ts";

/** Path parameters that hold a collection name in some dialect. */
const COLLECTION_PARAMS = ["collection", "model", "name", "type", "idOrName"] as const;

const safeDecode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** Adds the hook to `app` (call before the routes are declared). */
export function registerRenamedCollections(app: FastifyInstance, services: Services): void {
  // A callback hook: it never waits, and an async one costs every request a promise.
  app.addHook("onRequest", (req, reply, done) => {
    markRenamed(services, req, reply);
    done();
  });
}

function markRenamed(services: Services, req: FastifyRequest, reply: FastifyReply): void {
  const params = req.params as Record<string, unknown> | undefined;
  if (!params) return;
  for (const key of COLLECTION_PARAMS) {
    const value = params[key];
    if (typeof value !== "string") continue;
    const hit = services.collections.renamedFrom(value);
    if (!hit) continue;
    const { rename, def } = hit;
    reply.header("deprecation", `@${Math.floor(Date.parse(rename.at) / 1000)}`);
    reply.header("sunset", new Date(rename.until).toUTCString());
    const path = req.url
      .split("?")[0]!
      .split("/")
      .map((s) => (safeDecode(s) === value ? encodeURIComponent(def.name) : s))
      .join("/");
    reply.header("link", `<${path}>; rel="successor-version"`);
    return;
  }
}
