/**
 * Fastify's response serializers, compiled on a route's first reply instead of at start-up.
 *
 * Fastify compiles a fast-json-stringify function for every response schema of every route when
 * the server becomes ready: over 800 of them here, whose generated source (about 5.5 MB) and
 * closures stay in the heap although a deployment calls few of the routes of the four REST
 * dialects. Each one is now built by Fastify's own compiler, with the same shared schemas and
 * options, the first time its route replies with that status, and then reused: the JSON a client
 * receives is unchanged. A schema that cannot be compiled would fail that route's replies instead
 * of the start-up, so `compileAll` (run by a test over every route) compiles the rest.
 */
import { createRequire } from "node:module";
import type { FastifyServerOptions } from "fastify";
import { DeferredCompiles } from "./deferred-compiles.ts";

type SerializerFactory = NonNullable<NonNullable<NonNullable<FastifyServerOptions["schemaController"]>["compilersFactory"]>["buildSerializer"]>;
type Serialize = ReturnType<ReturnType<SerializerFactory>>;

/**
 * Fastify's default serializer compiler, loaded from where Fastify loads it (it is Fastify's
 * dependency, not ours), so it is the same version and options Fastify would use.
 */
function defaultSerializerFactory(): SerializerFactory {
  const fromFastify = createRequire(createRequire(import.meta.url).resolve("fastify"));
  return (fromFastify("@fastify/fast-json-stringify-compiler") as () => SerializerFactory)();
}

const byServer = new WeakMap<object, LazySerializers>();

/** One server's lazily compiled serializers. */
export class LazySerializers extends DeferredCompiles<Serialize> {
  readonly #eager = defaultSerializerFactory();

  /** For `Fastify({ schemaController: { compilersFactory: { buildSerializer } } })`. */
  readonly buildSerializer: SerializerFactory = (externalSchemas, options) => {
    const compile = this.#eager(externalSchemas, options);
    return (request) => {
      const serializer = this.defer(() => compile(request));
      return (data) => serializer()(data);
    };
  };

  /** Records the server these serializers belong to (for `lazySerializersOf`). */
  attach(server: object): void {
    byServer.set(server, this);
  }
}

export function lazySerializersOf(server: object): LazySerializers | undefined {
  return byServer.get(server);
}
