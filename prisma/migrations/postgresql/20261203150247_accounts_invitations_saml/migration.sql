-- CreateTable
CREATE TABLE "_invitations" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "role_id" INTEGER NOT NULL,
    "invited_by" TEXT,
    "token_hash" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "expires_at" TIMESTAMP(3) NOT NULL,
    "accepted_at" TIMESTAMP(3),
    "accepted_by" TEXT,
    "sent_count" INTEGER NOT NULL DEFAULT 1,
    "created" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "_invitations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "_saml_providers" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "entity_id" TEXT NOT NULL,
    "sso_url" TEXT NOT NULL,
    "certificate" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "_saml_providers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "_saml_assertions" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "created" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "_saml_assertions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "_saml_requests" (
    "id" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "expires_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "_saml_requests_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "_invitations" ADD CONSTRAINT "_invitations_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "_saml_providers" ADD CONSTRAINT "_saml_providers_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
