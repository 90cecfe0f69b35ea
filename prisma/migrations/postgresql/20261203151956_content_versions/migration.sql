-- CreateTable
CREATE TABLE "_content_versions" (
    "account_id" TEXT NOT NULL,
    "collection_id" TEXT NOT NULL,
    "record_id" TEXT NOT NULL,
    "record_version" INTEGER NOT NULL,
    "status" TEXT,
    "data" TEXT NOT NULL,
    "author_id" TEXT,
    "created" TEXT NOT NULL,

    CONSTRAINT "_content_versions_pkey" PRIMARY KEY ("collection_id","record_id","record_version")
);
