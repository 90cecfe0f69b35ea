/**
 * Servers under test run as child processes: started with `node --import tsx` (one process, so
 * its pid is the server's and /proc/<pid>/status is its memory), probed until `/health`
 * answers, sampled for RSS every 100 ms, stopped with SIGTERM.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";

export interface ServerProcess {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** peak resident memory so far, MiB (max of the kernel's VmHWM and the sampled VmRSS) */
  peakRssMiB(): number;
  /** current resident memory, MiB */
  rssMiB(): number;
  /** CPU time the process has used so far (user + system), seconds */
  cpuSeconds(): number;
  /** log lines at level warn or above (Fastify JSON logs) or stderr lines */
  readonly problems: string[];
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (released before returning; the child binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === "object" ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

/** VmRSS and VmHWM of a process in KiB (undefined once it has exited). */
export function readMemory(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const rss = /^VmRSS:\s+(\d+) kB/m.exec(status);
    const hwm = /^VmHWM:\s+(\d+) kB/m.exec(status);
    if (!rss || !hwm) return undefined;
    return { rss: Number(rss[1]), hwm: Number(hwm[1]) };
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** utime + stime of a process in seconds (0 once it has exited). */
export function readCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // fields after the parenthesised command name; utime and stime are fields 14 and 15
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(rest[11]) + Number(rest[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

async function waitForHealth(url: string, child: ChildProcess, name: string, output: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output()}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} did not answer ${url}/health within ${timeoutMs / 1000}s:\n${output()}`);
}

export interface StartOptions {
  name: string;
  /** script path (TypeScript) and its arguments */
  args: string[];
  env: NodeJS.ProcessEnv;
  port: number;
  cwd: string;
  /** extra node flags, e.g. --inspect=… */
  nodeFlags?: string[];
  /** load TypeScript through tsx (default); false for compiled JavaScript */
  tsx?: boolean;
  verbose?: boolean;
  /** write the child's stdout to this file instead of reading it here (stderr is still read) */
  stdoutFile?: string;
}

/** Starts a server child process and resolves once `/health` answers 200. */
export async function startServer(o: StartOptions): Promise<ServerProcess> {
  const stdoutFd = o.stdoutFile ? openSync(o.stdoutFile, "a") : undefined;
  const child = spawn(process.execPath, [...(o.nodeFlags ?? []), ...(o.tsx === false ? [] : ["--import", "tsx"]), ...o.args], {
    cwd: o.cwd,
    env: o.env,
    stdio: ["ignore", stdoutFd ?? "pipe", "pipe"],
  });
  if (stdoutFd !== undefined) closeSync(stdoutFd); // the child holds its own copy
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${o.name} failed to start`);
  const tail: string[] = [];
  const problems: string[] = [];
  const onLine = (line: string, stream: "out" | "err") => {
    if (!line.trim()) return;
    tail.push(line);
    if (tail.length > 50) tail.shift();
    if (o.verbose) console.log(`[${o.name}] ${line}`);
    let level = stream === "err" ? 50 : 30;
    try {
      const parsed = JSON.parse(line) as { level?: number };
      if (typeof parsed.level === "number") level = parsed.level;
    } catch {
      /* not a JSON log line */
    }
    if (level >= 40 && !/Debugger (listening|attached|ending)|For help, see|Waiting for the debugger/.test(line)) problems.push(line);
  };
  for (const [stream, name] of [
    [child.stdout, "out"],
    [child.stderr, "err"],
  ] as const) {
    let buf = "";
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        onLine(buf.slice(0, i), name);
        buf = buf.slice(i + 1);
      }
    });
  }

  let peakKiB = 0;
  let lastKiB = 0;
  const sample = () => {
    const m = readMemory(pid);
    if (!m) return;
    lastKiB = m.rss;
    peakKiB = Math.max(peakKiB, m.rss, m.hwm);
  };
  const timer = setInterval(sample, 100);
  timer.unref();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const url = `http://127.0.0.1:${o.port}`;
  try {
    await waitForHealth(url, child, o.name, () => tail.join("\n"));
  } catch (e) {
    clearInterval(timer);
    child.kill("SIGKILL");
    throw e;
  }
  sample();
  return {
    name: o.name,
    url,
    pid,
    child,
    problems,
    peakRssMiB: () => (sample(), peakKiB / 1024),
    rssMiB: () => (sample(), lastKiB / 1024),
    cpuSeconds: () => readCpuSeconds(pid),
    async stop() {
      sample();
      clearInterval(timer);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}
