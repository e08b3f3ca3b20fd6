-- Sign-in nonces bounded per client and purged on a timer (server/modules/auth/nonces.repository.ts).
-- `client`: the IP address that asked; NULL for the nonces issued before this migration.
ALTER TABLE auth_nonces ADD COLUMN client TEXT;
-- The purge deletes by expiry.
CREATE INDEX auth_nonces_expires_at ON auth_nonces (expires_at);
-- The per-client cap counts a client's unused, unexpired nonces.
CREATE INDEX auth_nonces_outstanding ON auth_nonces (client, expires_at) WHERE used_at IS NULL;
