-- Accounts that existed before email verification, and those an operator creates, are never
-- deleted for being unverified: only self-registered ones are (see delete-unverified-accounts).
-- DropIndex
DROP INDEX "users_email_verified_created_at_idx";

-- AlterTable
ALTER TABLE "users" ADD COLUMN     "self_registered" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE INDEX "users_self_registered_email_verified_created_at_idx" ON "users"("self_registered", "email_verified", "created_at");
