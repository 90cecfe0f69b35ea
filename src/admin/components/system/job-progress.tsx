// A job's state and progress bar, announced politely to screen readers as it changes.
import type { Job } from "./jobs.ts";

const STATE_WORDS: Record<Job["state"], string> = {
  queued: "Waiting to start",
  running: "Running",
  succeeded: "Done",
  failed: "Failed",
  cancelled: "Cancelled",
};

export function JobProgress({ job, label }: { job: Job; label: string }) {
  const { done, total } = job.progress;
  const finished = job.state === "succeeded";
  const percent = total ? Math.min(100, Math.round((done / total) * 100)) : finished ? 100 : null;
  return (
    <div class={`job-progress job-${job.state}`}>
      <div class="job-progress-line">
        <span>{label}</span>
        <span role="status" class="job-state">
          {STATE_WORDS[job.state] ?? job.state}
          {percent !== null ? ` · ${percent}%` : ""}
          {total ? ` (${done} of ${total})` : done ? ` (${done})` : ""}
        </span>
      </div>
      <progress aria-label={`${label} progress`} max={100} value={percent ?? undefined} />
      {job.error && <p class="field-error">{job.error}</p>}
    </div>
  );
}
