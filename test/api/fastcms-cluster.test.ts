/**
 * Two Cairn instances on one PostgreSQL database and one Redis (children running `cairn serve`,
 * sharing the data directory as a shared volume would): a job started on instance A whose
 * process dies (`kill -9`) is taken over by instance B once A's lease lapses and finishes there,
 * every row once; a restore on B makes A answer 503 with Retry-After while it runs, and A then
 * answers from the restored data (a collection created after the backup is gone) without a
 * restart. PostgreSQL only (SQLite is one instance by design).
 */
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_EMAIL, ADMIN_PASSWORD, apiClient, eventually, freshDatabase, TEST_DB } from "../helpers/app.ts";
import { childServerEnv, serveChild, type ChildServer } from "../helpers/child-server.ts";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const ROWS = 40_000;

describe.skipIf(TEST_DB !== "postgres")("two instances on PostgreSQL + Redis", () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let env: Record<string, string>;
  const children: ChildProcess[] = [];
  const serve = async (): Promise<ChildServer> => {
    const s = await serveChild(env);
    children.push(s.child);
    return s;
  };

  beforeAll(async () => {
    db = await freshDatabase();
    env = {
      ...childServerEnv(db),
      REDIS_URL,
      CAIRN_REDIS_PREFIX: `cairn-cluster-${randomBytes(6).toString("hex")}`,
    };
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    await db?.drop();
  });

  it("hands a dead instance's job over, and closes every instance during a restore", async () => {
    const a = await serve();
    const b = await serve();
    const onA = apiClient(a.url);
    const onB = apiClient(b.url);
    const token = (await onA("POST", "/api/v1/auth/login", { body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } })).body.access_token as string;
    const schema = [
      { name: "name", type: "text" },
      { name: "n", type: "number" },
    ];
    expect((await onA("POST", "/api/v1/collections", { token, body: { name: "items", schema } })).status).toBe(201);
    await eventually(async () => (await onB("GET", "/api/v1/collections/items/records?per_page=1", { token })).status === 200, 10_000, "B to know the collection");

    // --- a job on A, A killed, B finishes it
    let csv = "name,n\n";
    for (let i = 0; i < ROWS; i++) csv += `row ${i},${i}\n`;
    const form = new FormData();
    form.append("file", new Blob([csv], { type: "text/csv" }), "items.csv");
    const started = await fetch(`${a.url}/api/v1/collections/items/records/import/csv`, { method: "POST", body: form, headers: { authorization: `Bearer ${token}` } });
    expect(started.status).toBe(202);
    const jobId = ((await started.json()) as { job_id: string }).job_id;
    await eventually(
      async () => {
        const j = (await onB("GET", `/api/v1/jobs/${jobId}`, { token })).body;
        return j.state === "running" && j.progress.done >= 2000 && j.progress.done < ROWS;
      },
      60_000,
      "the import to be under way on A",
      10,
    );
    a.child.kill("SIGKILL");
    await once(a.child, "exit");
    const job = await eventually(
      async () => {
        const j = (await onB("GET", `/api/v1/jobs/${jobId}`, { token })).body;
        if (j.state === "failed") throw new Error(`job failed: ${j.error}`);
        return j.state === "succeeded" ? j : undefined;
      },
      120_000,
      "B to take the job over and finish it",
      200,
    );
    expect(job.attempts).toBe(2);
    expect(job.result).toMatchObject({ imported: ROWS, total: ROWS, failed: 0 });
    expect((await onB("GET", "/api/v1/collections/items/records?per_page=1", { token })).body.total).toBe(ROWS);

    // --- a restore on B: A2 answers 503 meanwhile, then the restored data
    const a2 = await serve();
    const onA2 = apiClient(a2.url);
    const backup = await onB("POST", "/api/v1/backups?wait=true", { token });
    expect(backup.status).toBe(201);
    expect((await onA2("POST", "/api/v1/collections", { token, body: { name: "after_backup", schema } })).status).toBe(201);
    expect((await onA2("POST", "/api/v1/collections/items/records", { token, body: { data: { name: "after", n: -1 } } })).status).toBe(201);

    let done = false;
    const restore = onB("POST", `/api/v1/backups/${backup.body.filename}/restore?wait=true`, { token }).finally(() => (done = true));
    let closed: { status: number; retryAfter: string | null; code: string } | undefined;
    while (!done && !closed) {
      const r = await onA2("GET", "/api/v1/collections/items/records?per_page=1", { token });
      if (r.status === 503) closed = { status: r.status, retryAfter: r.headers.get("retry-after"), code: r.body.code };
      else expect(r.status).toBe(200);
    }
    expect((await restore).body.status).toBe("restored");
    expect(closed, "A2 answered 503 during the restore").toMatchObject({ status: 503, code: "SERVICE_UNAVAILABLE" });
    expect(Number(closed!.retryAfter)).toBeGreaterThan(0);
    await eventually(async () => (await onA2("GET", "/api/v1/collections/items/records?per_page=1", { token })).status === 200, 30_000, "A2 to answer again");
    expect((await onA2("GET", "/api/v1/collections/items/records?per_page=1", { token })).body.total).toBe(ROWS);
    expect((await onA2("GET", "/api/v1/collections/after_backup/records", { token })).status).toBe(404);

    for (const s of [b, a2]) {
      s.child.kill("SIGTERM");
      await once(s.child, "exit");
    }
  }, 300_000);
});
