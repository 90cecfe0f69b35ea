-- CreateTable
CREATE TABLE "_invitations" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "account_id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "role_id" INTEGER NOT NULL,
    "invited_by" TEXT,
    "token_hash" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "expires_at" DATETIME NOT NULL,
    "accepted_at" DATETIME,
    "accepted_by" TEXT,
    "sent_count" INTEGER NOT NULL DEFAULT 1,
    "created" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated" DATETIME NOT NULL,
    CONSTRAINT "_invitations_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "_accounts" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "_saml_providers" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "account_id" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "entity_id" TEXT NOT NULL,
    "sso_url" TEXT NOT NULL,
    "certificate" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated" DATETIME NOT NULL,
    CONSTRAINT "_saml_providers_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "_accounts" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "_saml_assertions" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "account_id" TEXT NOT NULL,
    "expires_at" DATETIME NOT NULL,
    "created" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "_saml_requests" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "value" TEXT NOT NULL,
    "expires_at" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "_invitations_token_hash_key" ON "_invitations"("token_hash");

-- CreateIndex
CREATE INDEX "_invitations_account_id_status_idx" ON "_invitations"("account_id", "status");

-- CreateIndex
CREATE INDEX "_invitations_account_id_email_idx" ON "_invitations"("account_id", "email");

-- CreateIndex
CREATE UNIQUE INDEX "_saml_providers_account_id_provider_key" ON "_saml_providers"("account_id", "provider");

-- CreateIndex
CREATE INDEX "_saml_assertions_expires_at_idx" ON "_saml_assertions"("expires_at");

-- CreateIndex
CREATE INDEX "_saml_requests_expires_at_idx" ON "_saml_requests"("expires_at");
