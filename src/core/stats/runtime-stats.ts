/**
 * Live counters of this instance, fed by the transports and read by the stats operation and the
 * Prometheus endpoint: requests answered in the last minute (a 60-slot ring of per-second
 * counts, so recording a request is two array writes) and a probe of the realtime transports
 * (websocket connections, SSE streams, subscriptions) that the GraphQL transport installs.
 */

/** What the realtime transports report about their open connections. */
export interface RealtimeCounts {
  /** open graphql-ws sockets */
  websocketConnections: number;
  /** open sockets of signed-in callers */
  authenticatedConnections: number;
  /** distinct users with an open socket */
  uniqueUsers: number;
  /** GraphQL subscriptions answered as server-sent events (open HTTP streams) */
  sseStreams: number;
  /** open subscriptions (websocket and SSE) */
  subscriptions: number;
  /** collections subscribed to, by subscription id */
  subscriptionsById: Record<string, string[]>;
}

const NO_REALTIME: RealtimeCounts = Object.freeze({ websocketConnections: 0, authenticatedConnections: 0, uniqueUsers: 0, sseStreams: 0, subscriptions: 0, subscriptionsById: {} });

const WINDOW_SECONDS = 60;

export class RuntimeStats {
  readonly startedAt: Date;
  readonly #counts = new Array<number>(WINDOW_SECONDS).fill(0);
  /** the epoch second each slot counts */
  readonly #seconds = new Array<number>(WINDOW_SECONDS).fill(0);
  #total = 0;
  #realtime: () => RealtimeCounts = () => NO_REALTIME;

  constructor(private readonly now: () => Date = () => new Date()) {
    this.startedAt = now();
  }

  /** Counts one answered request. */
  requestDone(): void {
    const second = Math.floor(this.now().getTime() / 1000);
    const slot = second % WINDOW_SECONDS;
    if (this.#seconds[slot] !== second) {
      this.#seconds[slot] = second;
      this.#counts[slot] = 0;
    }
    this.#counts[slot]!++;
    this.#total++;
  }

  /** Requests answered in the last 60 seconds. */
  requestsPerMinute(): number {
    const now = Math.floor(this.now().getTime() / 1000);
    let n = 0;
    for (let i = 0; i < WINDOW_SECONDS; i++) if (now - this.#seconds[i]! < WINDOW_SECONDS) n += this.#counts[i]!;
    return n;
  }

  /** Requests answered since start. */
  get requestsTotal(): number {
    return this.#total;
  }

  /** Seconds since the instance started. */
  uptimeSeconds(): number {
    return Math.max(0, Math.round((this.now().getTime() - this.startedAt.getTime()) / 1000));
  }

  /** Installs the realtime probe (the GraphQL transport); returns a function removing it. */
  setRealtimeProbe(probe: () => RealtimeCounts): () => void {
    this.#realtime = probe;
    return () => {
      if (this.#realtime === probe) this.#realtime = () => NO_REALTIME;
    };
  }

  realtime(): RealtimeCounts {
    return this.#realtime();
  }
}
