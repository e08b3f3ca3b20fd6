import { expect } from "chai";
import { ethers } from "ethers";
import type { FastifyInstance } from "fastify";
import type { ExceptionList } from "../../../../api/exceptions";
import type { PaymentPage } from "../../../../api/payments";
import type { ReceiptResult } from "../../../../api/receipts";
import * as act from "../../../../ledger/acts";
import { REASONS } from "../../../../ledger/reasons";
import { forEachEngine } from "../../helpers/engines";
import { DAY, GTIN, LOT, type ChainStack, type Procurement } from "../../support/chain";
import {
  bearer,
  chainIso,
  expectError,
  isoDate,
  loginAll,
  orderAndShip,
  postReceipt,
  startApi,
  stopApi,
  type ApiStack,
  type Shipped,
} from "../../support/api-fixtures";
import { settlementWorker } from "../payments/support";

/**
 * A held receipt holds its units on the ledger too. A supplier may claim a delivery's settlement
 * once the confirmation window after its receiving step has passed, and the claim pays every
 * unit not disputed. The attack this stops: the dock counts 2 of 10 units, the receipt is held
 * as an exception, the approvers have not decided within the window — and the supplier's claim
 * was paid for all 10. Now the receipt queues a dispute of the units the match would not pay,
 * which the payment worker sends: the claim pays what the dock counted, an approver's decision
 * still pays what it decides, and an approver's own larger dispute stands.
 */

const HELD_LOT = "LOTHOLD";

forEachEngine((engine) => {
  let stack: ApiStack;
  let app: FastifyInstance;
  let chain: ChainStack;
  let p: Procurement;
  let t: Record<"receiver" | "approver", string>;
  const s = {} as Record<"short" | "recalled" | "decided" | "approverFirst" | "raced", Shipped>;
  const held = {} as Record<keyof typeof s, ReceiptResult>;
  /** Units the dock counts of each shipment's 10. */
  const counted: Record<keyof typeof s, number> = {
    short: 2,
    recalled: 10,
    decided: 4,
    approverFirst: 9,
    raced: 5,
  };

  /** Posts the dock's receipt of shipment `key`, counting `counted[key]` units. */
  async function receive(key: keyof typeof s): Promise<void> {
    const x = s[key];
    const res = await postReceipt(
      app,
      t.receiver,
      {
        receiptNo: `GR-HOLD-${key}`,
        shipmentId: String(x.shipmentId),
        receivedAt: await chainIso(chain),
        lines: [{ gtin: GTIN, lot: x.lot, expiry: isoDate(x.expiry), quantity: counted[key] }],
      },
      `hold-${key}`,
    );
    expect(res.statusCode, res.body).to.equal(201);
    held[key] = res.json<ReceiptResult>();
  }

  before(async function () {
    this.timeout(240_000);
    stack = await startApi(engine.db);
    ({ app, chain, p } = stack);
    const { cast, ledger } = chain;
    for (const [key, prefix] of [
      ["short", "HS"],
      ["recalled", "HR"],
      ["decided", "HD"],
      ["approverFirst", "HA"],
      ["raced", "HX"],
    ] as const)
      s[key] = await orderAndShip(chain, p, {
        quantity: 10,
        prefix,
        lot: key === "recalled" ? HELD_LOT : LOT,
      });
    await act.sent(ledger.trace.connect(cast.regulator).recall(BigInt(GTIN), HELD_LOT, 41));
    // The dock records each receiving step on the ledger, as the console does: the supplier's
    // confirmation window runs from it.
    for (const x of Object.values(s))
      await act.recordTrace(ledger, cast.receiver, x.shipmentId, "receiving", {
        location: "dock",
        eventTime: await chain.now(),
      });
    // An approver disputes every unit of one delivery as damaged before its receipt is posted.
    const first = s.approverFirst.shipmentId;
    await act.sent(
      ledger.orderBook
        .connect(cast.approver)
        .disputeShipment(first, await act.shipmentRecord(ledger, first), 10, REASONS.units_damaged.code),
    );
    await app.indexer.catchUp();
    t = await loginAll(app, { receiver: cast.receiver, approver: cast.approver });
    for (const key of ["short", "recalled", "decided", "approverFirst"] as const) await receive(key);
    await app.settlementWorker!.drain();
  });

  after(() => stopApi(stack));

  /** Open exceptions' ledger holds, by receipt number, as the approvers read them. */
  async function holds(): Promise<Record<string, unknown>> {
    const res = await app.inject({
      method: "GET",
      url: "/v1/exceptions?status=open",
      headers: bearer(t.approver),
    });
    expect(res.statusCode, res.body).to.equal(200);
    return Object.fromEntries(res.json<ExceptionList>().items.map((e) => [e.receiptNo, e.ledgerHold]));
  }

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

  it("disputes on the ledger the units a held receipt would not pay, with the held-receipt reason, once", async function () {
    expect([held.short.match.status, held.short.match.reasons.map((r) => r.code)]).to.deep.equal([
      "exception",
      ["SHORT_DELIVERY"],
    ]);
    const { orderBook } = chain.ledger;
    expect(await orderBook.disputedUnits(s.short.shipmentId)).to.equal(8n);
    expect(await orderBook.disputedUnits(s.decided.shipmentId)).to.equal(6n);
    const events = await orderBook.queryFilter(orderBook.filters.ShipmentDisputed(s.short.shipmentId));
    expect(events.map((e) => [e.args.units, e.args.reasonCode])).to.deep.equal([
      [8n, BigInt(REASONS.receipt_held.code)],
    ]);
    // The approvers see it on the exception: what is withheld, and that the ledger has it.
    expect(await holds()).to.deep.equal({
      "GR-HOLD-short": { units: "8", status: "confirmed", error: null },
      "GR-HOLD-recalled": null,
      "GR-HOLD-decided": { units: "6", status: "confirmed", error: null },
      "GR-HOLD-approverFirst": { units: "1", status: "confirmed", error: null },
    });
    // Sent once: a second drain finds nothing to send.
    await app.settlementWorker!.drain();
    expect(
      await orderBook.queryFilter(orderBook.filters.ShipmentDisputed(s.short.shipmentId)),
    ).to.have.length(1);
  });

  it("tells the approvers when each supplier may claim: the confirmation window after the dock's receiving step", async function () {
    const { ledger } = chain;
    const res = await app.inject({
      method: "GET",
      url: "/v1/exceptions?status=open",
      headers: bearer(t.approver),
    });
    expect(res.statusCode, res.body).to.equal(200);
    const listed = Object.fromEntries(
      res.json<ExceptionList>().items.map((e) => [e.receiptNo, e.claimOpensAt]),
    );
    const expected: Record<string, string> = {};
    for (const key of ["short", "recalled", "decided", "approverFirst"] as const) {
      const x = s[key];
      const { receivedAt } = await ledger.trace.shipmentState(x.shipmentId);
      const { agreementId } = await ledger.orderBook.order(x.orderId);
      const { confirmWindow } = await ledger.agreements.agreementTerms(agreementId);
      expected[`GR-HOLD-${key}`] = new Date(Number(receivedAt + confirmWindow) * 1000).toISOString();
    }
    expect(listed).to.deep.equal(expected);
  });

  it("disputes nothing for a reason about the whole shipment: the ledger refuses payment while it stands", async function () {
    expect(held.recalled.match.reasons.map((r) => r.code)).to.deep.equal(["LOT_RECALLED"]);
    expect(await chain.ledger.orderBook.disputedUnits(s.recalled.shipmentId)).to.equal(0n);
  });

  it("never lowers an approver's larger dispute: the 10 disputed as damaged stand against the hold's 1", async function () {
    const { orderBook } = chain.ledger;
    expect(await orderBook.disputedUnits(s.approverFirst.shipmentId)).to.equal(10n);
    const events = await orderBook.queryFilter(
      orderBook.filters.ShipmentDisputed(s.approverFirst.shipmentId),
    );
    expect(events.map((e) => e.args.reasonCode)).to.deep.equal([BigInt(REASONS.units_damaged.code)]);
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

  describe("once the confirmation window has passed with the others undecided", function () {
    before(async function () {
      await chain.advance(7 * DAY + 60);
    });

    it("pays the supplier's claim for the 2 units the dock counted, not the 8 it did not", async function () {
      const paid = await claim(s.short);
      expect([paid.accepted, paid.rejected]).to.deep.equal([2n, 8n]);
      // Paid pro rata from the order's escrow: two units' worth of ten, and no more.
      expect(paid.gain).to.equal((paid.escrow * 2n) / 10n);
      // The hospital's payments list it, though no payment job was ever queued for it: paid on
      // the supplier's claim, under the held receipt, never accepted here.
      await app.indexer.catchUp();
      const res = await app.inject({
        method: "GET",
        url: `/v1/payments?orderId=${s.short.orderId}`,
        headers: bearer(t.receiver),
      });
      expect(res.statusCode, res.body).to.equal(200);
      expect(res.json<PaymentPage>().items).to.deep.equal([
        {
          ...res.json<PaymentPage>().items[0],
          receiptNo: "GR-HOLD-short",
          status: "confirmed",
          accepted: "2",
          rejected: "8",
          paid: paid.gain.toString(),
          settledBy: chain.cast.supplier.address.toLowerCase(),
          acceptedAt: null,
          secondsToPayment: null,
        },
      ]);
    });

    it("answers the approver's late decision 409, naming what the ledger settled", async function () {
      await app.indexer.catchUp();
      const res = await app.inject({
        method: "POST",
        url: `/v1/exceptions/${held.short.exceptionId}/resolve`,
        headers: bearer(t.approver),
        payload: { action: "accept_part", acceptedQuantity: 10, note: "found the rest" },
      });
      expectError(
        res,
        409,
        "SHIPMENT_ALREADY_SETTLED",
        `shipment ${s.short.shipmentId} was settled on the ledger already: 2 units accepted, 8 rejected`,
      );
      // Nothing is withheld any more: the exception says what the ledger settled, not a hold.
      expect((await holds())["GR-HOLD-short"]).to.equal(null);
      const res2 = await app.inject({
        method: "GET",
        url: "/v1/exceptions?status=open",
        headers: bearer(t.approver),
      });
      const short = res2.json<ExceptionList>().items.find((e) => e.receiptNo === "GR-HOLD-short")!;
      expect(short.settledOnLedger).to.deep.equal({ accepted: "2", rejected: "8" });
      expect(short.claimOpensAt).to.equal(null);
    });

    it("pays a recalled lot's delivery in full once the recall is lifted", async function () {
      const { ledger, cast } = chain;
      await act.sent(
        ledger.trace.connect(cast.regulator).liftRecall(BigInt(GTIN), HELD_LOT, ethers.ZeroAddress, 42),
      );
      const paid = await claim(s.recalled);
      expect([paid.accepted, paid.rejected, paid.gain]).to.deep.equal([10n, 0n, paid.escrow]);
    });

    it("records a dispute that lost the race to the supplier's claim as moot, not refused", async function () {
      // Posted after the window: the worker signs the dispute, the supplier's claim lands first,
      // and the dispute reverts on chain (TraceAlreadyConfirmed).
      await receive("raced");
      let claimed: Awaited<ReturnType<typeof claim>> | undefined;
      const worker = settlementWorker(engine.db, chain, {
        hooks: {
          at: async (point) => {
            if (point === "signed" && claimed === undefined) claimed = await claim(s.raced);
          },
        },
      });
      await worker.drain();
      expect([claimed?.accepted, claimed?.rejected]).to.deep.equal([10n, 0n]);
      const { rows } = await engine.db.query<{ status: string; error_name: string | null }>(
        `SELECT status, error_name FROM settlement_jobs WHERE disputed_shipment_id = $1`,
        [String(s.raced.shipmentId)],
      );
      expect(rows).to.deep.equal([{ status: "confirmed", error_name: null }]);
    });
  });
});
