/**
 * A log destination that gathers the lines written during one turn of the event loop and writes
 * them to a file descriptor with one system call (pino's default writes each line with its own
 * `writeSync`; at thousands of requests per second those calls were most of what a request line
 * cost). Lines are never held longer than the current turn: the batch is written from
 * `setImmediate`, and whatever is pending when the process exits is written synchronously then.
 * Each line is encoded into one buffer allocated up front (64 KiB; a turn with more is written
 * as it fills), so a batch allocates nothing: no joined string, no conversion of it when written
 * (an off-heap allocation per batch made the GC's helper thread do about five times the work
 * under request logging). A non-blocking descriptor that is full (EAGAIN, a slow reader on a
 * pipe) takes the rest after a short pause, so lines are not lost.
 */
import { writeSync } from "node:fs";

const BATCH_BYTES = 64 * 1024;
/** UTF-8 takes at most 3 bytes per UTF-16 code unit. */
const MAX_BYTES_PER_UNIT = 3;
const RETRY_PAUSE_MS = 2;
const pause = new Int32Array(new SharedArrayBuffer(4));

export class BatchedStdout {
  readonly #batch = Buffer.allocUnsafeSlow(BATCH_BYTES);
  #length = 0;
  #scheduled = false;

  constructor(private readonly fd = 1) {
    process.once("exit", () => this.flush());
  }

  /** Queues one line (pino passes each line with its newline). */
  write(line: string): boolean {
    const most = line.length * MAX_BYTES_PER_UNIT;
    if (this.#length + most > BATCH_BYTES) {
      this.flush();
      if (most > BATCH_BYTES) {
        this.#writeAll(Buffer.from(line));
        return true;
      }
    }
    this.#length += this.#batch.write(line, this.#length);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.flush());
    }
    return true;
  }

  /** Writes everything queued, now. */
  flush(): void {
    this.#scheduled = false;
    if (this.#length === 0) return;
    const length = this.#length;
    this.#length = 0;
    this.#writeAll(this.#batch.subarray(0, length));
  }

  #writeAll(data: Buffer): void {
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
