-- Replenishment: a hospital's par levels (minimum and maximum units on hand) per campus × GTIN.
-- The campus is a GLN; NULL means the whole hospital (usages and receipts name no campus yet).
-- Forecasts and suggested orders are computed from usages, settlements and orders on request
-- and never stored: they are only as old as the data they read.

CREATE TABLE par_levels (
  hospital  TEXT NOT NULL,
  campus    TEXT CHECK (campus ~ '^[0-9]{13}$'),
  gtin      TEXT NOT NULL CHECK (gtin ~ '^[0-9]{14}$'),
  min_units INTEGER NOT NULL CHECK (min_units >= 0),
  max_units INTEGER NOT NULL CHECK (max_units > 0 AND max_units >= min_units),
  set_by    TEXT NOT NULL,
  set_at    TIMESTAMPTZ NOT NULL
);
-- One par level per hospital × campus × GTIN, the whole hospital ('' here) counting as one campus:
-- a unique index on the expression, since NULLs in a plain unique key never collide.
CREATE UNIQUE INDEX par_levels_key ON par_levels (hospital, (COALESCE(campus, '')), gtin);

-- A suggestion's orders are found by their reference's hash among the hospital's orders.
CREATE INDEX orders_hospital_ref ON orders (hospital, order_ref);
