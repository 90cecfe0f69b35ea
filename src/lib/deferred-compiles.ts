/**
 * Compilations put off until first use (lazy-serializers.ts, lazy-validators.ts): each is built
 * the first time it is asked for, then reused; the ones not built yet can be counted, and built
 * all at once (a test does, so a schema that cannot be compiled fails there, not on a route's
 * first request).
 */
export class DeferredCompiles<T> {
  /** compilations not run yet */
  readonly #pending = new Set<() => T>();

  /** A function that runs `compile` on its first call and returns that result from then on. */
  defer(compile: () => T): () => T {
    let built: { value: T } | undefined;
    const build = (): T => {
      if (!built) {
        built = { value: compile() };
        this.#pending.delete(build);
      }
      return built.value;
    };
    this.#pending.add(build);
    return build;
  }

  /** how many are not compiled yet */
  get pending(): number {
    return this.#pending.size;
  }

  /** Compiles every one not compiled yet (throws the first error); returns how many. */
  compileAll(): number {
    const builds = [...this.#pending];
    for (const build of builds) build();
    return builds.length;
  }
}
