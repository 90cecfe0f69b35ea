/**
 * Fastify's request validators, compiled on a route's first request instead of at start-up (the
 * counterpart of lazy-serializers.ts for bodies, query strings, parameters and headers).
 *
 * Each is compiled by Fastify's own Ajv compiler, with the same shared schemas and options, the
 * first time its route validates that part, then reused: coercion, defaults and the errors a
 * client receives are unchanged. Fastify hands Ajv validators the parent object (so Ajv may
 * replace a coerced root value) when the function has `schemaEnv`: the stand-in has it too and
 * forwards it, and it carries the compiled function's `errors` after each call, where Fastify
 * reads them.
 */
import { createRequire } from "node:module";
import type { FastifyServerOptions } from "fastify";
import { DeferredCompiles } from "./deferred-compiles.ts";

type ValidatorFactory = NonNullable<NonNullable<NonNullable<FastifyServerOptions["schemaController"]>["compilersFactory"]>["buildValidator"]>;
/** What Fastify asks of a validator compiler: a route part's schema in, a validator out. */
type Compile = (route: { schema: unknown; method: string; url: string; httpPart?: string }) => Validate;
type Validate = ((data: unknown, ctx?: unknown) => unknown) & { errors?: unknown; schemaEnv?: unknown };

/** Fastify's default validator compiler, loaded from where Fastify loads it (its dependency). */
function defaultValidatorFactory(): ValidatorFactory {
  const fromFastify = createRequire(createRequire(import.meta.url).resolve("fastify"));
  return (fromFastify("@fastify/ajv-compiler") as () => (externalSchemas: unknown, options: unknown) => Compile)() as unknown as ValidatorFactory;
}

const byServer = new WeakMap<object, LazyValidators>();

/** One server's lazily compiled validators. */
export class LazyValidators extends DeferredCompiles<Validate> {
  readonly #eager = defaultValidatorFactory() as unknown as (externalSchemas: unknown, options: unknown) => Compile;

  /** For `Fastify({ schemaController: { compilersFactory: { buildValidator } } })`. */
  readonly buildValidator = ((externalSchemas: unknown, options: unknown): Compile => {
    const compile = this.#eager(externalSchemas, options);
    return (route) => {
      const validator = this.defer(() => compile(route));
      const standIn: Validate = (data, ctx) => {
        const v = validator();
        const ok = v.schemaEnv ? v(data, ctx) : v(data);
        standIn.errors = v.errors;
        return ok;
      };
      standIn.schemaEnv = true;
      return standIn;
    };
  }) as unknown as ValidatorFactory;

  /** Records the server these validators belong to (for `lazyValidatorsOf`). */
  attach(server: object): void {
    byServer.set(server, this);
  }
}

export function lazyValidatorsOf(server: object): LazyValidators | undefined {
  return byServer.get(server);
}
