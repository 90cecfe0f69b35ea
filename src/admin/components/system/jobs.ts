// Long work (backups, restores, imports, exports) runs as a job on the server. `followJob` reads
// its changes live from the GraphQL subscription `jobProgress` (graphql-ws, same origin, with the
// signed-in user's token) and falls back to polling GET /api/v1/jobs/{id} when the socket fails —
// for example while a restore makes the server answer 503 for a few seconds.
import { createClient, type Client } from "graphql-ws/client";
import { api, ApiError } from "../../lib/api.ts";
import { session } from "../../lib/session.ts";

export interface Job {
  id: string;
  kind: string;
  state: "queued" | "running" | "succeeded" | "failed" | "cancelled";
  progress: { done: number; total: number | null };
  result: any;
  errors: unknown[];
  error: string | null;
  downloadUrl: string | null;
}

export const FINAL_STATES = ["succeeded", "failed", "cancelled"];
export const isFinal = (job: Job | null): boolean => Boolean(job && FINAL_STATES.includes(job.state));

/** A job as REST answers it (`download_url`) in the shape GraphQL uses (`downloadUrl`). */
export function jobFromRest(j: any): Job {
  return {
    id: String(j.id),
    kind: String(j.kind),
    state: j.state,
    progress: j.progress ?? { done: 0, total: null },
    result: j.result ?? null,
    errors: Array.isArray(j.errors) ? j.errors : [],
    error: j.error ?? null,
    downloadUrl: j.download_url ?? j.downloadUrl ?? null,
  };
}

let client: Client | null = null;
let clientToken: string | null = null;

function wsClient(): Client {
  const token = session.value.accessToken;
  if (!client || clientToken !== token) {
    void client?.dispose();
    clientToken = token;
    client = createClient({
      url: `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`,
      connectionParams: () => (session.value.accessToken ? { authorization: `Bearer ${session.value.accessToken}` } : {}),
      lazy: true,
      retryAttempts: 0,
    });
  }
  return client;
}

const SUBSCRIPTION = "subscription($id: ID!) { jobProgress(id: $id) { id kind state progress { done total } result errors error downloadUrl } }";

/**
 * Calls `onChange` with the job now and after every change until it is final; `onError` when it
 * cannot be read at all (e.g. 404). Returns a function that stops following.
 */
export function followJob(id: string, onChange: (job: Job) => void, onError: (err: Error) => void): () => void {
  let stopped = false;
  let last: Job | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const seen = (job: Job) => {
    last = job;
    if (!stopped) onChange(job);
  };
  const poll = async (failures = 0): Promise<void> => {
    if (stopped || isFinal(last)) return;
    try {
      seen(jobFromRest(await api("GET", `/api/v1/jobs/${encodeURIComponent(id)}`)));
      failures = 0;
    } catch (err) {
      // 503 while a restore runs, or a moment without the server: try again; anything else is an answer
      const passing = err instanceof ApiError && (err.status === 503 || err.status === 0);
      if (!passing || failures > 120) {
        if (!stopped) onError(err as Error);
        return;
      }
      failures++;
    }
    if (!isFinal(last)) timer = setTimeout(() => void poll(failures), 700);
  };
  const unsubscribe = wsClient().subscribe<{ jobProgress: Job }>(
    { query: SUBSCRIPTION, variables: { id } },
    {
      next: (msg) => {
        if (msg.data?.jobProgress) seen(msg.data.jobProgress);
        else if (msg.errors?.length) void poll();
      },
      error: () => void poll(),
      complete: () => {
        if (!isFinal(last)) void poll();
      },
    },
  );
  return () => {
    stopped = true;
    clearTimeout(timer);
    unsubscribe();
  };
}

/** Fetches a file with the signed-in user's token and hands it to the browser as a download. */
export async function downloadFile(path: string, filename: string): Promise<number> {
  const blob = await api<Blob>("GET", path, { as: "blob", headers: { accept: "*/*" } });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return blob.size;
}
