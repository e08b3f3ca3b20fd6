-- An order's consigned deliveries, for the orders list's split of a consigned order's settled
-- value (paid on use, held, refunded: orders.repository.ts) without reading all consigned stock.
CREATE INDEX consigned_stock_order ON consigned_stock (order_id);
