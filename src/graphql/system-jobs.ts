/**
 * GraphQL for jobs: the `Job` type, `job(id)` and `jobs` queries, the `cancelJob` mutation and
 * the `jobProgress(id)` subscription (every change of the job until it finishes). Resolvers call
 * core/jobs/jobs.ts and shape nothing else.
 */
import { cancelJob, getJob, listJobs, watchJob, type JobView } from "../core/jobs/jobs.ts";
import { PushQueue } from "../realtime/push-queue.ts";
import type { Builder } from "./builder.ts";

/** Adds the job type and fields (call once while building the system schema); returns the `Job` type. */
export function addJobFields(b: Builder) {
  const progress = b.objectRef<JobView["progress"]>("JobProgress").implement({
    fields: (t) => ({
      done: t.exposeInt("done"),
      total: t.int({ nullable: true, description: "null while unknown", resolve: (p) => p.total }),
    }),
  });
  const job = b.objectRef<JobView>("Job").implement({
    description: "Long-running work (import, export, backup, restore) with progress.",
    fields: (t) => ({
      id: t.exposeID("id"),
      kind: t.exposeString("kind"),
      state: t.exposeString("state", { description: "queued | running | succeeded | failed | cancelled" }),
      progress: t.field({ type: progress, resolve: (j) => j.progress }),
      result: t.field({ type: "JSON", nullable: true, resolve: (j) => j.result }),
      errors: t.field({ type: "JSON", description: "per-item problems (e.g. import rows)", resolve: (j) => j.errors }),
      error: t.string({ nullable: true, description: "why it failed or was cancelled", resolve: (j) => j.error }),
      downloadUrl: t.string({
        nullable: true,
        description: "where the file the job produced can be downloaded (with the same credentials)",
        resolve: (j) => (j.state === "succeeded" && (j.result as { file?: unknown } | null)?.file ? `/api/v1/jobs/${j.id}/download` : null),
      }),
      createdBy: t.string({ nullable: true, resolve: (j) => j.createdBy }),
      attempts: t.exposeInt("attempts"),
      created: t.field({ type: "DateTime", resolve: (j) => j.created }),
      started: t.field({ type: "DateTime", nullable: true, resolve: (j) => j.started }),
      finished: t.field({ type: "DateTime", nullable: true, resolve: (j) => j.finished }),
    }),
  });

  b.queryFields((t) => ({
    job: t.field({
      type: job,
      description: "A job you started (superadmins: any); NOT_FOUND otherwise.",
      args: { id: t.arg.id({ required: true }) },
      resolve: (_r, args, { cairn }) => getJob(cairn, String(args.id)),
    }),
    jobs: t.field({
      type: [job],
      description: "Your jobs (superadmins: all of the account), newest first.",
      args: { state: t.arg.string(), limit: t.arg.int() },
      resolve: (_r, args, { cairn }) => listJobs(cairn, { state: args.state ?? undefined, limit: args.limit ?? undefined }),
    }),
  }));

  b.mutationFields((t) => ({
    cancelJob: t.field({
      type: job,
      description: "Cancels a queued or running job; work already committed stays.",
      args: { id: t.arg.id({ required: true }) },
      resolve: (_r, args, { cairn }) => cancelJob(cairn, String(args.id)),
    }),
  }));

  b.subscriptionType({});
  b.subscriptionFields((t) => ({
    jobProgress: t.field({
      type: job,
      description: "The job now, then every change of its state or progress; ends after the final state.",
      args: { id: t.arg.id({ required: true }) },
      subscribe: async (_r, args, { cairn }) => {
        const watching = { stop: () => {} };
        const queue = new PushQueue<JobView>(() => watching.stop());
        watching.stop = await watchJob(cairn, String(args.id), (j, final) => (final ? queue.end(j) : queue.push(j)));
        if (queue.done) watching.stop();
        return queue;
      },
      resolve: (j) => j,
    }),
  }));
  return job;
}
