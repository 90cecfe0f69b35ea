/**
 * Limits on what a GraphQL request may make the server do before any of it runs, on every
 * transport (Yoga over HTTP, the JSON fast lane and graphql-ws all parse and execute through
 * envelop): the document's length is checked before parsing and its token count while parsing
 * (graphql-js `maxTokens`), so a megabyte of selections costs microseconds instead of holding the
 * event loop; variable values nested deeper than a recursive coercion can take are refused
 * before execution. All answer 400 `BAD_USER_INPUT` over HTTP.
 */
import { GraphQLError, parse, type Source } from "graphql";
import type { Plugin } from "graphql-yoga";
import { deeperThan } from "../lib/json-depth.ts";

/** Request limits (documented in README "GraphQL → Hardening"). */
export const INPUT_LIMITS = {
  /** characters of the document text */
  maxDocumentLength: 50_000,
  /** lexical tokens of the document */
  maxTokens: 5_000,
  /** nesting of `{`, `[` and `(` in the document (selections, arguments, input values) */
  maxNesting: 128,
  /** nesting of one variable's value (a JSON field value may nest 64 levels) */
  maxVariableDepth: 128,
} as const;

/** A client-input error answered with HTTP 400 whatever the `Accept` header. */
export function limitError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT", http: { status: 400, spec: false } } });
}

/**
 * True when brackets in a GraphQL document nest deeper than `max` (strings and comments skipped).
 * graphql-js parses and validates recursively: a few thousand levels, well within the token
 * limit, would overflow the stack.
 */
export function nestedDeeperThan(source: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 0x23 /* # */) {
      while (i < source.length && source[i] !== "\n" && source[i] !== "\r") i++;
    } else if (c === 0x22 /* " */) {
      if (source.startsWith('"""', i)) {
        i += 3;
        while (i < source.length && !(source.startsWith('"""', i) && source[i - 1] !== "\\")) i++;
        i += 2;
      } else {
        for (i++; i < source.length && source[i] !== '"' && source[i] !== "\n"; i++) if (source[i] === "\\") i++;
      }
    } else if (c === 0x7b || c === 0x5b || c === 0x28) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d || c === 0x29) depth--;
  }
  return false;
}

function variablesProblem(variables: unknown): GraphQLError | undefined {
  if (variables === null || typeof variables !== "object") return undefined;
  for (const [name, value] of Object.entries(variables)) {
    if (deeperThan(value, INPUT_LIMITS.maxVariableDepth)) return limitError(`Variable "$${name}" is nested more than ${INPUT_LIMITS.maxVariableDepth} levels deep`);
  }
  return undefined;
}

/** The envelop plugin; place it before the parser cache so refused documents are never cached. */
export function useInputLimits(): Plugin {
  const limitedParse = (source: string | Source, options?: Parameters<typeof parse>[1]) => {
    try {
      return parse(source, { ...options, maxTokens: INPUT_LIMITS.maxTokens });
    } catch (e) {
      // graphql-js reports the token limit as a syntax error: answer it as the limit it is.
      if (e instanceof GraphQLError && /more th\w+ \d+ tokens/.test(e.message)) throw limitError(`The GraphQL document has more than ${INPUT_LIMITS.maxTokens} tokens`);
      throw e;
    }
  };
  return {
    onParse({ params, setParseFn }) {
      const length = typeof params.source === "string" ? params.source.length : params.source.body.length;
      if (length > INPUT_LIMITS.maxDocumentLength) throw limitError(`The GraphQL document has ${length} characters; at most ${INPUT_LIMITS.maxDocumentLength} are allowed`);
      const text = typeof params.source === "string" ? params.source : params.source.body;
      if (nestedDeeperThan(text, INPUT_LIMITS.maxNesting)) throw limitError(`The GraphQL document nests more than ${INPUT_LIMITS.maxNesting} levels of braces, brackets or parentheses`);
      setParseFn(limitedParse);
    },
    onExecute({ args, setResultAndStopExecution }) {
      const problem = variablesProblem(args.variableValues);
      if (problem) setResultAndStopExecution({ errors: [problem] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const problem = variablesProblem(args.variableValues);
      if (problem) setResultAndStopExecution({ errors: [problem] });
    },
  };
}
