/**
 * Refuses U+0000 in a GraphQL operation's strings — variables (values and object keys) and
 * string literals in the document — before any resolver runs, with BAD_USER_INPUT and HTTP 400.
 * PostgreSQL cannot store NUL in text or jsonb (SQLite can), so both databases get the same
 * answer. An envelop plugin, so it covers GraphQL over HTTP, the JSON fast lane and graphql-ws
 * alike. Documents are checked once each (the parser cache hands back the same document).
 */
import { GraphQLError, Kind, visit, type DocumentNode } from "graphql";
import type { Plugin } from "graphql-yoga";
import { findNul } from "../lib/find-nul.ts";

const PROBLEM = "must not contain NUL (\\u0000) characters";
const literalNul = new WeakMap<DocumentNode, boolean>();

function documentHasNul(document: DocumentNode): boolean {
  let found = literalNul.get(document);
  if (found === undefined) {
    found = false;
    visit(document, {
      [Kind.STRING]: (node) => {
        if (node.value.includes("\u0000")) found = true;
      },
    });
    literalNul.set(document, found);
  }
  return found;
}

function problem(document: DocumentNode, variables: unknown): GraphQLError | undefined {
  const variable = findNul(variables, "");
  const message = variable !== undefined ? `Variable '$${variable}' ${PROBLEM}` : documentHasNul(document) ? `String values ${PROBLEM}` : undefined;
  return message ? new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT", http: { status: 400 } } }) : undefined;
}

/** The plugin (see the module comment). */
export function useRefuseNul(): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = problem(args.document, args.variableValues);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = problem(args.document, args.variableValues);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
