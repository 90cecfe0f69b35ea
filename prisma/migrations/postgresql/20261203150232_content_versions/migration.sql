-- CreateTable
CREATE TABLE "_content_versions" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "collection_id" TEXT NOT NULL,
    "record_id" TEXT NOT NULL,
    "record_version" INTEGER NOT NULL,
    "status" TEXT,
    "data" TEXT NOT NULL,
    "author_id" TEXT,
    "created" TEXT NOT NULL,

    CONSTRAINT "_content_versions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "_content_versions_collection_id_record_id_record_version_idx" ON "_content_versions"("collection_id", "record_id", "record_version");
