/**
 * Turns schema introspection off when configured (CAIRN_GRAPHQL_INTROSPECTION=false): the
 * validation rule rejects `__schema` and `__type` (`__typename` stays allowed).
 */
import { NoSchemaIntrospectionCustomRule } from "graphql";
import type { Plugin } from "graphql-yoga";

export function useIntrospectionControl(enabled: boolean): Plugin {
  if (enabled) return {};
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
}
