-- CreateTable
CREATE TABLE "_webhooks" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "account_id" TEXT NOT NULL,
    "name" TEXT,
    "url" TEXT NOT NULL,
    "collections" TEXT NOT NULL,
    "events" TEXT NOT NULL,
    "filter" TEXT,
    "secret" TEXT NOT NULL,
    "retry_count" INTEGER NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "format" TEXT NOT NULL DEFAULT 'fastcms',
    "last_triggered_at" TEXT,
    "created" TEXT NOT NULL,
    "updated" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "_webhook_deliveries" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "webhook_id" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "redelivery" INTEGER NOT NULL DEFAULT 0,
    "event" TEXT NOT NULL,
    "collection" TEXT NOT NULL,
    "record_id" TEXT,
    "order_key" TEXT NOT NULL,
    "message_id" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "response_status" INTEGER,
    "response_body" TEXT,
    "duration_ms" INTEGER,
    "error" TEXT,
    "next_attempt_at" TEXT,
    "lease_owner" TEXT,
    "lease_until" TEXT,
    "created" TEXT NOT NULL,
    "updated" TEXT NOT NULL,
    CONSTRAINT "_webhook_deliveries_webhook_id_fkey" FOREIGN KEY ("webhook_id") REFERENCES "_webhooks" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "_webhooks_account_id_idx" ON "_webhooks"("account_id");

-- CreateIndex
CREATE INDEX "_webhook_deliveries_status_next_attempt_at_idx" ON "_webhook_deliveries"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "_webhook_deliveries_webhook_id_order_key_status_seq_idx" ON "_webhook_deliveries"("webhook_id", "order_key", "status", "seq");

-- CreateIndex
CREATE INDEX "_webhook_deliveries_webhook_id_created_idx" ON "_webhook_deliveries"("webhook_id", "created");

-- CreateIndex
CREATE UNIQUE INDEX "_webhook_deliveries_webhook_id_seq_redelivery_key" ON "_webhook_deliveries"("webhook_id", "seq", "redelivery");
