/**
 * The fan-out's subscribers, in a process of their own (so the bench's load generator and
 * bookkeeping do not delay them, and they do not share the server's event loop): FANOUT_COUNT
 * graphql-ws clients subscribe to `postCreated` for titles starting with FANOUT_MARKER, and
 * report to the parent over IPC:
 *
 *   → { type: "connected", n }                 every client's socket is acknowledged
 *   → { type: "probed", n }                    distinct clients that received a probe post so far
 *   → { type: "probed-all" }                   every client did
 *   ← { type: "ping", t } → { type: "pong", t, now }   clock check (both sides: timeOrigin + now)
 *   ← { type: "arm", round }                   the next post to time is the one titled …-go-<round>
 *   → { type: "received", round, times, loopDelayP99Ms, loopDelayMaxMs, cpuMs }
 *        once every client received that post (or on { type: "report" }): each client's receipt
 *        time (wall clock, ms), this process's event-loop delay and CPU time while receiving
 *
 * Run by bench/fanout.ts: FANOUT_URL=ws://…/graphql FANOUT_TOKEN=… FANOUT_COUNT=1000 FANOUT_MARKER=…
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

const url = process.env.FANOUT_URL!;
const token = process.env.FANOUT_TOKEN!;
const count = Number(process.env.FANOUT_COUNT);
const marker = process.env.FANOUT_MARKER!;
const send = (m: unknown) => process.send?.(m);
const now = () => performance.timeOrigin + performance.now();

const clients: Client[] = [];
const probed = new Set<number>();
const received = new Map<number, number>();
let connected = 0;
let reported = true;
let round = -1;
const loop = monitorEventLoopDelay({ resolution: 1 });
let cpuAtGo: NodeJS.CpuUsage | undefined;

const report = () => {
  if (reported) return;
  reported = true;
  loop.disable();
  const cpu = cpuAtGo ? process.cpuUsage(cpuAtGo) : undefined;
  send({ type: "received", round, times: [...received.values()], loopDelayP99Ms: loop.percentile(99) / 1e6, loopDelayMaxMs: loop.max / 1e6, cpuMs: cpu ? (cpu.user + cpu.system) / 1000 : undefined });
};

// the bench ended (or was interrupted): close with it rather than hold 1,000 sockets open
process.on("disconnect", () => process.exit(0));
process.on("message", (m: { type: string; t?: number; round?: number }) => {
  if (m.type === "ping") send({ type: "pong", t: m.t, now: now() });
  else if (m.type === "arm") {
    round = m.round ?? 0;
    received.clear();
    reported = false;
    loop.reset();
    loop.enable();
    cpuAtGo = process.cpuUsage();
  } else if (m.type === "report") report();
  else if (m.type === "stop") void Promise.all(clients.map((c) => c.dispose())).finally(() => process.exit(0));
});

for (let i = 0; i < count; i++) {
  const client = createClient({ url, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, lazy: false, retryAttempts: 0 });
  clients.push(client);
  client.on("connected", () => {
    if (++connected === count) send({ type: "connected", n: connected });
    client.subscribe(
      { query: `subscription($w: PostWhere) { postCreated(where: $w) { id title } }`, variables: { w: { title: { startsWith: marker } } } },
      {
        next: (r: any) => {
          const title: string = r.data?.postCreated?.title ?? "";
          if (/-go-\d+$/.test(title)) {
            if (title.endsWith(`-go-${round}`) && !received.has(i)) received.set(i, now());
            if (received.size === count) report();
          } else if (!probed.has(i)) {
            probed.add(i);
            send({ type: "probed", n: probed.size });
            if (probed.size === count) send({ type: "probed-all" });
          }
        },
        error: (e) => send({ type: "error", message: String((e as Error)?.message ?? e) }),
        complete: () => {},
      },
    );
  });
  // connect in batches so the handshake burst stays within the server's backlog
  if (i % 100 === 99) await new Promise((r) => setTimeout(r, 20));
}
