/**
 * CORS for every REST route, answered the way Yoga answers it at `/graphql` (which keeps its
 * own handling, configured from the same setting): preflight `OPTIONS` on any path, the
 * request's origin echoed back when it is allowed (`Vary: Origin`), the requested method and
 * headers allowed, and never credentials — bearer tokens and API keys work cross-origin,
 * cookies do not. `CAIRN_CORS_ORIGINS` restricts the origins; a refused origin gets no
 * `Access-Control-Allow-Origin`, so the browser withholds the answer.
 */
import cors from "@fastify/cors";
import type { FastifyInstance } from "fastify";
import type { Config } from "../../config.ts";

/** Whether `config.corsOrigins` lets any origin in. */
export const anyOrigin = (config: Config): boolean => config.corsOrigins.includes("*");

/** Registers CORS on the root instance; call before any route is declared. */
export async function registerCors(app: FastifyInstance, config: Config): Promise<void> {
  await app.register(cors, {
    origin: anyOrigin(config) ? true : [...config.corsOrigins],
    // Every method the REST dialects use (the plugin's default is GET, HEAD and POST only).
    methods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
    credentials: false,
  });
}
