import { expect } from "chai";
import { ethers } from "ethers";
import type { FastifyInstance } from "fastify";
import type { ExceptionList } from "../../../../api/exceptions";
import type { ReceiptResult } from "../../../../api/receipts";
import * as act from "../../../../ledger/acts";
import { REASONS } from "../../../../ledger/reasons";
import { forEachEngine } from "../../helpers/engines";
import { DAY, GTIN, LOT, type ChainStack, type Procurement } from "../../support/chain";
import {
  bearer,
  chainIso,
  isoDate,
  loginAll,
  orderAndShip,
  postReceipt,
  startApi,
  stopApi,
  type ApiStack,
  type Shipped,
} from "../../support/api-fixtures";

/**
 * A held receipt holds its units on the ledger too. A supplier may claim a delivery's settlement
 * once the confirmation window after its receiving step has passed, and the claim pays every
 * unit not disputed. The attack this stops: the dock counts 2 of 10 units, the receipt is held
 * as an exception, the approvers have not decided within the window — and the supplier's claim
 * was paid for all 10. Now the receipt queues a dispute of the units it withholds, which the
 * payment worker sends: the claim pays what the dock counted, and an approver's decision still
 * pays what it decides.
 */

const HELD_LOT = "LOTHOLD";

forEachEngine((engine) => {
  let stack: ApiStack;
  let app: FastifyInstance;
  let chain: ChainStack;
  let p: Procurement;
  let t: Record<"receiver" | "approver", string>;
  const s = {} as Record<"short" | "recalled" | "decided", Shipped>;
  const held = {} as Record<keyof typeof s, ReceiptResult>;

  before(async function () {
    this.timeout(240_000);
    stack = await startApi(engine.db);
    ({ app, chain, p } = stack);
    const { cast, ledger } = chain;
    s.short = await orderAndShip(chain, p, { quantity: 10, prefix: "HS" });
    s.recalled = await orderAndShip(chain, p, { quantity: 10, prefix: "HR", lot: HELD_LOT });
    s.decided = await orderAndShip(chain, p, { quantity: 10, prefix: "HD" });
    await act.sent(ledger.trace.connect(cast.regulator).recall(BigInt(GTIN), HELD_LOT, 41));
    // The dock records each receiving step on the ledger, as the console does: the supplier's
    // confirmation window runs from it.
    for (const x of Object.values(s))
      await act.recordTrace(ledger, cast.receiver, x.shipmentId, "receiving", {
        location: "dock",
        eventTime: await chain.now(),
      });
    await app.indexer.catchUp();
    t = await loginAll(app, { receiver: cast.receiver, approver: cast.approver });
    const counted: Record<keyof typeof s, number> = { short: 2, recalled: 10, decided: 4 };
    for (const key of Object.keys(s) as (keyof typeof s)[]) {
      const x = s[key];
      const lot = key === "recalled" ? HELD_LOT : LOT;
      const res = await postReceipt(
        app,
        t.receiver,
        {
          receiptNo: `GR-HOLD-${key}`,
          shipmentId: String(x.shipmentId),
          receivedAt: await chainIso(chain),
          lines: [{ gtin: GTIN, lot, expiry: isoDate(x.expiry), quantity: counted[key] }],
        },
        `hold-${key}`,
      );
      expect(res.statusCode, res.body).to.equal(201);
      held[key] = res.json<ReceiptResult>();
    }
    await app.settlementWorker!.drain();
  });

  after(() => stopApi(stack));

  /**
   * The supplier claims the shipment's settlement: its ShipmentSettled units, the supplier's
   * gain, and the order's escrow before (the whole order is this one shipment).
   */
  async function claim(x: Shipped) {
    const { ledger, cast } = chain;
    const before = await ledger.token.balanceOf(cast.supplier.address);
    const { escrow } = await ledger.orderBook.order(x.orderId);
    const receipt = await act.sent(
      ledger.orderBook
        .connect(cast.supplier)
        .claimSettlement(x.shipmentId, await act.shipmentRecord(ledger, x.shipmentId)),
    );
    const [settled] = act.eventsOf(receipt, ledger.orderBook, "ShipmentSettled");
    const units = settled.confirmation as { accepted: bigint; rejected: bigint };
    const gain = (await ledger.token.balanceOf(cast.supplier.address)) - before;
    return { accepted: units.accepted, rejected: units.rejected, gain, escrow };
  }

  it("disputes on the ledger the units each held receipt withholds, with the held-receipt reason", async function () {
    expect([held.short.match.status, held.short.match.reasons.map((r) => r.code)]).to.deep.equal([
      "exception",
      ["SHORT_DELIVERY"],
    ]);
    expect(held.recalled.match.reasons.map((r) => r.code)).to.deep.equal(["LOT_RECALLED"]);
    const { orderBook } = chain.ledger;
    // Short: the 8 the dock did not count. Recalled: every unit, the reason being the lot's.
    expect(await orderBook.disputedUnits(s.short.shipmentId)).to.equal(8n);
    expect(await orderBook.disputedUnits(s.recalled.shipmentId)).to.equal(10n);
    expect(await orderBook.disputedUnits(s.decided.shipmentId)).to.equal(6n);
    const events = await orderBook.queryFilter(orderBook.filters.ShipmentDisputed(s.short.shipmentId));
    expect(events.map((e) => [e.args.units, e.args.reasonCode])).to.deep.equal([
      [8n, BigInt(REASONS.receipt_held.code)],
    ]);
    // The approvers see it on the exception: what is withheld, and that the ledger has it.
    const res = await app.inject({
      method: "GET",
      url: "/v1/exceptions?status=open",
      headers: bearer(t.approver),
    });
    expect(res.statusCode, res.body).to.equal(200);
    const holds = res.json<ExceptionList>().items.map((e) => [e.receiptNo, e.ledgerHold]);
    expect(holds).to.deep.equal([
      ["GR-HOLD-short", { units: "8", status: "confirmed", error: null }],
      ["GR-HOLD-recalled", { units: "10", status: "confirmed", error: null }],
      ["GR-HOLD-decided", { units: "6", status: "confirmed", error: null }],
    ]);
    // Sent once: a second drain finds nothing to send.
    await app.settlementWorker!.drain();
    expect(
      await orderBook.queryFilter(orderBook.filters.ShipmentDisputed(s.short.shipmentId)),
    ).to.have.length(1);
  });

  it("lets the approver's decision pay what it decides, the dispute notwithstanding", async function () {
    const res = await app.inject({
      method: "POST",
      url: `/v1/exceptions/${held.decided.exceptionId}/resolve`,
      headers: bearer(t.approver),
      payload: { action: "accept_part", acceptedQuantity: 10, note: "the other 6 were on the next pallet" },
    });
    expect(res.statusCode, res.body).to.equal(200);
    const { ledger, cast } = chain;
    const before = await ledger.token.balanceOf(cast.supplier.address);
    const { escrow } = await ledger.orderBook.order(s.decided.orderId);
    await app.settlementWorker!.drain();
    // All ten paid: the order's whole escrow.
    expect((await ledger.token.balanceOf(cast.supplier.address)) - before).to.equal(escrow);
    const [settled] = await ledger.orderBook.queryFilter(
      ledger.orderBook.filters.ShipmentSettled(s.decided.shipmentId),
    );
    const units = settled.args.confirmation;
    expect([units.accepted, units.rejected]).to.deep.equal([10n, 0n]);
  });

  describe("once the confirmation window has passed with the other two undecided", function () {
    before(async function () {
      await chain.advance(7 * DAY + 60);
    });

    it("pays the supplier's claim for the 2 units the dock counted, not the 8 it did not", async function () {
      const paid = await claim(s.short);
      expect([paid.accepted, paid.rejected]).to.deep.equal([2n, 8n]);
      // Paid pro rata from the order's escrow: two units' worth of ten, and no more.
      expect(paid.gain).to.equal((paid.escrow * 2n) / 10n);
    });

    it("pays nothing for a recalled lot's delivery, even once the recall is lifted", async function () {
      const { ledger, cast } = chain;
      await act.sent(
        ledger.trace.connect(cast.regulator).liftRecall(BigInt(GTIN), HELD_LOT, ethers.ZeroAddress, 42),
      );
      const paid = await claim(s.recalled);
      expect([paid.accepted, paid.rejected, paid.gain]).to.deep.equal([0n, 10n, 0n]);
    });
  });
});
