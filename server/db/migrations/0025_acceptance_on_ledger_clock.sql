-- When a delivery was accepted, on the ledger's clock (the gateway's ledgerNow at the match or
-- at the approver's resolution), beside the wall-clock matched_at and resolved_at. A payment's
-- time is its block's: the time to payment subtracts two times of one clock, so a chain whose
-- clock differs from the wall (a test chain moved ahead) no longer reports days for seconds.
-- Rows from before this migration keep NULL, and their time to payment is the old difference.
ALTER TABLE matches ADD COLUMN accepted_ledger_time TIMESTAMPTZ;
ALTER TABLE exceptions ADD COLUMN resolved_ledger_time TIMESTAMPTZ;
