-- A usage may name the inpatient case (encounter) it was billed on and the case's DRG/DIP group,
-- both as the hospital's billing system gives them: the group is only ever grouped by, never
-- interpreted. The claim-audit reports read a case's consumables through the second index.
ALTER TABLE usages
  ADD COLUMN case_id    TEXT,
  ADD COLUMN case_group TEXT,
  ADD CONSTRAINT usages_case_group_needs_case CHECK (case_group IS NULL OR case_id IS NOT NULL);
CREATE INDEX usages_case ON usages (hospital, case_id) WHERE case_id IS NOT NULL;
