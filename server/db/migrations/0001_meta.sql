-- Facts about the ledger this database mirrors, one row per key. The chain id and deployment
-- id are written on first start and checked on every start after (ledger-identity.ts), so a
-- database is never mixed with events from another chain or deployment.
CREATE TABLE ledger_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
