-- Hospitals' names, published to the gateway: the ledger keeps only keccak256 of a name (the
-- nameHash of HospitalEnrolled), and a name is stored only once its hash was checked against
-- that one. name_hash is kept with it so that a name is shown only while the indexed hospital
-- still has that hash (a reorg could replace the enrolment); the gateway alone writes this table,
-- so it is no projection and has no undo trigger.
CREATE TABLE hospital_names (
  address      TEXT PRIMARY KEY,
  name_hash    TEXT NOT NULL,
  name         TEXT NOT NULL,
  published_by TEXT NOT NULL,
  published_at TIMESTAMPTZ NOT NULL,
  CONSTRAINT hospital_names_name_length CHECK (char_length(name) BETWEEN 1 AND 200)
);
