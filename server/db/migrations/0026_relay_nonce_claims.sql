-- What relayed transactions use up besides the relayer's own nonce: a signer's nonce at the
-- forwarder (a forward request) or at the settlement token (a permit). One row per nonce in
-- flight, shared by every replica, so that exactly one request per (signer, nonce) is sent
-- (server/modules/relay/relay.claims.ts).
CREATE TABLE relay_nonce_claims (
  kind          TEXT NOT NULL CHECK (kind IN ('forward', 'permit')),
  signer        TEXT NOT NULL CHECK (signer ~ '^0x[0-9a-f]{40}$'),
  nonce         NUMERIC(78, 0) NOT NULL CHECK (nonce >= 0),
  -- The request holding the claim: only it may record a transaction under it.
  holder        TEXT NOT NULL,
  -- Database time the request took the claim; while it has sent nothing, the claim lapses a
  -- while after this (its process may have died during the checks).
  claimed_at    TIMESTAMPTZ NOT NULL,
  -- The signed request's deadline, chain time in seconds: past it, it can never run.
  deadline      BIGINT NOT NULL,
  -- The relaying transaction, written before it is broadcast: its hash, the relayer and relayer
  -- nonce that tell when it can no longer be mined, and its signed bytes, which the relayer sends
  -- again should the node lose it (after a restart of the node, or of the gateway that sent it).
  tx_hash       TEXT CHECK (tx_hash ~ '^0x[0-9a-f]{64}$'),
  relayer       TEXT CHECK (relayer ~ '^0x[0-9a-f]{40}$'),
  relayer_nonce BIGINT CHECK (relayer_nonce >= 0),
  raw_tx        TEXT CHECK (raw_tx ~ '^0x([0-9a-f]{2})+$'),
  PRIMARY KEY (kind, signer, nonce),
  CHECK ((tx_hash IS NULL) = (relayer IS NULL) AND (tx_hash IS NULL) = (relayer_nonce IS NULL)
    AND (tx_hash IS NULL) = (raw_tx IS NULL))
);

-- A relayer's transactions still to be mined, found by relayer and nonce (relay.sender.ts).
CREATE INDEX relay_nonce_claims_relayer ON relay_nonce_claims (relayer, relayer_nonce)
  WHERE tx_hash IS NOT NULL;
