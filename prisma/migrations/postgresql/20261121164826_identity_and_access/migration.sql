-- AlterTable
ALTER TABLE "_accounts" ADD COLUMN     "code" TEXT;

-- AlterTable
ALTER TABLE "_users" ADD COLUMN     "auth_provider" TEXT NOT NULL DEFAULT 'password',
ADD COLUMN     "is_active" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "last_login" TIMESTAMP(3),
ADD COLUMN     "profile_data" TEXT,
ADD COLUMN     "role_id" INTEGER,
ADD COLUMN     "verified_at" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "_roles" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "created" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "_roles_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "_permissions" (
    "id" SERIAL NOT NULL,
    "role_id" INTEGER NOT NULL,
    "collection" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "rule" TEXT NOT NULL,
    "fields" TEXT NOT NULL DEFAULT '"*"',

    CONSTRAINT "_permissions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "_api_keys" (
    "id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "key_prefix" TEXT NOT NULL,
    "key_hash" TEXT NOT NULL,
    "scopes" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "expires_at" TIMESTAMP(3),
    "last_used_at" TIMESTAMP(3),
    "last_used_ip" TEXT,
    "created" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "_api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "_auth_tokens" (
    "id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "used_at" TIMESTAMP(3),
    "created" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "_auth_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "_mail" (
    "id" TEXT NOT NULL,
    "to" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "html" TEXT,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "error" TEXT,
    "created" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMP(3),

    CONSTRAINT "_mail_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "_oauth_accounts" (
    "id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "provider_user_id" TEXT NOT NULL,
    "email" TEXT,
    "created" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "_oauth_accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "_oauth_states" (
    "state" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "code_verifier" TEXT NOT NULL,
    "nonce" TEXT,
    "redirect_uri" TEXT NOT NULL,
    "account_id" TEXT,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "created" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "_oauth_states_pkey" PRIMARY KEY ("state")
);

-- CreateTable
CREATE TABLE "_settings" (
    "id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "description" TEXT,
    "created" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "_settings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "_audit" (
    "id" TEXT NOT NULL,
    "account_id" TEXT,
    "event_type" TEXT NOT NULL,
    "event_action" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "user_id" TEXT,
    "user_email" TEXT,
    "ip_address" TEXT,
    "user_agent" TEXT,
    "request_id" TEXT,
    "resource_type" TEXT,
    "resource_id" TEXT,
    "description" TEXT,
    "details" TEXT,
    "error_message" TEXT,
    "created" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "_audit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "_login_throttle" (
    "key" TEXT NOT NULL,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "window_start" TIMESTAMP(3) NOT NULL,
    "locked_until" TIMESTAMP(3),

    CONSTRAINT "_login_throttle_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "_roles_name_key" ON "_roles"("name");

-- CreateIndex
CREATE UNIQUE INDEX "_permissions_role_id_collection_operation_key" ON "_permissions"("role_id", "collection", "operation");

-- CreateIndex
CREATE UNIQUE INDEX "_api_keys_key_hash_key" ON "_api_keys"("key_hash");

-- CreateIndex
CREATE INDEX "_api_keys_user_id_idx" ON "_api_keys"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "_auth_tokens_token_hash_key" ON "_auth_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "_auth_tokens_user_id_kind_idx" ON "_auth_tokens"("user_id", "kind");

-- CreateIndex
CREATE INDEX "_mail_to_idx" ON "_mail"("to");

-- CreateIndex
CREATE UNIQUE INDEX "_oauth_accounts_provider_provider_user_id_key" ON "_oauth_accounts"("provider", "provider_user_id");

-- CreateIndex
CREATE UNIQUE INDEX "_settings_key_key" ON "_settings"("key");

-- CreateIndex
CREATE INDEX "_settings_category_idx" ON "_settings"("category");

-- CreateIndex
CREATE INDEX "_audit_created_idx" ON "_audit"("created");

-- CreateIndex
CREATE INDEX "_audit_event_type_created_idx" ON "_audit"("event_type", "created");

-- CreateIndex
CREATE INDEX "_audit_user_id_created_idx" ON "_audit"("user_id", "created");

-- CreateIndex
CREATE INDEX "_audit_severity_created_idx" ON "_audit"("severity", "created");

-- CreateIndex
CREATE UNIQUE INDEX "_accounts_code_key" ON "_accounts"("code");

-- AddForeignKey
ALTER TABLE "_permissions" ADD CONSTRAINT "_permissions_role_id_fkey" FOREIGN KEY ("role_id") REFERENCES "_roles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "_api_keys" ADD CONSTRAINT "_api_keys_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "_users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "_auth_tokens" ADD CONSTRAINT "_auth_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "_users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "_oauth_accounts" ADD CONSTRAINT "_oauth_accounts_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "_users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Seed the two built-in roles (SnackBase ids 1 and 2).
INSERT INTO "_roles" ("id", "name", "description") VALUES (1, 'admin', 'Full access to every collection'), (2, 'user', 'Regular user; no permissions until granted');
SELECT setval(pg_get_serial_sequence('"_roles"', 'id'), 2);
