-- The public supplier scorecards read each supplier's shipments: without this index every
-- anonymous read scanned the shipments once per supplier.
CREATE INDEX shipments_supplier ON shipments (supplier);
