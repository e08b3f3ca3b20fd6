-- The insurance fund (FundBook): each tender's cover (its payer, prepayment share and whether
-- the fund settles it directly) and every movement of the fund's money, projected from the
-- events: paid in (prepayment or escrow), drawn by an order's funding, restored by its refunds,
-- spent on a settlement (OrderBook.SettlementFundPaid: the amount the hospital's reimbursement is
-- reduced by) and returned to the payer after the term. Balances are sums of the movements, so
-- they cannot drift from them.

ALTER TABLE chain_events DROP CONSTRAINT chain_events_contract_known;
ALTER TABLE chain_events ADD CONSTRAINT chain_events_contract_known
  CHECK (contract IN ('forwarder', 'roles', 'token', 'registry', 'tenders', 'agreements', 'hospitals', 'trace',
    'orderBook', 'budgets', 'consignment', 'campusTransfers', 'fund'));

CREATE TABLE fund_covers (
  tender_id        BIGINT PRIMARY KEY,
  payer            TEXT NOT NULL,
  prepay_share_bps INTEGER NOT NULL CHECK (prepay_share_bps BETWEEN 0 AND 10000),
  direct           BOOLEAN NOT NULL,
  covered_at       TIMESTAMPTZ NOT NULL,
  last_tx          TEXT NOT NULL,
  last_block       BIGINT NOT NULL
);

-- One row per movement; `prepayment` and `escrow` are the signed changes of the account's two
-- balances (paid-in and restored add, drawn and returned take away; spent moves nothing in the
-- fund book: the money had already left it for the order's escrow).
CREATE TABLE fund_movements (
  kind         TEXT NOT NULL CONSTRAINT fund_movements_kind_known
                 CHECK (kind IN ('prepaid', 'escrowed', 'drawn', 'restored', 'spent', 'returned')),
  agreement_id BIGINT NOT NULL,
  hospital     TEXT NOT NULL,
  order_id     BIGINT,
  shipment_id  BIGINT,
  prepayment   NUMERIC(78,0) NOT NULL DEFAULT 0,
  escrow       NUMERIC(78,0) NOT NULL DEFAULT 0,
  amount       NUMERIC(78,0) NOT NULL CHECK (amount >= 0),
  at           TIMESTAMPTZ NOT NULL,
  tx_hash      TEXT NOT NULL,
  block_number BIGINT NOT NULL,
  log_index    INTEGER NOT NULL,
  PRIMARY KEY (tx_hash, log_index)
);
CREATE INDEX fund_movements_account ON fund_movements (agreement_id, hospital);
CREATE INDEX fund_movements_hospital_at ON fund_movements (hospital, at);

CREATE TRIGGER fund_covers_undo AFTER INSERT OR UPDATE OR DELETE ON fund_covers
  FOR EACH ROW EXECUTE FUNCTION indexer_record_undo();
CREATE TRIGGER fund_movements_undo AFTER INSERT OR UPDATE OR DELETE ON fund_movements
  FOR EACH ROW EXECUTE FUNCTION indexer_record_undo();
