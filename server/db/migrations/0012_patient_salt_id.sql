-- Which salt hashed each patient reference. The id is derived from the salt (never the salt
-- itself), so a rotation of PATIENT_REF_SALT shows as a new id on the rows hashed after it, and
-- hashes under different salts are never compared as if they could match. Rows recorded before
-- this migration keep NULL: their salt is unknown (it may have been derived from AUTH_SECRET).
ALTER TABLE usages ADD COLUMN patient_salt_id TEXT;
ALTER TABLE usages ADD CONSTRAINT usages_patient_salt_id_format
  CHECK (patient_salt_id IS NULL OR patient_salt_id ~ '^[0-9a-f]{16}$');
