/**
 * Fastify's logger (pino) settings: JSON lines on stdout, one object per line, for log
 * collectors — gathered per event-loop turn and written with one system call (batched-stdout.ts);
 * a readable single-line format (pino-pretty, in a worker thread) when stdout is a terminal, for
 * people (a request line reads `[12:00:01.234] INFO: GET /health 200 1.2 ms {"reqId":"…"}`: the
 * message already names method, url, status and duration).
 */
import { BatchedStdout } from "./batched-stdout.ts";

/** One destination for the process's stdout, however many servers it runs (tests run several). */
let stdout: BatchedStdout | undefined;

/** pino options for `level`; `terminal` decides the format (default: whether stdout is a TTY). */
export function loggerOptions(level: string, terminal = process.stdout.isTTY === true): Record<string, unknown> {
  if (!terminal) return { level, stream: (stdout ??= new BatchedStdout(1)) };
  return {
    level,
    transport: { target: "pino-pretty", options: { translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname,method,url,status,ms", singleLine: true } },
  };
}
