/**
 * The FastCMS dialect under /api/v1 (compat/fastcms.md).
 */
import type { FastifyInstance } from "fastify";
import type { Services } from "../../core/context.ts";
import { registerApiKeyRoutes } from "./api-keys.ts";
import { registerAuthRoutes } from "./auth.ts";
import { registerBackupRoutes } from "./backups.ts";
import { registerCollectionRoutes } from "./collections.ts";
import { registerJobRoutes } from "./jobs.ts";
import { registerTransferRoutes } from "./transfer.ts";
import { registerMailRoutes } from "./mail.ts";
import { registerRecordRoutes } from "./records.ts";
import { registerFileRoutes } from "./files.ts";
import { registerWebhookRoutes } from "./webhooks.ts";
import { registerStatsRoutes } from "./stats.ts";
import { registerSchemaSnapshotRoutes } from "./schema-snapshots.ts";

export function registerFastcms(api: FastifyInstance, services: Services): void {
  registerAuthRoutes(api, services);
  registerApiKeyRoutes(api, services);
  registerMailRoutes(api, services);
  registerCollectionRoutes(api, services);
  registerRecordRoutes(api, services);
  registerFileRoutes(api, services);
  registerWebhookRoutes(api, services);
  registerBackupRoutes(api, services);
  registerStatsRoutes(api);
  registerSchemaSnapshotRoutes(api);
  registerJobRoutes(api);
  void api.register(registerTransferRoutes);
}
