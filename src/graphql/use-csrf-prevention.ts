/**
 * CSRF prevention for the requests a browser sends cross-site without a CORS preflight. Such a
 * request is only dangerous when the browser attaches credentials on its own, and the only one
 * Cairn accepts is the `access_token` cookie. So:
 * - a GET query that authenticates by that cookie must carry a header no cross-site page can set
 *   without a preflight — `x-graphql-csrf`, `x-graphql-yoga-csrf`, `apollo-require-preflight`,
 *   `x-apollo-operation-name`, `authorization` or `x-api-key` — else 403. Anonymous and bearer-token GET
 *   queries pass (urql's and Apollo's persisted-query default: queries as GET). Mutations over
 *   GET are refused by Yoga (405) whatever the headers.
 * - a POST with a "simple" content type (form, multipart, text/plain, none) always needs one of
 *   those headers: it may be a mutation, and a form post is the classic CSRF vector.
 * JSON POSTs are preflighted by browsers and always pass.
 */
import { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";
import { cookieToken } from "../core/auth/caller.ts";

export const CSRF_HEADERS = ["x-graphql-csrf", "x-graphql-yoga-csrf", "apollo-require-preflight", "x-apollo-operation-name", "authorization", "x-api-key"];
const SIMPLE_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"];

export function useCsrfPrevention(): Plugin {
  return {
    onRequestParse({ request }) {
      const method = request.method.toUpperCase();
      if (method !== "GET" && method !== "POST") return;
      const headers = request.headers;
      if (CSRF_HEADERS.some((h) => headers.has(h))) return;
      if (method === "GET") {
        if (!cookieToken({ cookie: headers.get("cookie") ?? undefined })) return;
      } else {
        const type = (headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
        if (type !== "" && !SIMPLE_TYPES.includes(type)) return;
      }
      throw new GraphQLError(`This request needs one of the headers ${CSRF_HEADERS.join(", ")} (CSRF prevention), or a JSON POST`, {
        extensions: { code: "FORBIDDEN", http: { status: 403 } },
      });
    },
  };
}
