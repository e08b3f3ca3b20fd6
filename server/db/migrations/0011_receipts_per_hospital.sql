-- Receipt numbers are a hospital's own document numbers: unique per hospital, not across
-- hospitals (one hospital's GR-0001 must not stop another's). A receipt is named by
-- (hospital, receipt_no); the tables that hang off it carry the hospital too, or are keyed by the
-- shipment, which has at most one receipt.

ALTER TABLE receipts DROP CONSTRAINT receipts_pkey;
ALTER TABLE receipts ADD PRIMARY KEY (hospital, receipt_no);

ALTER TABLE receipt_lines ADD COLUMN hospital TEXT;
UPDATE receipt_lines l SET hospital = r.hospital FROM receipts r WHERE r.receipt_no = l.receipt_no;
ALTER TABLE receipt_lines ALTER COLUMN hospital SET NOT NULL;
ALTER TABLE receipt_lines DROP CONSTRAINT receipt_lines_pkey;
ALTER TABLE receipt_lines ADD PRIMARY KEY (hospital, receipt_no, line_no);

-- One match per receipt, and one receipt per shipment: the shipment names the match.
ALTER TABLE matches DROP CONSTRAINT matches_pkey;
ALTER TABLE matches ADD PRIMARY KEY (shipment_id);

-- A serial counts as received only from a conforming line of a receipt that matched, or once an
-- approver accepted the receipt's exception. Rows the old rule recorded from receipts that did
-- not match and were never accepted are released, so they block no real receipt.
DELETE FROM received_serials rs
WHERE EXISTS (
    SELECT 1 FROM receipts r JOIN matches m ON m.shipment_id = r.shipment_id
    WHERE r.hospital = rs.hospital AND r.receipt_no = rs.receipt_no AND m.status = 'exception')
  AND NOT EXISTS (
    SELECT 1 FROM receipts r JOIN exceptions e ON e.shipment_id = r.shipment_id
    WHERE r.hospital = rs.hospital AND r.receipt_no = rs.receipt_no
      AND e.status = 'resolved' AND e.resolution IN ('accept_all', 'accept_part'));
CREATE INDEX received_serials_receipt ON received_serials (hospital, receipt_no);
