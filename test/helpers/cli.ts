/**
 * The `cairn` command line as users run it (bin/cairn.js, spawned) against a database, and an
 * in-process server on the same database and data directory for the steps a test does over HTTP.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { ADMIN_EMAIL, ADMIN_PASSWORD, apiClient, type ApiClient } from "./app.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The environment of a CLI run on this database and data directory. */
export function cliEnv(db: { url: string; dataDir: string }): Record<string, string> {
  return { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", DATABASE_URL: db.url, CAIRN_DATA_DIR: db.dataDir, CAIRN_SECRET: "cli-test-secret", LOG_LEVEL: "warn" };
}

/** Runs `cairn …args` to its end; resolves to its exit code and output. */
export function runCairn(env: Record<string, string>, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["bin/cairn.js", ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, stdout, stderr })));
}

/** Runs `fn` against an in-process server on the same database (the superadmin signed in). */
export async function withCliServer<T>(env: Record<string, string>, fn: (api: ApiClient, token: string) => Promise<T>): Promise<T> {
  const app = await createApp(loadConfig({ ...env, CAIRN_ADMIN_EMAIL: ADMIN_EMAIL, CAIRN_ADMIN_PASSWORD: ADMIN_PASSWORD, CAIRN_RATE_LIMIT: "false" }, { port: 0, host: "127.0.0.1" }));
  try {
    const api = apiClient(await app.listen());
    const login = await api("POST", "/api/v1/auth/login", { body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
    return await fn(api, login.body.access_token);
  } finally {
    await app.close();
  }
}
