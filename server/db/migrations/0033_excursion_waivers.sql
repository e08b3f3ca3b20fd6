-- Temperature excursions as they stood at any instant, for the reconciliation's
-- USED_AFTER_EXCURSION: a use after an excursion on a delivery of the lot that no waiver known at
-- the report's instant covered. A waiver covers the excursions recorded before it
-- (DeliveryTrace.waiveExcursion), and a later excursion needs its own; `shipments.excursion_waived`
-- says only how things stand now.
--
-- When the chain recorded each trace event: its sensor time (`event_time`) may lie anywhere in
-- the past, so a report as of an instant must not know of an excursion recorded after it.
ALTER TABLE trace_events ADD COLUMN recorded_at TIMESTAMPTZ;
-- Every indexed trace event has its row in the event log; the sensor time stands in only where
-- someone trimmed the log by hand.
UPDATE trace_events t SET recorded_at = COALESCE(
  (SELECT c.block_time FROM chain_events c WHERE c.block_number = t.block_number AND c.log_index = t.log_index),
  t.event_time);
ALTER TABLE trace_events ALTER COLUMN recorded_at SET NOT NULL;

-- Every waiver, with its block time and how many of the shipment's trace events it covers (they
-- are numbered in chain order, trace_events.event_index).
CREATE TABLE excursion_waivers (
  shipment_id    BIGINT NOT NULL,
  approver       TEXT NOT NULL,
  reason_code    INTEGER NOT NULL,
  waived_at      TIMESTAMPTZ NOT NULL,
  covers_through INTEGER NOT NULL,
  tx_hash        TEXT NOT NULL,
  block_number   BIGINT NOT NULL,
  log_index      INTEGER NOT NULL,
  PRIMARY KEY (tx_hash, log_index)
);
CREATE INDEX excursion_waivers_shipment ON excursion_waivers (shipment_id);
CREATE TRIGGER excursion_waivers_undo AFTER INSERT OR UPDATE OR DELETE ON excursion_waivers
  FOR EACH ROW EXECUTE FUNCTION indexer_record_undo();

-- The waivers indexed before this migration, from the stored event log.
INSERT INTO excursion_waivers (shipment_id, approver, reason_code, waived_at, covers_through, tx_hash, block_number,
  log_index)
SELECT (c.args->>'shipmentId')::bigint, lower(c.args->>'approver'), (c.args->>'reasonCode')::int, c.block_time,
  (SELECT count(*) FROM trace_events t
   WHERE t.shipment_id = (c.args->>'shipmentId')::bigint AND (t.block_number, t.log_index) < (c.block_number, c.log_index)),
  c.tx_hash, c.block_number, c.log_index
FROM chain_events c
WHERE c.contract = 'trace' AND c.event = 'ExcursionWaived';
-- Those in blocks a reorganisation may still drop (the indexer's block window) are logged as the
-- indexer would have logged them, so a rewind takes them back with their blocks.
INSERT INTO indexer_undo (block_number, table_name, old_row, new_row)
SELECT w.block_number, 'excursion_waivers', NULL, to_jsonb(w)
FROM excursion_waivers w
WHERE w.block_number >= (SELECT min(b.block_number) FROM indexer_blocks b);

-- The reconciliation looks up a lot's shipments with an excursion: few of all shipments.
CREATE INDEX shipments_excursion_lot ON shipments (gtin, lot) WHERE excursion;
