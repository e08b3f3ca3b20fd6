-- Sign-In with Ethereum nonces: issued once, consumed once.
CREATE TABLE auth_nonces (
  nonce      TEXT PRIMARY KEY,
  issued_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  expires_at TIMESTAMPTZ NOT NULL,
  used_at    TIMESTAMPTZ,
  address    TEXT
);
