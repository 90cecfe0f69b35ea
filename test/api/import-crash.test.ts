/**
 * kill -9 during import jobs: a server in a child process (`cairn serve`) runs a best-effort and
 * an atomic import job; it is killed with SIGKILL mid-way; a new server on the same database and
 * data directory takes both jobs over at start-up (alone on the database: no Redis) and finishes
 * them. The best-effort job resumes after its last committed batch, the atomic one starts over:
 * every row is imported exactly once, nothing is lost or doubled. Runs on SQLite and PostgreSQL.
 */
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_EMAIL, ADMIN_PASSWORD, apiClient, eventually, freshDatabase } from "../helpers/app.ts";
import { childServerEnv, serveChild } from "../helpers/child-server.ts";

const serve = (env: Record<string, string>) => serveChild(env);

const ROWS = 40_000;

function csv(prefix: string): string {
  let s = "name,n\n";
  for (let i = 0; i < ROWS; i++) s += `${prefix} ${i},${i}\n`;
  return s;
}

describe("kill -9 during import jobs", () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  const servers: ChildProcess[] = [];

  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(async () => {
    for (const c of servers) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    await db?.drop();
  });

  it("resumes the best-effort job after its last batch and restarts the atomic one: every row once", async () => {
    const env = {
      ...childServerEnv(db),
    };
    const first = await serve(env);
    servers.push(first.child);
    let api = apiClient(first.url);
    const login = async () => (await api("POST", "/api/v1/auth/login", { body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } })).body.access_token as string;
    let token = await login();
    for (const name of ["items", "things"])
      expect(
        (
          await api("POST", "/api/v1/collections", {
            token,
            body: {
              name,
              schema: [
                { name: "name", type: "text" },
                { name: "n", type: "number" },
              ],
            },
          })
        ).status,
      ).toBe(201);

    const start = async (collection: string, atomic: boolean) => {
      const form = new FormData();
      form.append("file", new Blob([csv(collection)], { type: "text/csv" }), `${collection}.csv`);
      const res = await fetch(`${first.url}/api/v1/collections/${collection}/records/import/csv${atomic ? "?atomic=true" : ""}`, {
        method: "POST",
        body: form,
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(202);
      return ((await res.json()) as { job_id: string }).job_id;
    };
    const bestEffort = await start("items", false);
    const atomic = await start("things", true);

    // Kill once the best-effort job has committed some batches but not all.
    const committed = await eventually(
      async () => {
        const j = (await api("GET", `/api/v1/jobs/${bestEffort}`, { token })).body;
        return j.state === "running" && j.progress.done >= 4000 ? j.progress.done : undefined;
      },
      60_000,
      "the import to be under way",
      10,
    );
    expect(committed).toBeLessThan(ROWS);
    // the atomic job (one transaction) may already be done on a fast database
    const atomicBefore = (await api("GET", `/api/v1/jobs/${atomic}`, { token })).body.state as string;
    first.child.kill("SIGKILL");
    await once(first.child, "exit");

    const second = await serve(env);
    servers.push(second.child);
    api = apiClient(second.url);
    token = await login();
    for (const [id, collection] of [
      [bestEffort, "items"],
      [atomic, "things"],
    ] as const) {
      const job = await eventually(
        async () => {
          const j = (await api("GET", `/api/v1/jobs/${id}`, { token })).body;
          if (j.state === "failed") throw new Error(`job failed: ${j.error}`);
          return j.state === "succeeded" ? j : undefined;
        },
        120_000,
        `job ${collection} after the restart`,
        100,
      );
      expect(job.attempts).toBe(id === atomic && atomicBefore === "succeeded" ? 1 : 2);
      expect(job.result).toMatchObject({ imported: ROWS, total: ROWS, failed: 0 });
      const list = await api("GET", `/api/v1/collections/${collection}/records?per_page=1`, { token });
      expect(list.body.total).toBe(ROWS);
      // no row twice: the largest n is there once, and as many distinct n as rows
      const last = await api("GET", `/api/v1/collections/${collection}/records?filter=${encodeURIComponent(`n = ${ROWS - 1}`)}`, { token });
      expect(last.body.total).toBe(1);
    }
    second.child.kill("SIGTERM");
    await once(second.child, "exit");
  }, 240_000);
});
