-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new__saml_providers" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "account_id" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "entity_id" TEXT NOT NULL,
    "sso_url" TEXT NOT NULL,
    "certificate" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "allow_idp_initiated" BOOLEAN NOT NULL DEFAULT false,
    "created" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated" DATETIME NOT NULL,
    CONSTRAINT "_saml_providers_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "_accounts" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new__saml_providers" ("account_id", "certificate", "created", "enabled", "entity_id", "id", "provider", "sso_url", "updated") SELECT "account_id", "certificate", "created", "enabled", "entity_id", "id", "provider", "sso_url", "updated" FROM "_saml_providers";
DROP TABLE "_saml_providers";
ALTER TABLE "new__saml_providers" RENAME TO "_saml_providers";
CREATE UNIQUE INDEX "_saml_providers_account_id_provider_key" ON "_saml_providers"("account_id", "provider");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
