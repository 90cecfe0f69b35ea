-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "_accounts" (
    "id" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "created" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "_accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "_users" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "name" TEXT,
    "avatar" TEXT,
    "role" TEXT NOT NULL DEFAULT 'user',
    "superadmin" BOOLEAN NOT NULL DEFAULT false,
    "verified" BOOLEAN NOT NULL DEFAULT false,
    "created" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "_users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "_refresh_tokens" (
    "id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "family_id" TEXT NOT NULL,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "revoked_at" TIMESTAMP(3),
    "created" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "_refresh_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "_collections" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL DEFAULT 'base',
    "fields" TEXT NOT NULL,
    "options" TEXT NOT NULL DEFAULT '{}',
    "list_rule" TEXT,
    "view_rule" TEXT,
    "create_rule" TEXT,
    "update_rule" TEXT,
    "delete_rule" TEXT,
    "view_query" TEXT,
    "system" BOOLEAN NOT NULL DEFAULT false,
    "created" TEXT NOT NULL,
    "updated" TEXT NOT NULL,

    CONSTRAINT "_collections_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "_events" (
    "seq" SERIAL NOT NULL,
    "account_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "collection" TEXT NOT NULL,
    "record_id" TEXT,
    "payload" TEXT NOT NULL,
    "created" TEXT NOT NULL,

    CONSTRAINT "_events_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "_meta" (
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "_meta_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "_accounts_slug_key" ON "_accounts"("slug");

-- CreateIndex
CREATE INDEX "_users_email_idx" ON "_users"("email");

-- CreateIndex
CREATE UNIQUE INDEX "_users_account_id_email_key" ON "_users"("account_id", "email");

-- CreateIndex
CREATE UNIQUE INDEX "_refresh_tokens_token_hash_key" ON "_refresh_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "_refresh_tokens_family_id_idx" ON "_refresh_tokens"("family_id");

-- CreateIndex
CREATE UNIQUE INDEX "_collections_name_key" ON "_collections"("name");

-- CreateIndex
CREATE INDEX "_events_collection_seq_idx" ON "_events"("collection", "seq");

-- AddForeignKey
ALTER TABLE "_users" ADD CONSTRAINT "_users_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "_refresh_tokens" ADD CONSTRAINT "_refresh_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "_users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
