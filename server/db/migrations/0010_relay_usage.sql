-- What the relay spent per UTC day: requests per account and per client IP, gas per relayer
-- key. Each counter moves by one conditional upsert, so parallel requests cannot pass a limit.
CREATE TABLE relay_usage (
  day      DATE NOT NULL,
  -- 'account:<address>', 'ip:<address>' or 'gas:<relayer address>'
  subject  TEXT NOT NULL CHECK (subject ~ '^(account|ip|gas):'),
  used     BIGINT NOT NULL CHECK (used >= 0),
  PRIMARY KEY (day, subject)
);
