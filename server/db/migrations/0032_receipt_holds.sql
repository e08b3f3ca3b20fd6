-- A held receipt holds its units on the ledger too. A supplier may claim a delivery's settlement
-- once the confirmation window after its receiving step has passed, and the claim pays every unit
-- the hospital has not disputed (OrderBook.claimSettlement). A receipt the match held (a short
-- delivery, a recalled lot) only raised an exception in this database, so while the approvers had
-- not decided, the supplier's claim paid for units the dock never counted. Now the receipt also
-- queues a dispute of the units it withholds (kind 'dispute', sent by the payment worker with the
-- settler key, exactly once like a payment), keyed by its own column: the shipment's settlement
-- job, once an approver decides, keeps `shipment_id`. `accepted` is what the hold would let a
-- claim pay, `rejected` the units disputed.
ALTER TABLE settlement_jobs DROP CONSTRAINT settlement_jobs_kind_known;
ALTER TABLE settlement_jobs ADD CONSTRAINT settlement_jobs_kind_known
  CHECK (kind IN ('settlement', 'consumption', 'dispute'));
ALTER TABLE settlement_jobs ADD COLUMN disputed_shipment_id BIGINT UNIQUE;
ALTER TABLE settlement_jobs DROP CONSTRAINT settlement_jobs_kind_key;
ALTER TABLE settlement_jobs ADD CONSTRAINT settlement_jobs_kind_key
  CHECK ((kind = 'settlement') = (shipment_id IS NOT NULL)
    AND (kind = 'consumption') = (batch_id IS NOT NULL)
    AND (kind = 'dispute') = (disputed_shipment_id IS NOT NULL));
ALTER TABLE settlement_jobs ADD CONSTRAINT settlement_jobs_dispute_units
  CHECK (kind <> 'dispute' OR rejected > 0);
