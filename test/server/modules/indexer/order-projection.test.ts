import { expect } from "chai";
import { ethers } from "ethers";
import { migrate } from "../../../../server/db";
import { LedgerEventDecoder } from "../../../../ledger/events";
import { Indexer } from "../../../../server/modules/indexer/indexer.service";
import * as act from "../../../../ledger/acts";
import { forEachEngine } from "../../helpers/engines";
import { DAY, GTIN, procure, startChain, type ChainStack, type Procurement } from "../../support/chain";

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * The orders projection agrees with OrderBook.order() after every way an order can end:
 * delivered in full, cancelled before shipping, and remainder cancelled after a delivery
 * (which emits OrderClosed and OrderCancelled with the same refund) — and with the number of
 * approvers its placement decided, which a later threshold does not change.
 */
forEachEngine((engine) => {
  let chain: ChainStack;
  let p: Procurement;
  const orders: Record<string, bigint> = {};

  before(async function () {
    this.timeout(180_000);
    chain = await startChain();
    p = await procure(chain, 10);
    const { ledger, cast } = chain;
    const t = await chain.now();
    const place = (quantity: bigint, reference: string) =>
      act.placeOrder(ledger, cast.hospital, {
        agreementId: p.agreementId,
        quantity,
        requestedDelivery: t + 20 * DAY,
        reference,
      });

    orders.delivered = p.orderId;
    await act.confirmShipment(ledger, cast.settler, p.shipmentId, {
      accepted: 10,
      rejected: 0,
      receiptHash: ethers.id("GR-1"),
    });

    orders.cancelledEarly = await place(5n, "PO-EARLY");
    await act.approveOrder(ledger, cast.approver, orders.cancelledEarly);
    await act.sent(ledger.orderBook.connect(cast.hospital).cancelOrder(orders.cancelledEarly));

    orders.remainder = await place(10n, "PO-REMAINDER");
    await act.approveOrder(ledger, cast.approver, orders.remainder);
    const { shipmentId } = await act.createShipment(ledger, cast.supplier, {
      orderId: orders.remainder,
      gtin: GTIN,
      lot: "LOT2026B",
      expiry: t + 365 * DAY,
      serials: ["R1", "R2", "R3", "R4"],
      notice: "DESADV-R",
    });
    await act.confirmShipment(ledger, cast.settler, shipmentId, {
      accepted: 4,
      rejected: 0,
      receiptHash: ethers.id("GR-R"),
    });
    await chain.advance(30 * DAY);
    await act.sent(ledger.orderBook.connect(cast.hospital).cancelOrder(orders.remainder));

    // Placed while 10 units (100 000) pass the hospital's threshold: two approvers, even though
    // the threshold is raised again before anyone approves.
    const hospitals = ledger.hospitals.connect(cast.hospital);
    await act.sent(hospitals.setApprovalThreshold(50_000n));
    orders.twoApprovers = await act.placeOrder(ledger, cast.hospital, {
      agreementId: p.agreementId,
      quantity: 10n,
      requestedDelivery: (await chain.now()) + 20 * DAY,
      reference: "PO-TWO",
    });
    await act.sent(hospitals.setApprovalThreshold(10_000_000n));
    await act.approveOrder(ledger, cast.approver, orders.twoApprovers);
    await act.approveOrder(ledger, cast.approver2, orders.twoApprovers);
  });

  after(async () => chain?.stop());

  it("mirrors the chain's status, quantities, escrow and payments for every order", async function () {
    await migrate(engine.db);
    const indexer = new Indexer(
      engine.db,
      chain.provider,
      new LedgerEventDecoder(chain.deployment.contracts),
      {
        deploymentBlock: chain.deployment.deploymentBlock,
        confirmations: 0,
        batchBlocks: 500,
        pollMs: 50,
        reorgWindow: 16,
      },
      silent,
    );
    await indexer.catchUp();
    const statusNames = ["none", "placed", "funded", "closed", "cancelled"];
    for (const [name, id] of Object.entries(orders)) {
      const onChain = await chain.ledger.orderBook.order(id);
      const { rows } = await engine.db.query<Record<string, unknown>>(
        `SELECT status, shipped, accepted, cancelled, escrow, required_approvals FROM orders WHERE id = $1`,
        [id],
      );
      expect(rows[0], name).to.deep.equal({
        status: statusNames[Number(onChain.status)],
        shipped: onChain.shipped.toString(),
        accepted: onChain.accepted.toString(),
        cancelled: onChain.cancelled.toString(),
        escrow: onChain.escrow.toString(),
        required_approvals: onChain.twoApprovals ? 2 : 1,
      });
    }
    const { rows } = await engine.db.query<{ id: string; status: string; approvals: number }>(
      `SELECT id, status, approvals FROM orders WHERE id = ANY($1::bigint[]) ORDER BY id`,
      [[orders.remainder, orders.twoApprovers]],
    );
    expect(rows).to.deep.equal([
      { id: String(orders.remainder), status: "closed", approvals: 1 },
      { id: String(orders.twoApprovers), status: "funded", approvals: 2 },
    ]);
  });
});
