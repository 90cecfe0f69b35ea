/**
 * A real webhook receiver for tests: an HTTP server on 127.0.0.1 that records every request
 * (headers and the exact body) and answers as told — a fixed status, a list of statuses for the
 * next requests, a redirect, or no answer at all (`hang`). `stop()` closes it (connections are
 * refused), `start()` listens again on the same port.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { eventually } from "./app.ts";

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
  at: number;
}

export interface Receiver {
  /** base URL, e.g. http://127.0.0.1:40123 */
  readonly url: string;
  readonly received: Received[];
  /** answers for the next requests, in order (then `status`) */
  script: number[];
  status: number;
  /** leave requests unanswered (until stop) */
  hang: boolean;
  /** answer 302 to this location */
  redirectTo: string | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** waits until `n` requests arrived (or `pred` holds) */
  waitFor(n: number, timeoutMs?: number): Promise<Received[]>;
}

export async function startReceiver(): Promise<Receiver> {
  let server: Server | undefined;
  let port = 0;
  const open = new Set<ServerResponse>();
  const r: Receiver = {
    url: "",
    received: [],
    script: [],
    status: 200,
    hang: false,
    redirectTo: undefined,
    async start() {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
          const body = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = JSON.parse(body);
          } catch {
            json = undefined;
          }
          r.received.push({ headers: req.headers, body, json, at: Date.now() });
          if (r.hang) {
            open.add(res);
            return;
          }
          if (r.redirectTo) {
            res.writeHead(302, { location: r.redirectTo }).end();
            return;
          }
          const status = r.script.length ? r.script.shift()! : r.status;
          res.writeHead(status, { "content-type": "text/plain" }).end(status >= 500 ? "receiver failed" : "ok");
        });
      });
      await new Promise<void>((resolve) => server!.listen(port, "127.0.0.1", resolve));
      port = (server.address() as AddressInfo).port;
      (r as { url: string }).url = `http://127.0.0.1:${port}`;
    },
    async stop() {
      if (!server) return;
      for (const res of open) res.destroy();
      open.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
      server = undefined;
    },
    async waitFor(n, timeoutMs = 15_000) {
      await eventually(async () => r.received.length >= n, timeoutMs, `${n} webhook requests (got ${r.received.length})`);
      return r.received;
    },
  };
  await r.start();
  return r;
}
