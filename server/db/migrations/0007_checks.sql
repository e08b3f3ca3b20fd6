-- Every status column, and every other column that holds one of a fixed set of values, refuses
-- anything else: a typo in a repository or a projection fails at the statement that makes it,
-- not in a report months later. The sets are those of ledger/enums.ts (chain enums, by name)
-- and of the services that write the back-office tables.

-- Projections of the ledger.
ALTER TABLE chain_events ADD CONSTRAINT chain_events_contract_known
  CHECK (contract IN ('forwarder', 'roles', 'token', 'registry', 'tenders', 'agreements', 'hospitals', 'trace',
    'orderBook'));
ALTER TABLE suppliers ADD CONSTRAINT suppliers_status_known
  CHECK (status IN ('active', 'suspended'));
ALTER TABLE supplier_documents ADD CONSTRAINT supplier_documents_kind_known
  CHECK (kind IN ('business_licence', 'device_operating_permit', 'product_registration'));
ALTER TABLE supplier_documents ADD CONSTRAINT supplier_documents_status_known
  CHECK (status IN ('pending', 'attested', 'rejected'));
ALTER TABLE tenders ADD CONSTRAINT tenders_status_known
  CHECK (status IN ('open', 'awarded', 'failed', 'cancelled'));
ALTER TABLE orders ADD CONSTRAINT orders_status_known
  CHECK (status IN ('placed', 'funded', 'closed', 'cancelled'));
ALTER TABLE trace_events ADD CONSTRAINT trace_events_step_known
  CHECK (step IN ('shipping', 'departing', 'arriving', 'receiving', 'inspecting', 'accepting', 'holding', 'storing'));
-- Role bits: 1 approver, 2 settler, 4 receiver (HospitalRoles.ALL = 7). No role is no row.
ALTER TABLE hospital_members ADD CONSTRAINT hospital_members_roles_known
  CHECK (roles BETWEEN 1 AND 7);
ALTER TABLE hospital_invitations ADD CONSTRAINT hospital_invitations_roles_known
  CHECK (roles BETWEEN 1 AND 7);

-- The back office.
ALTER TABLE matches ADD CONSTRAINT matches_status_known
  CHECK (status IN ('matched', 'exception'));
ALTER TABLE exceptions ADD CONSTRAINT exceptions_status_known
  CHECK (status IN ('open', 'resolved'));
ALTER TABLE exceptions ADD CONSTRAINT exceptions_source_known
  CHECK (source IN ('match', 'settlement'));
ALTER TABLE exceptions ADD CONSTRAINT exceptions_resolution_known
  CHECK (resolution IN ('accept_all', 'accept_part', 'reject'));
ALTER TABLE settlement_jobs ADD CONSTRAINT settlement_jobs_status_known
  CHECK (status IN ('pending', 'submitted', 'confirmed', 'failed'));
ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_status_code_known
  CHECK (status_code BETWEEN 100 AND 599);
