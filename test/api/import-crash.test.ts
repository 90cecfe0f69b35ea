/**
 * kill -9 during import jobs: a server in a child process (`cairn serve`) runs a best-effort and
 * an atomic import job; it is killed with SIGKILL mid-way; a new server on the same database and
 * data directory takes both jobs over at start-up (alone on the database: no Redis) and finishes
 * them. The best-effort job resumes after its last committed batch, the atomic one starts over:
 * every row is imported exactly once, nothing is lost or doubled. An atomic job whose transaction
 * had committed when the server died (before the job was marked succeeded) is not imported again.
 * Runs on SQLite and PostgreSQL.
 */
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_EMAIL, ADMIN_PASSWORD, apiClient, eventually, freshDatabase, type ApiClient } from "../helpers/app.ts";
import { childServerEnv, serveChild } from "../helpers/child-server.ts";

const serve = (env: Record<string, string>) => serveChild(env);

const ROWS = 40_000;

function csv(prefix: string, rows = ROWS): string {
  let s = "name,n\n";
  for (let i = 0; i < rows; i++) s += `${prefix} ${i},${i}\n`;
  return s;
}

const login = async (api: ApiClient) => (await api("POST", "/api/v1/auth/login", { body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } })).body.access_token as string;

async function createCollection(api: ApiClient, token: string, name: string): Promise<void> {
  const schema = [
    { name: "name", type: "text" },
    { name: "n", type: "number" },
  ];
  expect((await api("POST", "/api/v1/collections", { token, body: { name, schema } })).status).toBe(201);
}

/** Uploads `text` as a CSV import of `collection`; returns the job's id. */
async function startImport(url: string, token: string, collection: string, text: string, atomic: boolean): Promise<string> {
  const form = new FormData();
  form.append("file", new Blob([text], { type: "text/csv" }), `${collection}.csv`);
  const res = await fetch(`${url}/api/v1/collections/${collection}/records/import/csv${atomic ? "?atomic=true" : ""}`, {
    method: "POST",
    body: form,
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { job_id: string }).job_id;
}

/** Runs `sql` with `param` for its `?` on the database at `url` while no server runs; returns its rows. */
async function onDatabase(url: string, sql: string, param: string): Promise<Record<string, unknown>[]> {
  if (url.startsWith("file:")) {
    const file = new Database(url.slice("file:".length));
    try {
      return file.prepare(sql).all(param) as Record<string, unknown>[];
    } finally {
      file.close();
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql.replace("?", "$1"), [param])).rows;
  } finally {
    await client.end();
  }
}

/** The job once it succeeded and passes `done` (a failed job fails the test). */
function succeeded(api: ApiClient, token: string, id: string, what: string, ms: number, done: (job: any) => boolean = () => true): Promise<any> {
  return eventually(
    async () => {
      const j = (await api("GET", `/api/v1/jobs/${id}`, { token })).body;
      if (j.state === "failed") throw new Error(`job failed: ${j.error}`);
      return j.state === "succeeded" && done(j) ? j : undefined;
    },
    ms,
    what,
    50,
  );
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
    let token = await login(api);
    for (const name of ["items", "things"]) await createCollection(api, token, name);

    const start = (collection: string, atomic: boolean) => startImport(first.url, token, collection, csv(collection), atomic);
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
    first.child.kill("SIGKILL");
    await once(first.child, "exit");
    // the atomic job (one transaction) may have finished before the kill on a fast database: read
    // from the database once the server is gone (through the API it could still finish between)
    const [atomicBefore] = await onDatabase(db.url, "SELECT state FROM _jobs WHERE id = ?", atomic);

    const second = await serve(env);
    servers.push(second.child);
    api = apiClient(second.url);
    token = await login(api);
    for (const [id, collection] of [
      [bestEffort, "items"],
      [atomic, "things"],
    ] as const) {
      const job = await succeeded(api, token, id, `job ${collection} after the restart`, 120_000);
      expect(job.attempts).toBe(id === atomic && atomicBefore?.state === "succeeded" ? 1 : 2);
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

  it("does not import an atomic job again when the server died after its transaction committed", async () => {
    const rows = 2_000; // more than the inline limit: a job
    const env = childServerEnv(db);
    const first = await serve(env);
    servers.push(first.child);
    let api = apiClient(first.url);
    let token = await login(api);
    await createCollection(api, token, "once");
    const id = await startImport(first.url, token, "once", csv("once", rows), true);
    await succeeded(api, token, id, "the atomic import", 60_000);
    first.child.kill("SIGKILL");
    await once(first.child, "exit");

    // As if the server had died between the commit and marking the job succeeded: the job row
    // still says running (its checkpoint is what the import's transaction saved).
    const reopened = await onDatabase(db.url, "UPDATE _jobs SET state = 'running', finished = NULL, result = NULL WHERE id = ? RETURNING id", id);
    expect(reopened).toEqual([{ id }]);

    const second = await serve(env);
    servers.push(second.child);
    api = apiClient(second.url);
    token = await login(api);
    const job = await succeeded(api, token, id, "the taken-over job", 60_000, (j) => j.attempts === 2);
    expect(job.result).toMatchObject({ imported: rows, total: rows, failed: 0 });
    expect((await api("GET", "/api/v1/collections/once/records?per_page=1", { token })).body.total).toBe(rows);
    second.child.kill("SIGTERM");
    await once(second.child, "exit");
  }, 120_000);
});
