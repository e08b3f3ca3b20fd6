import { expect } from "chai";
import { migrate } from "../../../../server/db";
import { project, type StoredEvent } from "../../../../server/modules/indexer/indexer.projections";
import { forEachEngine } from "../../helpers/engines";

/**
 * The consignment projection tells a hospital's confirmed return from the supplier's own return
 * by the pending return's units, not its value: a return can be worth nothing (a late penalty of
 * the whole price consigns stock with no value), and read as the supplier's own it counted the
 * units out twice and broke the stock's units-out check, halting the indexer.
 */
forEachEngine((engine) => {
  const HOSPITAL = "0x00000000000000000000000000000000000000a1";
  const SUPPLIER = "0x00000000000000000000000000000000000000b1";
  let log = 0;
  const event = (name: string, args: StoredEvent["args"]): StoredEvent => ({
    contract: "consignment",
    event: name,
    args,
    blockNumber: 100 + log,
    blockTime: new Date(Date.UTC(2027, 0, 1) + log * 60_000),
    txHash: `0x${String(++log).padStart(64, "0")}`,
    logIndex: 0,
  });

  before(() => migrate(engine.db));

  it("confirms a pending return worth nothing as the hospital's return, once", async function () {
    const db = engine.db;
    const shipmentId = "77";
    await project(
      db,
      event("StockConsigned", {
        shipmentId,
        orderId: "7",
        hospital: HOSPITAL,
        supplier: SUPPLIER,
        units: "10",
        value: "0",
        expiry: String(Date.UTC(2028, 0, 1) / 1000),
      }),
    );
    const answerBy = String(Date.UTC(2027, 0, 15) / 1000);
    await project(
      db,
      event("ConsignedReturnRequested", {
        shipmentId,
        orderId: "7",
        by: HOSPITAL,
        units: "10",
        value: "0",
        reasonCode: "403",
        answerBy,
      }),
    );
    await project(
      db,
      event("ConsignedStockReturned", {
        shipmentId,
        orderId: "7",
        by: HOSPITAL,
        units: "10",
        refund: "0",
        reasonCode: "403",
      }),
    );
    const { rows } = await db.query(
      `SELECT received, returned, pending_units, held::text, refunded::text FROM consigned_stock WHERE shipment_id = 77`,
    );
    expect(rows).to.deep.equal([{ received: 10, returned: 10, pending_units: 0, held: "0", refunded: "0" }]);
    const { rows: moves } = await db.query(
      `SELECT kind, units FROM consignment_movements WHERE shipment_id = 77 ORDER BY block_number`,
    );
    expect(moves).to.deep.equal([
      { kind: "return-requested", units: 10 },
      { kind: "return-confirmed", units: 10 },
    ]);
  });
});
