-- The names a hospital gives the accounts that act for it (its members and invitees), so that its
-- pages read "Wang Fang" rather than 0x14dc…9955. The hospital's back office, not the ledger: the
-- chain knows its staff only by address, and a person's name stays with the hospital's gateway.
CREATE TABLE member_names (
  hospital  TEXT NOT NULL,
  member    TEXT NOT NULL,
  name      TEXT NOT NULL,
  named_by  TEXT NOT NULL,
  named_at  TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (hospital, member)
);
