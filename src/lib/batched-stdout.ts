/**
 * A log destination that gathers the lines written during one turn of the event loop and writes
 * them to a file descriptor with one system call (pino's default writes each line with its own
 * `writeSync`; at thousands of requests per second those calls were most of what a request line
 * cost). Lines are never held longer than the current turn: the batch is written from
 * `setImmediate`, and whatever is pending when the process exits is written synchronously then.
 * The batch is written as a string, so no Buffer is allocated for it (an off-heap allocation per
 * batch made the GC's helper thread do about five times the work under request logging). A
 * non-blocking descriptor that is full (EAGAIN, a slow reader on a pipe) takes the rest as bytes,
 * retried after a short pause, so lines are not lost.
 */
import { writeSync } from "node:fs";

const RETRY_PAUSE_MS = 2;
const pause = new Int32Array(new SharedArrayBuffer(4));

export class BatchedStdout {
  #pending: string[] = [];
  #scheduled = false;

  constructor(private readonly fd = 1) {
    process.once("exit", () => this.flush());
  }

  /** Queues one line (pino passes each line with its newline). */
  write(line: string): boolean {
    this.#pending.push(line);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.flush());
    }
    return true;
  }

  /** Writes everything queued, now. */
  flush(): void {
    this.#scheduled = false;
    if (this.#pending.length === 0) return;
    const text = this.#pending.join("");
    this.#pending = [];
    let data: Buffer;
    try {
      // A string is written without a Buffer of its own (no off-heap allocation for the GC to
      // account for); a partial write, or a full descriptor, falls back to the byte loop below.
      const written = writeSync(this.fd, text);
      if (written === Buffer.byteLength(text)) return;
      data = Buffer.from(text).subarray(written);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
      data = Buffer.from(text);
    }
    while (data.length > 0) {
      try {
        data = data.subarray(writeSync(this.fd, data));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
        Atomics.wait(pause, 0, 0, RETRY_PAUSE_MS);
      }
    }
  }
}
