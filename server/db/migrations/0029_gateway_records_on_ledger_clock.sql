-- When the gateway recorded a serial list, raised an exception and queued a payment, on the
-- ledger's clock (its ledgerNow at the write), beside the wall-clock columns, as migration 0025
-- did for acceptances and resolutions. The trail explorer orders these steps among the on-chain
-- ones, whose times are their blocks', and the exceptions page shows when one was raised: on a
-- chain whose clock runs ahead of the wall (the demo's), the wall clock put a delivery's match and
-- exceptions months before the order they belong to. Rows from before this migration keep NULL
-- and show the wall clock, as before.
ALTER TABLE manifests ADD COLUMN ledger_time TIMESTAMPTZ;
ALTER TABLE exceptions ADD COLUMN ledger_time TIMESTAMPTZ;
ALTER TABLE settlement_jobs ADD COLUMN ledger_time TIMESTAMPTZ;
