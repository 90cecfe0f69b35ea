/**
 * CPU profiles of a child process taken over the inspector protocol (the child runs with
 * `--inspect=127.0.0.1:<port>`), so each scenario gets its own profile without restarting the
 * server, and a summary of where the time went: self time by function and by area (package or
 * source folder), and inclusive time of the functions that matter on the record hot path.
 */
import WebSocket from "ws";

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export class InspectorSession {
  #ws: WebSocket;
  #next = 1;
  #pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on("message", (data) => {
      const msg = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
      if (msg.id === undefined) return;
      const p = this.#pending.get(msg.id);
      if (!p) return;
      this.#pending.delete(msg.id);
      if (msg.error) p.reject(new Error(msg.error.message));
      else p.resolve(msg.result);
    });
  }

  static async connect(inspectPort: number): Promise<InspectorSession> {
    const targets = (await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
    const wsUrl = targets[0]?.webSocketDebuggerUrl;
    if (!wsUrl) throw new Error("no inspector target");
    const ws = new WebSocket(wsUrl);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    return new InspectorSession(ws);
  }

  send<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#ws.send(JSON.stringify({ id, method, params }));
    });
  }

  async start(intervalMicros = 200): Promise<void> {
    await this.send("Profiler.enable");
    await this.send("Profiler.setSamplingInterval", { interval: intervalMicros });
    await this.send("Profiler.start");
  }

  async stop(): Promise<CpuProfile> {
    const { profile } = await this.send<{ profile: CpuProfile }>("Profiler.stop");
    return profile;
  }

  close(): void {
    this.#ws.close();
  }
}

/** Groups a frame into an area: `fastify`, `kysely`, `src/core/records`, `node:internal`… */
export function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) {
    const all = [...url.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)];
    return all[all.length - 1]![1]!;
  }
  const src = /\/(src|bench)\/(.*)\/[^/]+$/.exec(url);
  if (src) return `${src[1]}/${src[2]}`;
  const srcFile = /\/(src|bench)\/([^/]+)$/.exec(url);
  if (srcFile) return `${srcFile[1]}/${srcFile[2]}`;
  if (url.startsWith("node:")) return url.startsWith("node:internal") ? "node:internal" : url;
  return url;
}

const short = (url: string) =>
  url
    .replace(/^file:\/\//, "")
    .replace(/^.*\/node_modules\//, "~/")
    .replace(/^.*\/(src|bench)\//, "$1/");

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  self: { name: string; ms: number; pct: number }[];
  areas: { area: string; ms: number; pct: number }[];
  inclusive: { name: string; ms: number; pct: number }[];
  focus: { name: string; ms: number; pct: number }[];
}

/** A piece of the hot path: frames whose function name equals `fn` and/or whose URL contains `url`. */
export interface Focus {
  label: string;
  fn?: string;
  url?: string;
}

/** Where a record request can spend its time (inclusive; nested matches counted once). */
export const HOT_PATH: Focus[] = [
  { label: "auth: TokenService.verifyAccess", fn: "verifyAccess" },
  { label: "auth: jose (all frames)", url: "node_modules/jose/" },
  { label: "auth: WebCrypto importKey (per request)", fn: "importKey" },
  { label: "auth: WebCrypto HMAC verify", fn: "hmacSignVerify" },
  { label: "fastify: request body JSON parse", fn: "defaultJsonParser" },
  { label: "fastify: response serialization", fn: "serialize", url: "fastify/lib/" },
  { label: "fastify: onRequest context hook", url: "src/rest/context." },
  { label: "socket write (writev)", fn: "writev" },
  { label: "core: getRecord", fn: "getRecord" },
  { label: "core: listRecords", fn: "listRecords" },
  { label: "core: createRecord", fn: "createRecord" },
  { label: "core: prepareInput (validation)", fn: "prepareInput" },
  { label: "core: checkReferences", fn: "checkReferences" },
  { label: "core: filter checkExpr + toSql", fn: "toSql" },
  { label: "core: filter parse", fn: "parseExpression" },
  { label: "core: insertRecord", fn: "insertRecord" },
  { label: "core: emitEvents (outbox insert)", fn: "emitEvents" },
  { label: "core: renderRecord (REST shape)", fn: "renderRecord" },
  { label: "kysely: query building + compile", url: "node_modules/kysely/" },
  { label: "db: SqliteDb.transaction (lock, BEGIN…COMMIT)", fn: "transaction", url: "src/db/sqlite." },
  { label: "db: exec BEGIN IMMEDIATE / COMMIT", fn: "exec", url: "better-sqlite3" },
  { label: "db: async-mutex", url: "node_modules/async-mutex/" },
  { label: "db: statement cache lookup", fn: "get", url: "src/db/sqlite." },
  { label: "db: bind parameters", fn: "bindable" },
  { label: "db: SqliteDb.query (read connection)", fn: "query", url: "src/db/sqlite." },
  { label: "db: SqliteDb.executeOnWriter", fn: "executeOnWriter", url: "src/db/sqlite." },
  { label: "floor: better-sqlite3 transaction (BEGIN, INSERT, COMMIT)", fn: "sqliteTransaction" },
  { label: "uuid v7", url: "node_modules/uuid/" },
  { label: "pino logger", url: "node_modules/pino" },
  { label: "garbage collector", fn: "(garbage collector)" },
];

/** Self time by function and area, inclusive time by function (recursion counted once). */
export function summarize(profile: CpuProfile, top = 30, focus: Focus[] = []): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) selfUs.set(profile.samples[i]!, (selfUs.get(profile.samples[i]!) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const key = (n: CpuProfileNode) => `${n.callFrame.functionName || "(anonymous)"} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
  const selfByFn = new Map<string, number>();
  const byArea = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    total += us;
    if (n.callFrame.functionName === "(idle)") idle += us;
    selfByFn.set(key(n), (selfByFn.get(key(n)) ?? 0) + us);
    const area = areaOf(n.callFrame.url, n.callFrame.functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
  }
  // inclusive time: subtree totals, each function counted once per stack
  const subtree = new Map<number, number>();
  const sizeOf = (id: number): number => {
    const cached = subtree.get(id);
    if (cached !== undefined) return cached;
    const n = byId.get(id)!;
    let s = selfUs.get(id) ?? 0;
    for (const c of n.children ?? []) s += sizeOf(c);
    subtree.set(id, s);
    return s;
  };
  const incl = new Map<string, number>();
  const root = profile.nodes[0]!;
  const walk = (id: number, onStack: Set<string>) => {
    const n = byId.get(id)!;
    const k = key(n);
    const fresh = !onStack.has(k);
    if (fresh) {
      incl.set(k, (incl.get(k) ?? 0) + sizeOf(id));
      onStack.add(k);
    }
    for (const c of n.children ?? []) walk(c, onStack);
    if (fresh) onStack.delete(k);
  };
  walk(root.id, new Set());
  const busy = total - idle || 1;
  // focus: outermost matching frames only
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const matches = (f: Focus, n: CpuProfileNode) =>
    (f.fn === undefined || n.callFrame.functionName === f.fn) && (f.url === undefined || (f.url === "" ? n.callFrame.url === "" : n.callFrame.url.includes(f.url)));
  const focusRows = focus.map((f) => {
    let us = 0;
    for (const n of profile.nodes) {
      if (!matches(f, n)) continue;
      let a = parent.get(n.id);
      let nested = false;
      while (a !== undefined && !nested) {
        nested = matches(f, byId.get(a)!);
        a = parent.get(a);
      }
      if (!nested) us += sizeOf(n.id);
    }
    return { name: f.label, ms: Math.round(us / 100) / 10, pct: Math.round((us / busy) * 1000) / 10 };
  });
  const rows = <K extends string>(m: Map<string, number>, label: K, skip: (k: string) => boolean = () => false) =>
    [...m]
      .filter(([k]) => !skip(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => ({ [label]: k, ms: Math.round(us / 100) / 10, pct: Math.round((us / busy) * 1000) / 10 }) as { [P in K]: string } & { ms: number; pct: number });
  const notIdle = (k: string) => k.startsWith("(idle)") || k.startsWith("(root)") || k.startsWith("(program)");
  return {
    totalMs: Math.round(total / 1000),
    idleMs: Math.round(idle / 1000),
    self: rows(selfByFn, "name", (k) => k.startsWith("(idle)")),
    areas: rows(byArea, "area", (k) => k === "(idle)"),
    inclusive: rows(incl, "name", notIdle).slice(0, top),
    focus: focusRows,
  };
}

/** Plain-text rendering of a summary (percentages are of non-idle time). */
export function formatSummary(title: string, s: ProfileSummary): string {
  const lines = [`== ${title}: ${s.totalMs} ms sampled, ${s.idleMs} ms idle; % of busy time`];
  if (s.focus.length) {
    lines.push("-- hot path pieces (inclusive; pieces overlap)");
    for (const f of s.focus) if (f.ms > 0) lines.push(`${f.pct.toFixed(1).padStart(6)}%  ${f.ms.toFixed(1).padStart(8)} ms  ${f.name}`);
  }
  lines.push("-- self time by area");
  for (const a of s.areas) lines.push(`${a.pct.toFixed(1).padStart(6)}%  ${a.ms.toFixed(1).padStart(8)} ms  ${a.area}`);
  lines.push("-- self time by function");
  for (const f of s.self) lines.push(`${f.pct.toFixed(1).padStart(6)}%  ${f.ms.toFixed(1).padStart(8)} ms  ${f.name}`);
  lines.push("-- inclusive time by function");
  for (const f of s.inclusive) lines.push(`${f.pct.toFixed(1).padStart(6)}%  ${f.ms.toFixed(1).padStart(8)} ms  ${f.name}`);
  return lines.join("\n");
}
