/**
 * A push-based async iterator for one subscriber: the hub pushes values, GraphQL pulls them.
 * `return()` (client unsubscribed) runs the cleanup once; a queue that grows past `limit`
 * (a subscriber that does not keep up) ends with an error instead of growing without bound.
 */
export class PushQueue<T> implements AsyncIterableIterator<T> {
  readonly #values: T[] = [];
  readonly #waiting: ((r: IteratorResult<T>) => void)[] = [];
  #done = false;
  #onClose: (() => void) | undefined;

  constructor(
    onClose: () => void,
    private readonly limit = 1000,
    private readonly overflow: () => T | undefined = () => undefined,
  ) {
    this.#onClose = onClose;
  }

  get done(): boolean {
    return this.#done;
  }

  /** Delivers a value (dropped once the queue has ended). */
  push(value: T): void {
    if (this.#done) return;
    const w = this.#waiting.shift();
    if (w) return w({ value, done: false });
    if (this.#values.length >= this.limit) {
      const last = this.overflow();
      this.#values.length = 0;
      if (last !== undefined) this.#values.push(last);
      this.end();
      return;
    }
    this.#values.push(value);
  }

  /** Ends the stream after the values already queued (optionally with one last value). */
  end(last?: T): void {
    if (this.#done) return;
    if (last !== undefined) this.push(last);
    this.#done = true;
    this.#close();
    if (this.#values.length === 0) for (const w of this.#waiting.splice(0)) w({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<T>> {
    const v = this.#values.shift();
    if (v !== undefined) return Promise.resolve({ value: v, done: false });
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.#values.length = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(e?: unknown): Promise<IteratorResult<T>> {
    this.return();
    return Promise.reject(e);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #close(): void {
    const fn = this.#onClose;
    this.#onClose = undefined;
    fn?.();
  }
}
