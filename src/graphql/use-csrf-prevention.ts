/**
 * CSRF prevention for the requests a browser sends cross-site without a CORS preflight: GET and
 * POST with a "simple" content type (form, multipart, text/plain). They must carry a header no
 * cross-site form can set (`x-graphql-csrf`, `x-graphql-yoga-csrf`, `apollo-require-preflight`,
 * or `x-apollo-operation-name`), else 403. JSON POSTs are preflighted by browsers and pass.
 */
import { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";

const HEADERS = ["x-graphql-csrf", "x-graphql-yoga-csrf", "apollo-require-preflight", "x-apollo-operation-name"];
const SIMPLE_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"];

export function useCsrfPrevention(): Plugin {
  return {
    onRequestParse({ request }) {
      const method = request.method.toUpperCase();
      if (method !== "GET" && method !== "POST") return;
      const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
      const simple = method === "GET" || type === "" || SIMPLE_TYPES.includes(type);
      if (!simple || HEADERS.some((h) => request.headers.has(h))) return;
      throw new GraphQLError(`This request needs one of the headers ${HEADERS.join(", ")} (CSRF prevention), or a JSON POST`, {
        extensions: { code: "FORBIDDEN", http: { status: 403 } },
      });
    },
  };
}
