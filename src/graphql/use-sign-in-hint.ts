/**
 * Anonymous callers see the anonymous schema (their role set's), so a document naming something
 * only signed-in callers have would fail validation (400 "Cannot query field"). When the same
 * document is valid in the full schema, the answer is 401 UNAUTHENTICATED instead (with "token
 * expired"/"session ended" when a token was refused), so clients still learn to sign in or
 * refresh their token. Signed-in callers keep the plain validation error: for them, what their
 * role may not use does not exist.
 */
import { validate } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { Context } from "../core/context.ts";
import { notSignedIn } from "../core/auth/guards.ts";
import { mapGraphqlError } from "./errors.ts";
import type { SchemaManager } from "./schema-manager.ts";
import { principalOf } from "./use-schema-swap.ts";

export function useSignInHint(manager: SchemaManager): Plugin {
  return {
    onValidate({ context, params }) {
      return ({ result, setResult }) => {
        if (result.length === 0 || params.schema === manager.schema) return;
        const principal = principalOf(context);
        if (principal.kind !== "anonymous") return;
        if (validate(manager.schema, params.documentAST).length > 0) return;
        setResult([mapGraphqlError(notSignedIn({ principal } as Context), undefined, undefined)]);
      };
    },
  };
}
