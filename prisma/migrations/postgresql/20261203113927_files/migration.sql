-- CreateTable
CREATE TABLE "_files" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "user_id" TEXT,
    "name" TEXT NOT NULL,
    "mime_type" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "storage_key" TEXT NOT NULL,
    "storage_type" TEXT NOT NULL,
    "collection" TEXT,
    "record_id" TEXT,
    "field" TEXT,
    "created" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "_files_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "_file_refs" (
    "file_id" TEXT NOT NULL,
    "collection_id" TEXT NOT NULL,
    "record_id" TEXT NOT NULL,

    CONSTRAINT "_file_refs_pkey" PRIMARY KEY ("file_id","collection_id","record_id")
);

-- CreateIndex
CREATE INDEX "_files_account_id_created_idx" ON "_files"("account_id", "created");

-- CreateIndex
CREATE INDEX "_files_account_id_collection_record_id_idx" ON "_files"("account_id", "collection", "record_id");

-- CreateIndex
CREATE INDEX "_files_user_id_created_idx" ON "_files"("user_id", "created");

-- CreateIndex
CREATE INDEX "_file_refs_collection_id_record_id_idx" ON "_file_refs"("collection_id", "record_id");
