-- A par level may name any ledger product number: a GTIN-14 or the product key of another
-- agency's device identifier (15 to 20 digits, migration 0019), as receipts and usages do.
ALTER TABLE par_levels DROP CONSTRAINT par_levels_gtin_check;
ALTER TABLE par_levels ADD CONSTRAINT par_levels_gtin_check
  CHECK (gtin ~ '^([0-9]{14}|[1-9][0-9]{14,19})$');
