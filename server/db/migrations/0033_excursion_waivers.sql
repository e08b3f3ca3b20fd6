-- When a temperature excursion was waived, and which of the shipment's trace events the waiver
-- covers. A waiver covers only the excursions recorded before it (DeliveryTrace.waiveExcursion),
-- and the reconciliation flags a use made after an excursion no waiver covered (as of the report's
-- instant): `excursion_waived` alone could not say which excursions a waiver covered, nor when.
-- `excursion_waived_through` is the shipment's trace event count when the waiver was recorded
-- (trace_events.event_index numbers them in chain order); `excursion_waived_at` its block time.
-- The latest waiver is kept: a report as of an instant between two waivers of one shipment sees
-- the later one as not given yet, and so the earlier one's excursions as standing.
ALTER TABLE shipments
  ADD COLUMN excursion_waived_at      TIMESTAMPTZ,
  ADD COLUMN excursion_waived_through INTEGER;

-- Waivers indexed before this migration: their events are known, their time is not. They count
-- as given at any instant (excursion_waived_at NULL with excursion_waived_through set).
UPDATE shipments s SET excursion_waived_through = (
  SELECT max(t.event_index) FROM trace_events t WHERE t.shipment_id = s.id AND t.excursion)
WHERE s.excursion_waived;

-- The reconciliation looks up a lot's shipments with an excursion: few of all shipments.
CREATE INDEX shipments_excursion_lot ON shipments (gtin, lot) WHERE excursion;
