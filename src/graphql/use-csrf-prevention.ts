/**
 * CSRF prevention for the requests a browser sends cross-site without a CORS preflight: GET and
 * POST with a "simple" content type (form, multipart, text/plain, none). They must carry a header
 * no cross-site page can set without a preflight, else 403: `x-graphql-csrf`,
 * `x-graphql-yoga-csrf`, `apollo-require-preflight`, `x-apollo-operation-name`, or
 * `authorization` (a bearer token is never attached by the browser on its own, so urql's GET
 * queries with a token pass). JSON POSTs are preflighted by browsers and always pass.
 */
import { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";

export const CSRF_HEADERS = ["x-graphql-csrf", "x-graphql-yoga-csrf", "apollo-require-preflight", "x-apollo-operation-name", "authorization"];
const SIMPLE_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"];

export function useCsrfPrevention(): Plugin {
  return {
    onRequestParse({ request }) {
      const method = request.method.toUpperCase();
      if (method !== "GET" && method !== "POST") return;
      const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
      const simple = method === "GET" || type === "" || SIMPLE_TYPES.includes(type);
      if (!simple || CSRF_HEADERS.some((h) => request.headers.has(h))) return;
      throw new GraphQLError(`This request needs one of the headers ${CSRF_HEADERS.join(", ")} (CSRF prevention), or a JSON POST`, {
        extensions: { code: "FORBIDDEN", http: { status: 403 } },
      });
    },
  };
}
