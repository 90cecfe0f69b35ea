-- AlterTable
ALTER TABLE "_saml_providers" ADD COLUMN     "allow_idp_initiated" BOOLEAN NOT NULL DEFAULT false;
