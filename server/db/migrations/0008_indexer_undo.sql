-- A reorg takes back only what the dropped blocks produced. While the indexer applies an event
-- of a block that a reorg could still drop (one inside its window), it names that block in the
-- transaction-local setting `sunshine.undo_block`; a trigger on every projection table then
-- records each row change with the row before and after it. A rewind replays the changes of the
-- dropped blocks backwards (delete what was inserted, put back what was updated or deleted), so
-- its work grows with the reorg's depth, not with the history. Outside the indexer the setting
-- is empty and nothing is recorded; rows below the window are pruned with the block window.

CREATE TABLE indexer_undo (
  id           BIGSERIAL PRIMARY KEY,  -- the order the changes were made in
  block_number BIGINT NOT NULL,
  table_name   TEXT NOT NULL,
  old_row      JSONB,                  -- NULL: the change inserted the row
  new_row      JSONB,                  -- NULL: the change deleted the row
  CHECK (old_row IS NOT NULL OR new_row IS NOT NULL)
);
CREATE INDEX indexer_undo_block ON indexer_undo (block_number);

CREATE FUNCTION indexer_record_undo() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  block TEXT := current_setting('sunshine.undo_block', true);
BEGIN
  IF block IS NULL OR block = '' THEN
    RETURN NULL;
  END IF;
  INSERT INTO indexer_undo (block_number, table_name, old_row, new_row)
  VALUES (
    block::BIGINT,
    TG_TABLE_NAME,
    CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN to_jsonb(OLD) END,
    CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN to_jsonb(NEW) END
  );
  RETURN NULL;
END
$$;

CREATE TRIGGER suppliers_undo AFTER INSERT OR UPDATE OR DELETE ON suppliers
  FOR EACH ROW EXECUTE FUNCTION indexer_record_undo();
CREATE TRIGGER supplier_documents_undo AFTER INSERT OR UPDATE OR DELETE ON supplier_documents
  FOR EACH ROW EXECUTE FUNCTION indexer_record_undo();
CREATE TRIGGER supplier_gtins_undo AFTER INSERT OR UPDATE OR DELETE ON supplier_gtins
  FOR EACH ROW EXECUTE FUNCTION indexer_record_undo();
CREATE TRIGGER required_kinds_undo AFTER INSERT OR UPDATE OR DELETE ON required_kinds
  FOR EACH ROW EXECUTE FUNCTION indexer_record_undo();
CREATE TRIGGER tenders_undo AFTER INSERT OR UPDATE OR DELETE ON tenders
  FOR EACH ROW EXECUTE FUNCTION indexer_record_undo();
CREATE TRIGGER bids_undo AFTER INSERT OR UPDATE OR DELETE ON bids
  FOR EACH ROW EXECUTE FUNCTION indexer_record_undo();
CREATE TRIGGER agreements_undo AFTER INSERT OR UPDATE OR DELETE ON agreements
  FOR EACH ROW EXECUTE FUNCTION indexer_record_undo();
CREATE TRIGGER agreement_hospitals_undo AFTER INSERT OR UPDATE OR DELETE ON agreement_hospitals
  FOR EACH ROW EXECUTE FUNCTION indexer_record_undo();
CREATE TRIGGER hospitals_undo AFTER INSERT OR UPDATE OR DELETE ON hospitals
  FOR EACH ROW EXECUTE FUNCTION indexer_record_undo();
CREATE TRIGGER hospital_members_undo AFTER INSERT OR UPDATE OR DELETE ON hospital_members
  FOR EACH ROW EXECUTE FUNCTION indexer_record_undo();
CREATE TRIGGER hospital_invitations_undo AFTER INSERT OR UPDATE OR DELETE ON hospital_invitations
  FOR EACH ROW EXECUTE FUNCTION indexer_record_undo();
CREATE TRIGGER orders_undo AFTER INSERT OR UPDATE OR DELETE ON orders
  FOR EACH ROW EXECUTE FUNCTION indexer_record_undo();
CREATE TRIGGER order_approvals_undo AFTER INSERT OR UPDATE OR DELETE ON order_approvals
  FOR EACH ROW EXECUTE FUNCTION indexer_record_undo();
CREATE TRIGGER shipments_undo AFTER INSERT OR UPDATE OR DELETE ON shipments
  FOR EACH ROW EXECUTE FUNCTION indexer_record_undo();
CREATE TRIGGER trace_events_undo AFTER INSERT OR UPDATE OR DELETE ON trace_events
  FOR EACH ROW EXECUTE FUNCTION indexer_record_undo();
CREATE TRIGGER recalls_undo AFTER INSERT OR UPDATE OR DELETE ON recalls
  FOR EACH ROW EXECUTE FUNCTION indexer_record_undo();
CREATE TRIGGER settlements_undo AFTER INSERT OR UPDATE OR DELETE ON settlements
  FOR EACH ROW EXECUTE FUNCTION indexer_record_undo();

-- Blocks indexed before this migration have no undo record: keep only the newest as the cursor,
-- so a reorg reaching below it stops the indexer (too deep) instead of rewinding blindly.
DELETE FROM indexer_blocks WHERE block_number < (SELECT max(block_number) FROM indexer_blocks);
