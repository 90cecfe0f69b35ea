/**
 * Registers the import and export job kinds with the job runner (called while wiring the app).
 * Both are resumable: an import continues after its last committed batch (or starts over when
 * atomic), an export writes its file again.
 */
import type { Services } from "../context.ts";
import { registerJobKind } from "../jobs/jobs.ts";
import { EXPORT_JOB, exportJob } from "./export.ts";
import { IMPORT_JOB, importJob } from "./import.ts";

export function registerTransferJobs(services: Services): void {
  registerJobKind(services, IMPORT_JOB, importJob, { resumable: true });
  registerJobKind(services, EXPORT_JOB, exportJob, { resumable: true });
}
