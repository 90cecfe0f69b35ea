-- AlterTable
ALTER TABLE "_accounts" ADD COLUMN "code" TEXT;

-- CreateTable
CREATE TABLE "_roles" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "created" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "_permissions" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "role_id" INTEGER NOT NULL,
    "collection" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "rule" TEXT NOT NULL,
    "fields" TEXT NOT NULL DEFAULT '"*"',
    CONSTRAINT "_permissions_role_id_fkey" FOREIGN KEY ("role_id") REFERENCES "_roles" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "_api_keys" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "user_id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "key_prefix" TEXT NOT NULL,
    "key_hash" TEXT NOT NULL,
    "scopes" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "expires_at" DATETIME,
    "last_used_at" DATETIME,
    "last_used_ip" TEXT,
    "created" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated" DATETIME NOT NULL,
    CONSTRAINT "_api_keys_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "_users" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "_auth_tokens" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "user_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "expires_at" DATETIME NOT NULL,
    "used_at" DATETIME,
    "created" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "_auth_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "_users" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "_mail" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "to" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "html" TEXT,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "error" TEXT,
    "created" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" DATETIME
);

-- CreateTable
CREATE TABLE "_oauth_accounts" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "user_id" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "provider_user_id" TEXT NOT NULL,
    "email" TEXT,
    "created" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "_oauth_accounts_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "_users" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "_oauth_states" (
    "state" TEXT NOT NULL PRIMARY KEY,
    "provider" TEXT NOT NULL,
    "code_verifier" TEXT NOT NULL,
    "nonce" TEXT,
    "redirect_uri" TEXT NOT NULL,
    "account_id" TEXT,
    "expires_at" DATETIME NOT NULL,
    "created" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "_settings" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "key" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "description" TEXT,
    "created" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "_audit" (
    "id" TEXT NOT NULL PRIMARY KEY,
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
    "created" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "_login_throttle" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "window_start" DATETIME NOT NULL,
    "locked_until" DATETIME
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new__users" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "account_id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "name" TEXT,
    "avatar" TEXT,
    "role" TEXT NOT NULL DEFAULT 'user',
    "role_id" INTEGER,
    "superadmin" BOOLEAN NOT NULL DEFAULT false,
    "verified" BOOLEAN NOT NULL DEFAULT false,
    "verified_at" DATETIME,
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "auth_provider" TEXT NOT NULL DEFAULT 'password',
    "profile_data" TEXT,
    "last_login" DATETIME,
    "created" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated" DATETIME NOT NULL,
    CONSTRAINT "_users_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "_accounts" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new__users" ("account_id", "avatar", "created", "email", "id", "name", "password_hash", "role", "superadmin", "updated", "verified") SELECT "account_id", "avatar", "created", "email", "id", "name", "password_hash", "role", "superadmin", "updated", "verified" FROM "_users";
DROP TABLE "_users";
ALTER TABLE "new__users" RENAME TO "_users";
CREATE INDEX "_users_email_idx" ON "_users"("email");
CREATE UNIQUE INDEX "_users_account_id_email_key" ON "_users"("account_id", "email");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

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

-- Seed the two built-in roles (SnackBase ids 1 and 2).
INSERT INTO "_roles" ("id", "name", "description") VALUES (1, 'admin', 'Full access to every collection'), (2, 'user', 'Regular user; no permissions until granted');
