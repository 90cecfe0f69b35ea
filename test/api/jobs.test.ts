/**
 * Jobs over real HTTP, GraphQL and graphql-ws: state and progress, the SSE progress stream, the
 * `jobProgress` subscription, cancel, failures, who may see a job, and a restart that finds a
 * job no handler can take (marked failed with the reason, never lost). Kinds are registered on
 * the running app the way features register theirs (core/jobs/jobs.ts `registerJobKind`).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import type { Context } from "../../src/core/context.ts";
import { ValidationError } from "../../src/core/errors.ts";
import { registerJobKind, startJob } from "../../src/core/jobs/jobs.ts";
import { apiClient, eventually, registerUser, startApp, type TestApp } from "../helpers/app.ts";
import { gql, subscribe, wsClient } from "./graphql-helpers.ts";

/** A gate the test opens to let a waiting handler continue. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

/** An SSE stream of job events: `first` resolves with the first one, `all` with every one once the stream ends. */
async function sseOpen(url: string, token: string): Promise<{ status: number; first: Promise<any>; all: Promise<any[]> }> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" } });
  if (res.status !== 200) return { status: res.status, first: Promise.resolve(undefined), all: Promise.resolve([]) };
  expect(res.headers.get("content-type")).toContain("text/event-stream");
  const events: any[] = [];
  let gotFirst!: (e: any) => void;
  const first = new Promise<any>((r) => (gotFirst = r));
  const all = (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (!block.includes("event: job")) continue;
        events.push(JSON.parse(/^data: (.*)$/m.exec(block)![1]!));
        if (events.length === 1) gotFirst(events[0]);
      }
    }
    return events;
  })();
  return { status: 200, first, all };
}

async function sseJobs(url: string, token: string): Promise<{ status: number; events: any[] }> {
  const s = await sseOpen(url, token);
  return { status: s.status, events: await s.all };
}

describe("jobs", () => {
  let t: TestApp;
  let user: Awaited<ReturnType<typeof registerUser>>;
  let other: Awaited<ReturnType<typeof registerUser>>;
  const gates = new Map<string, ReturnType<typeof gate>>();
  let userCtx: Context;

  beforeAll(async () => {
    t = await startApp();
    user = await registerUser(t.api);
    other = await registerUser(t.api);
    registerJobKind(t.app.services, "test.count", async (job, { progress, signal }) => {
      const { to, gate: name } = job.input as { to: number; gate?: string };
      for (let i = 1; i <= to; i++) {
        signal.throwIfAborted();
        if (i === Math.ceil(to / 2) && name) await Promise.race([gates.get(name)!.opened, new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)))]);
        progress(i, to);
      }
      return { counted: to };
    });
    registerJobKind(t.app.services, "test.fail", async (job) => {
      if ((job.input as { how: string }).how === "validation") throw new ValidationError("Row 3, field 'n': not a number", { row: "3" });
      throw new Error("driver said something secret");
    });
    userCtx = {
      requestId: "test",
      principal: { kind: "user", userId: user.id, accountId: "default", email: user.email, role: "user", superadmin: false },
      services: t.app.services,
      log: t.app.services.log,
    };
  });
  afterAll(async () => t?.close());

  it("reports state, progress and result over REST, SSE, GraphQL and a subscription", async () => {
    gates.set("a", gate());
    const job = await startJob(userCtx, "test.count", { to: 10, gate: "a" }, 10);
    expect(job.state).toBe("queued");
    const running = await eventually(async () => {
      const r = await t.api("GET", `/api/v1/jobs/${job.id}`, { token: user.token });
      return r.body.state === "running" && r.body.progress.done === 4 ? r : undefined;
    });
    expect(running.body).toMatchObject({ id: job.id, kind: "test.count", progress: { done: 4, total: 10 }, result: null, created_by: user.id });

    const ws = wsClient(t.url, user.token);
    const sub = subscribe(ws, `subscription($id: ID!) { jobProgress(id: $id) { id state progress { done total } result } }`, { id: job.id });
    const first = await sub.next();
    expect(first.data.jobProgress).toMatchObject({ id: job.id, state: "running" });
    const sse = await sseOpen(`${t.url}/api/v1/jobs/${job.id}/events`, user.token);
    // the stream's first event carries the current state
    expect(await sse.first).toMatchObject({ state: "running", progress: { done: 4, total: 10 } });
    gates.get("a")!.open();
    const events = await sse.all;
    expect(events[0].state).toBe("running");
    expect(events.at(-1)).toMatchObject({ state: "succeeded", progress: { done: 10, total: 10 }, result: { counted: 10 } });
    let last = first;
    for (;;) {
      try {
        last = await sub.next(3000);
      } catch {
        break;
      }
    }
    await sub.completed();
    expect(last.data.jobProgress).toMatchObject({ state: "succeeded", result: { counted: 10 } });
    await ws.dispose();

    const g = await gql(t.url, `query($id: ID!) { job(id: $id) { state progress { done total } result finished downloadUrl } }`, { id: job.id }, user.token);
    expect(g.body.data.job).toMatchObject({ state: "succeeded", progress: { done: 10, total: 10 }, result: { counted: 10 }, downloadUrl: null });
    expect(g.body.data.job.finished).toBeTruthy();
    // A finished job's stream sends its state once and ends.
    const again = await sseJobs(`${t.url}/api/v1/jobs/${job.id}/events`, user.token);
    expect(again.events.map((e) => e.state)).toEqual(["succeeded"]);
    // The list shows it to its creator.
    const list = await t.api("GET", "/api/v1/jobs?state=succeeded", { token: user.token });
    expect(list.body.items.map((j: any) => j.id)).toContain(job.id);
  });

  it("shows a job to its creator and superadmins only", async () => {
    const job = await startJob(userCtx, "test.count", { to: 3 });
    await eventually(async () => (await t.api("GET", `/api/v1/jobs/${job.id}`, { token: user.token })).body.state === "succeeded");
    expect((await t.api("GET", `/api/v1/jobs/${job.id}`, { token: t.adminToken })).status).toBe(200);
    const foreign = await t.api("GET", `/api/v1/jobs/${job.id}`, { token: other.token });
    expect(foreign.status).toBe(404);
    expect(foreign.body.message).toContain(job.id);
    expect((await t.api("GET", `/api/v1/jobs/${job.id}`)).status).toBe(401);
    expect((await t.api("GET", `/api/v1/jobs/no-such-job`, { token: user.token })).status).toBe(404);
    expect((await sseJobs(`${t.url}/api/v1/jobs/${job.id}/events`, other.token)).status).toBe(404);
    expect((await t.api("GET", `/api/v1/jobs/${job.id}/download`, { token: user.token })).status).toBe(404);
    expect((await t.api("GET", "/api/v1/jobs?state=nonsense", { token: user.token })).status).toBe(400);
    expect((await t.api("GET", "/api/v1/jobs", { token: other.token })).body.items).toEqual([]);
    const g = await gql(t.url, `query($id: ID!) { job(id: $id) { id } }`, { id: job.id }, other.token);
    expect(g.body.errors[0].extensions.code).toBe("NOT_FOUND");
  });

  it("cancels a running job over REST and over GraphQL", async () => {
    gates.set("never", gate());
    const a = await startJob(userCtx, "test.count", { to: 10, gate: "never" });
    await eventually(async () => (await t.api("GET", `/api/v1/jobs/${a.id}`, { token: user.token })).body.progress.done === 4);
    expect((await t.api("POST", `/api/v1/jobs/${a.id}/cancel`, { token: other.token })).status).toBe(404);
    const cancelled = await t.api("POST", `/api/v1/jobs/${a.id}/cancel`, { token: user.token });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ state: "cancelled", error: `Cancelled by ${user.email}` });
    expect(cancelled.body.progress.done).toBe(4);

    const b = await startJob(userCtx, "test.count", { to: 10, gate: "never" });
    await eventually(async () => (await t.api("GET", `/api/v1/jobs/${b.id}`, { token: user.token })).body.state === "running");
    const g = await gql(t.url, `mutation($id: ID!) { cancelJob(id: $id) { state error } }`, { id: b.id }, user.token);
    expect(g.body.data.cancelJob).toMatchObject({ state: "cancelled" });
    // Cancelling a finished job changes nothing.
    expect((await t.api("POST", `/api/v1/jobs/${b.id}/cancel`, { token: user.token })).body.state).toBe("cancelled");
  });

  it("fails a job with a safe message and its details", async () => {
    const a = await startJob(userCtx, "test.fail", { how: "validation" });
    const failed = await eventually(async () => {
      const r = await t.api("GET", `/api/v1/jobs/${a.id}`, { token: user.token });
      return r.body.state === "failed" ? r.body : undefined;
    });
    expect(failed.error).toBe("Row 3, field 'n': not a number");
    expect(failed.errors).toEqual([{ row: "3" }]);
    const b = await startJob(userCtx, "test.fail", { how: "crash" });
    const crashed = await eventually(async () => {
      const r = await t.api("GET", `/api/v1/jobs/${b.id}`, { token: user.token });
      return r.body.state === "failed" ? r.body : undefined;
    });
    expect(crashed.error).toBe(`Internal error (logged with job id ${b.id})`);
    expect(JSON.stringify(crashed)).not.toContain("secret");
  });

  it("a shutdown fails a running job of a kind that cannot resume, with the reason", async () => {
    const api = apiClient(t.url);
    const g = gate();
    gates.set("restart", g);
    const job = await startJob(userCtx, "test.count", { to: 10, gate: "restart" });
    await eventually(async () => (await api("GET", `/api/v1/jobs/${job.id}`, { token: user.token })).body.state === "running");
    // Stop this server (the job is not resumable: it fails as interrupted) and start another on the database.
    const config = t.config;
    await t.app.close();
    const second = await createApp(config);
    const url = await second.listen();
    try {
      const api2 = apiClient(url);
      const login = await api2("POST", "/api/v1/auth/login", { body: { email: user.email, password: "User-pass-123" } });
      const r = await api2("GET", `/api/v1/jobs/${job.id}`, { token: login.body.access_token });
      expect(r.body.state).toBe("failed");
      expect(r.body.error).toBe("Interrupted: the server shut down while it ran");
    } finally {
      // hand the test app's database back to the harness's close()
      await second.close();
      (t as { app: unknown }).app = { close: async () => {} };
    }
  });
});
