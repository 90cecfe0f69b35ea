/**
 * A log destination that gathers the lines written during one turn of the event loop and writes
 * them to a file descriptor with one system call (pino's default writes each line with its own
 * `writeSync`; at thousands of requests per second those calls were most of what a request line
 * cost). Lines are never held longer than the current turn: the batch is written from
 * `setImmediate`, and whatever is pending when the process exits is written synchronously then.
 * A non-blocking descriptor that is full (EAGAIN, a slow reader on a pipe) is retried after a
 * short pause, so lines are not lost.
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
    let data = Buffer.from(this.#pending.join(""));
    this.#pending = [];
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
