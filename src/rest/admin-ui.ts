/**
 * The admin UI at `/_/`: the static files `scripts/build-admin.ts` wrote to dist/admin, served
 * as they are — hashed assets cached for a year, the page itself revalidated every time, and the
 * brotli or gzip copy the build made when the browser accepts it (nothing is compressed per
 * request). A browser opening `/` is sent to `/_/`; API clients asking for JSON still get the 404.
 * When the UI was never built (a checkout run with `tsx` before `npm install` finished), `/_/`
 * answers 503 saying how to build it.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { errorBody } from "./errors.ts";

const ROOT = fileURLToPath(new URL("../../dist/admin/", import.meta.url));

// The page loads only its own files and talks only to this server (REST, GraphQL, websockets).
const CSP = [
  "default-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self' ws: wss:",
  "style-src 'self'",
  "script-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join("; ");

function wantsHtml(req: FastifyRequest): boolean {
  const accept = req.headers.accept ?? "";
  return accept.includes("text/html");
}

export async function registerAdminUi(app: FastifyInstance): Promise<void> {
  app.get("/", { schema: { hide: true } }, (req: FastifyRequest, reply: FastifyReply) => {
    if (wantsHtml(req)) return reply.redirect("/_/", 302);
    return reply.status(404).send(errorBody(404, "Route GET / not found. The API is under /api/v1, GraphQL at /graphql, the admin UI at /_/."));
  });
  if (!existsSync(`${ROOT}index.html`)) {
    const notBuilt = (_req: FastifyRequest, reply: FastifyReply) =>
      reply
        .status(503)
        .header("retry-after", "30")
        .send(errorBody(503, "The admin UI is not built: run `npm run build` (or `npm start`, which builds it) and reload.", null, "ADMIN_UI_NOT_BUILT"));
    app.get("/_", { schema: { hide: true } }, notBuilt);
    app.get("/_/*", { schema: { hide: true } }, notBuilt);
    return;
  }
  // The page itself (a few hundred bytes, read once); the static plugin serves assets/.
  const page = { identity: readFileSync(`${ROOT}index.html`), br: readFileSync(`${ROOT}index.html.br`), gzip: readFileSync(`${ROOT}index.html.gz`) };
  await app.register(async (ui) => {
    ui.addHook("onSend", async (_req, reply, payload) => {
      reply.header("content-security-policy", CSP).header("x-content-type-options", "nosniff").header("referrer-policy", "same-origin").header("x-frame-options", "DENY");
      return payload;
    });
    // The server ignores trailing slashes, so this route answers `/_` too: send that to `/_/`, where
    // the page's relative asset paths resolve.
    ui.get("/_/", { schema: { hide: true } }, (req, reply) => {
      if (!req.url.split("?")[0]!.endsWith("/")) return reply.redirect("/_/", 301);
      const accepted = String(req.headers["accept-encoding"] ?? "");
      const encoding = /\bbr\b/.test(accepted) ? "br" : /\bgzip\b/.test(accepted) ? "gzip" : "identity";
      reply.header("content-type", "text/html; charset=utf-8").header("cache-control", "no-cache").header("vary", "accept-encoding");
      if (encoding !== "identity") reply.header("content-encoding", encoding);
      return reply.send(page[encoding]);
    });
    await ui.register(fastifyStatic, {
      root: `${ROOT}assets/`,
      prefix: "/_/assets/",
      preCompressed: true,
      cacheControl: false,
      decorateReply: false,
      index: false,
      setHeaders(reply) {
        reply.header("cache-control", "public, max-age=31536000, immutable");
      },
      schemaHide: true,
    });
  });
}
