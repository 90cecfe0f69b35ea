/**
 * `cairn serve` in a child process, for tests that kill a server (`kill -9`) and start another on
 * the same database. The child gets only PATH, HOME and the given environment.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { ADMIN_EMAIL, ADMIN_PASSWORD } from "./app.ts";

export interface ChildServer {
  child: ChildProcess;
  url: string;
  /** what the server wrote so far, stdout and stderr (the last 20,000 characters) */
  output(): string;
}

/**
 * The environment every child server of a test shares: `db`'s database and data directory, a
 * random port on 127.0.0.1, info logs, no rate limits, the test superadmin and a fresh secret.
 */
export function childServerEnv(db: { url: string; dataDir: string }): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    CAIRN_DATA_DIR: db.dataDir,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
    CAIRN_RATE_LIMIT: "false",
    CAIRN_ADMIN_EMAIL: ADMIN_EMAIL,
    CAIRN_ADMIN_PASSWORD: ADMIN_PASSWORD,
    CAIRN_SECRET: randomBytes(32).toString("hex"),
  };
}

/**
 * Starts `cairn serve` (through tsx) and resolves with its URL once it listens; rejects with the
 * server's output when it exits first or has not started within `timeoutMs`.
 */
export async function serveChild(env: Record<string, string>, timeoutMs = 90_000): Promise<ChildServer> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli.ts", "serve"], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), timeoutMs);
    const read = (chunk: Buffer) => {
      out = (out + chunk.toString()).slice(-20_000);
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on("data", read);
    child.stderr!.on("data", read);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  return { child, url, output: () => out };
}
