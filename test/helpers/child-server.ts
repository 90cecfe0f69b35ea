/**
 * `cairn serve` in a child process, for tests that kill a server (`kill -9`) and start another on
 * the same database. The child gets only PATH, HOME and the given environment.
 */
import { spawn, type ChildProcess } from "node:child_process";

export interface ChildServer {
  child: ChildProcess;
  url: string;
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
  return { child, url };
}
