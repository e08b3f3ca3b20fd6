-- Whether an order is consigned (ConsignmentBook's OrderConsigned), on the order's own row, so
-- that the orders list looks up in consigned stock only the few orders of a page that are
-- (orders.repository.ts), and by an index. Nullable: a reorg rewind puts back row images recorded
-- before this column existed, which lack it; NULL means "look it up".
ALTER TABLE orders ADD COLUMN consigned BOOLEAN DEFAULT FALSE;
UPDATE orders SET consigned = TRUE WHERE id IN (SELECT order_id FROM consigned_orders);
CREATE INDEX consigned_stock_order ON consigned_stock (order_id);
