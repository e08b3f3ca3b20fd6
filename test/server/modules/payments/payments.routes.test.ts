import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import * as act from "../../../../ledger/acts";
import { forEachEngine } from "../../helpers/engines";
import { once } from "../../helpers/once";
import { DAY, GTIN, LOT, type ChainStack, type Procurement } from "../../support/chain";
import {
  bearer,
  chainIso,
  enrolSecondHospital,
  expectError,
  expectInvalidField,
  isoDate,
  loginAll,
  orderAndShip,
  postReceipt,
  startApi,
  stopApi,
  type ApiStack,
  type Shipped,
} from "../../support/api-fixtures";
import type { Payment } from "../../../../api/payments";
import { listPayments } from "../../../../server/modules/payments/payments.repository";

/**
 * GET /v1/payments: every settlement with its on-chain amounts — gross, the late-delivery
 * penalty the contract took (50 bps of gross per day late, days rounded up, capped at
 * 1000 bps), what the supplier was paid — the delivery time the chain judged lateness at, who
 * settled, its transaction and the time from acceptance to payment; filtered by status,
 * supplier and order, paged, scoped like orders. Nothing here records a trace step, so the
 * chain takes each settlement as the hospital's receiving record: delivery is the settlement's
 * block time.
 */

/** The contract's rule: 50 bps of gross per started day late, at most 1000 bps. */
function expectedPenalty(
  gross: bigint,
  deliveredAt: number,
  deadline: number,
): { days: number; penalty: bigint } {
  const days = deliveredAt <= deadline ? 0 : Math.ceil((deliveredAt - deadline) / DAY);
  const bps = Math.min(days * 50, 1000);
  return { days, penalty: (gross * BigInt(bps)) / 10_000n };
}

forEachEngine((engine) => {
  let stack: ApiStack;
  let app: FastifyInstance;
  let chain: ChainStack;
  let p: Procurement;
  let t: Record<"receiver" | "regulator" | "supplier" | "supplier2" | "receiver2" | "stranger", string>;
  const s = {} as Record<"late" | "veryLate" | "pending" | "claimed" | "unrecorded" | "lagging", Shipped>;

  before(async function () {
    this.timeout(180_000);
    stack = await startApi(engine.db);
    ({ app, chain, p } = stack);
    const { cast, ledger } = chain;
    await enrolSecondHospital(chain, [{ wallet: cast.receiver2, roles: act.HOSPITAL_ROLES.receiver }]);
    await act.registerSupplier(ledger, cast.supplier2, "Beta Devices", "91320000Y");
    s.late = await orderAndShip(chain, p, { quantity: 10, prefix: "LA" });
    s.veryLate = await orderAndShip(chain, p, { quantity: 10, prefix: "VL" });
    s.pending = await orderAndShip(chain, p, { quantity: 2, prefix: "PD" });
    s.claimed = await orderAndShip(chain, p, { quantity: 2, prefix: "CL" });
    s.unrecorded = await orderAndShip(chain, p, { quantity: 2, prefix: "UR" });
    s.lagging = await orderAndShip(chain, p, { quantity: 2, prefix: "LG" });
    await app.indexer.catchUp();
    t = await loginAll(app, {
      receiver: cast.receiver,
      regulator: cast.regulator,
      supplier: cast.supplier,
      supplier2: cast.supplier2,
      receiver2: cast.receiver2,
      stranger: cast.stranger,
    });
  });

  after(() => stopApi(stack));

  const get = (query: string, token?: string) =>
    app.inject({ method: "GET", url: `/v1/payments${query}`, headers: token ? bearer(token) : {} });
  const items = async (query: string, token: string): Promise<Payment[]> => {
    const res = await get(query, token);
    expect(res.statusCode, res.body).to.equal(200);
    return res.json<{ items: Payment[] }>().items;
  };

  /** Receives a whole shipment now (chain time) as lot-level lines. */
  async function receiveAll(
    shipment: { shipmentId: bigint; serials: string[]; expiry: number },
    receiptNo: string,
  ) {
    const receivedAt = await chainIso(chain);
    const res = await postReceipt(
      app,
      t.receiver,
      {
        receiptNo,
        shipmentId: String(shipment.shipmentId),
        receivedAt,
        lines: [
          { gtin: GTIN, lot: LOT, expiry: isoDate(shipment.expiry), quantity: shipment.serials.length },
        ],
      },
      receiptNo,
    );
    expect(res.statusCode, res.body).to.equal(201);
    expect(res.json().match.status).to.equal("matched");
  }

  /** The settlement event of a shipment and the block time it was mined at. */
  async function settlementOf(shipmentId: bigint) {
    const [event] = await chain.ledger.orderBook.queryFilter(
      chain.ledger.orderBook.filters.ShipmentSettled(shipmentId),
    );
    const block = await chain.provider.getBlock(event.blockNumber);
    return { event, blockTime: block!.timestamp };
  }

  /** Drains the worker and returns the supplier's balance change; indexes what it sent. */
  async function drain(): Promise<bigint> {
    const before = await chain.ledger.token.balanceOf(chain.cast.supplier.address);
    await app.settlementWorker!.drain();
    await app.indexer.catchUp();
    return (await chain.ledger.token.balanceOf(chain.cast.supplier.address)) - before;
  }

  /** Settled by the hospital's settler, delivered when it settled (no receiving record before). */
  async function expectDelivery(payment: Payment, shipmentId: bigint): Promise<number> {
    const { event, blockTime } = await settlementOf(shipmentId);
    expect(Number(event.args.payout.deliveredAt)).to.equal(blockTime);
    expect(payment.deliveredAt).to.equal(new Date(blockTime * 1000).toISOString());
    expect(payment.settledBy).to.equal(chain.cast.settler.address.toLowerCase());
    return blockTime;
  }

  function expectTiming(payment: Payment): void {
    expect(payment.txHash).to.match(/^0x[0-9a-f]{64}$/);
    expect(payment.blockNumber).to.be.a("number");
    expect(payment.paidAt).to.be.a("string");
    // Each delivery here is paid as soon as it is accepted, on a chain whose clock the tests have
    // moved days ahead of the wall: on the ledger's clock that is a few seconds, while the
    // wall-clock acceptance subtracted from the block time would say days. Both times shown are
    // on the ledger's clock, so a reader sees the same few seconds between them (the acceptance
    // counts from the end of its block's second, which the payment's block may share).
    expect(payment.secondsToPayment).to.be.within(0, 5);
    expect(Number.isInteger(payment.secondsToPayment)).to.equal(true);
    expect(Date.parse(payment.acceptedAt!) - Date.now()).to.be.above(86_400_000);
    expect((Date.parse(payment.paidAt!) - Date.parse(payment.acceptedAt!)) / 1000).to.be.within(-1, 5);
  }

  // Each settlement is made once, by whichever test needs it first (a test may run alone), in
  // the order of the chain's clock: the late ones move it past their deadlines.
  const settle = {
    onTime: once(async () => {
      await receiveAll(p, "GR-ONTIME");
      return { paidOut: await drain() };
    }),
    /** Received 2 days and an hour after its deadline. */
    late: once(async () => {
      const order = await chain.ledger.orderBook.order(s.late.orderId);
      const deadline = Number(order.deliveryDeadline);
      await chain.advance(deadline + 2 * DAY + 3600 - (await chain.now()));
      await receiveAll(s.late, "GR-LATE");
      const hospitalBefore = await chain.ledger.token.balanceOf(chain.cast.hospital.address);
      const paidOut = await drain();
      const toHospital = (await chain.ledger.token.balanceOf(chain.cast.hospital.address)) - hospitalBefore;
      // Funding escrowed the units at the first tier, which is what accepting them costs.
      return { deadline, gross: order.escrow, paidOut, toHospital };
    }),
    /** Received 22 days and a minute after its deadline. */
    veryLate: once(async () => {
      const order = await chain.ledger.orderBook.order(s.veryLate.orderId);
      const deadline = Number(order.deliveryDeadline);
      await chain.advance(deadline + 22 * DAY + 60 - (await chain.now()));
      await receiveAll(s.veryLate, "GR-VERYLATE");
      return { deadline, gross: order.escrow, paidOut: await drain() };
    }),
    /** Queued only: received as late as the very late one, not paid yet. */
    pending: once(async () => {
      await settle.veryLate();
      await receiveAll(s.pending, "GR-PENDING");
    }),
    /** The queued one paid. */
    pendingPaid: once(async () => {
      await settle.pending();
      const value = (await chain.ledger.orderBook.order(s.pending.orderId)).escrow;
      return { value, paidOut: await drain() };
    }),
  };
  /** The four settlements the list tests page through. */
  const settledFour = async () => {
    for (const step of [settle.onTime, settle.late, settle.veryLate, settle.pending]) await step();
  };

  describe("settlements", function () {
    it("an on-time delivery is paid in full, with no penalty", async function () {
      expect((await settle.onTime()).paidOut).to.equal(100_000n);
      const [payment] = await items(`?orderId=${p.orderId}`, t.receiver);
      expect(payment).to.include({
        shipmentId: String(p.shipmentId),
        orderId: String(p.orderId),
        supplier: chain.cast.supplier.address.toLowerCase(),
        hospital: chain.cast.hospital.address.toLowerCase(),
        receiptNo: "GR-ONTIME",
        status: "confirmed",
        accepted: "10",
        rejected: "0",
        gross: "100000",
        penalty: "0",
        paid: "100000",
        daysLate: 0,
        error: null,
      });
      await expectDelivery(payment, p.shipmentId);
      expectTiming(payment);
    });

    it("a delivery 2 days and an hour late pays 3 days of penalty (days round up)", async function () {
      const { deadline, gross, paidOut, toHospital } = await settle.late();
      const [payment] = await items(`?orderId=${s.late.orderId}`, t.receiver);
      const deliveredAt = await expectDelivery(payment, s.late.shipmentId);
      const { days, penalty } = expectedPenalty(gross, deliveredAt, deadline);
      expect(days).to.equal(3);
      expect(penalty).to.equal(1_500n);
      expect(paidOut).to.equal(gross - penalty);
      // The penalty goes back to the hospital.
      expect(toHospital).to.equal(penalty);
      expect(payment).to.include({
        status: "confirmed",
        gross: gross.toString(),
        penalty: penalty.toString(),
        paid: (gross - penalty).toString(),
        daysLate: 3,
      });
      expectTiming(payment);
      const { event: settled } = await settlementOf(s.late.shipmentId);
      expect(settled.args.payout.penalty).to.equal(penalty);
      expect(settled.args.payout.daysLate).to.equal(3n);
      expect(payment.txHash).to.equal(settled.transactionHash);
    });

    it("a delivery three weeks late pays the capped penalty of 1000 bps", async function () {
      const { deadline, gross, paidOut } = await settle.veryLate();
      const [payment] = await items(`?orderId=${s.veryLate.orderId}`, t.regulator);
      const deliveredAt = await expectDelivery(payment, s.veryLate.shipmentId);
      const { days, penalty } = expectedPenalty(gross, deliveredAt, deadline);
      expect(days).to.equal(23);
      expect(penalty).to.equal(gross / 10n);
      expect(paidOut).to.equal(gross - penalty);
      expect(payment).to.include({
        status: "confirmed",
        gross: gross.toString(),
        penalty: penalty.toString(),
        paid: (gross - penalty).toString(),
        daysLate: 23,
      });
    });

    it("a queued settlement is listed as pending, without amounts or transaction yet", async function () {
      await settle.pending();
      const [payment] = await items("?status=pending", t.receiver);
      expect(payment).to.include({
        shipmentId: String(s.pending.shipmentId),
        status: "pending",
        accepted: "2",
        rejected: "0",
        gross: null,
        penalty: null,
        paid: null,
        daysLate: null,
        deliveredAt: null,
        settledBy: null,
        txHash: null,
        blockNumber: null,
        paidAt: null,
        secondsToPayment: null,
      });
    });
  });

  describe("filters, pages and scope", function () {
    const shipments = (list: Payment[]) => list.map((x) => x.shipmentId);

    it("filters by status, supplier and order", async function () {
      await settledFour();
      const all = [p, s.late, s.veryLate, s.pending].map((x) => String(x.shipmentId));
      expect(shipments(await items("", t.regulator))).to.deep.equal(all);
      expect(shipments(await items("?status=confirmed", t.regulator))).to.deep.equal(all.slice(0, 3));
      expect(shipments(await items("?status=failed", t.regulator))).to.deep.equal([]);
      expect(shipments(await items(`?supplier=${chain.cast.supplier.address}`, t.regulator))).to.deep.equal(
        all,
      );
      expect(shipments(await items(`?supplier=${chain.cast.supplier2.address}`, t.regulator))).to.deep.equal(
        [],
      );
      expect(
        shipments(await items(`?orderId=${s.late.orderId}&status=confirmed`, t.regulator)),
      ).to.deep.equal([all[1]]);
      expect(shipments(await items("?orderId=999", t.regulator))).to.deep.equal([]);
      expect(expectInvalidField(await get("?status=paid", t.regulator), "querystring.status")).to.include(
        '"pending"',
      );
      expectInvalidField(await get("?supplier=acme", t.regulator), "querystring.supplier");
      expectInvalidField(await get("?orderId=0", t.regulator), "querystring.orderId");
    });

    it("walks the payments one at a time with the cursor", async function () {
      await settledFour();
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await get(`?limit=1${cursor ? `&cursor=${cursor}` : ""}`, t.receiver);
        expect(res.statusCode, res.body).to.equal(200);
        const page = res.json<{ items: Payment[]; nextCursor: string | null }>();
        expect(page.items).to.have.length(1);
        seen.push(page.items[0].shipmentId);
        cursor = page.nextCursor;
        pages++;
      } while (cursor !== null && pages < 10);
      expect(seen).to.deep.equal([p, s.late, s.veryLate, s.pending].map((x) => String(x.shipmentId)));
      expectError(await get("?cursor=@@@", t.receiver), 400, "CURSOR_INVALID", "not one this API issued");
      const notAnId = Buffer.from("GR-LATE").toString("base64url");
      expectError(await get(`?cursor=${notAnId}`, t.receiver), 400, "CURSOR_INVALID");
      // A cursor of this list before it listed claims carried a job id: refused, not misread.
      const jobId = Buffer.from("2").toString("base64url");
      expectError(await get(`?cursor=${jobId}`, t.receiver), 400, "CURSOR_INVALID");
      expectInvalidField(await get("?limit=0", t.receiver), "querystring.limit");
    });

    it("shows a supplier its own payments, another hospital none; refuses no token (401) and no ledger role (403)", async function () {
      await settledFour();
      expect(await items("", t.supplier)).to.have.length(4);
      expect(await items("", t.supplier2)).to.deep.equal([]);
      expect(await items("", t.receiver2)).to.deep.equal([]);
      expectError(await get("", t.stranger), 403, "FORBIDDEN");
      // A hospital's scope cannot be widened with a filter.
      expect(await items(`?supplier=${chain.cast.supplier.address}`, t.receiver2)).to.deep.equal([]);
      expectError(await get(""), 401, "UNAUTHORIZED");
    });

    it("lists the last one confirmed once the worker has paid it (late too, so capped)", async function () {
      await settledFour();
      const { value, paidOut } = await settle.pendingPaid();
      expect(paidOut).to.equal(value - value / 10n);
      expect(await items("?status=pending", t.receiver)).to.deep.equal([]);
      const [payment] = await items(`?orderId=${s.pending.orderId}`, t.receiver);
      expect(payment).to.include({ status: "confirmed", penalty: (value / 10n).toString(), daysLate: 23 });
      expectTiming(payment);
    });
  });

  describe("a payment mined but not yet indexed", function () {
    it("is listed as submitted, with its transaction, until the indexer reaches its block", async function () {
      await receiveAll(s.lagging, "GR-LAGGING");
      await app.settlementWorker!.drain();
      const [sent] = await items(`?orderId=${s.lagging.orderId}`, t.receiver);
      expect(sent).to.include({ status: "submitted", paid: null, paidAt: null, settledBy: null });
      // The worker saw it mined (its outbox row says confirmed); the index has not read the block.
      expect((await chain.provider.getTransactionReceipt(sent.txHash!))?.status).to.equal(1);
      const job = await engine.db.query<{ status: string }>(
        "SELECT status FROM settlement_jobs WHERE shipment_id = $1",
        [String(s.lagging.shipmentId)],
      );
      expect(job.rows[0].status).to.equal("confirmed");
      const lagging = String(s.lagging.shipmentId);
      expect((await items("?status=submitted", t.receiver)).map((x) => x.shipmentId)).to.include(lagging);
      expect((await items("?status=confirmed", t.receiver)).map((x) => x.shipmentId)).to.not.include(lagging);

      await app.indexer.catchUp();
      const [paid] = await items(`?orderId=${s.lagging.orderId}`, t.receiver);
      expect(paid).to.include({ status: "confirmed", txHash: sent.txHash });
      expect(paid.paidAt).to.be.a("string");
    });
  });

  describe("a shipment the supplier settled itself", function () {
    it("shows the claim's units and the supplier as the settler, and the worker sends nothing", async function () {
      const { ledger, cast } = chain;
      await receiveAll(s.claimed, "GR-CLAIMED");
      // The hospital records the receipt on chain and disputes a unit, but its settlement waits
      // past the confirmation window: the supplier settles the undisputed unit itself.
      await act.recordTrace(ledger, cast.receiver, s.claimed.shipmentId, "receiving", {
        location: "store",
        eventTime: (await chain.now()) - 60,
      });
      const record = await act.shipmentRecord(ledger, s.claimed.shipmentId);
      await act.sent(
        ledger.orderBook.connect(cast.approver).disputeShipment(s.claimed.shipmentId, record, 1, 4),
      );
      await chain.advance(7 * DAY + 1);
      const claim = await act.sent(
        ledger.orderBook.connect(cast.supplier).claimSettlement(s.claimed.shipmentId, record),
      );
      const settlerNonce = await chain.provider.getTransactionCount(cast.settler.address);

      await drain();
      expect(await chain.provider.getTransactionCount(cast.settler.address)).to.equal(settlerNonce);
      const [payment] = await items(`?orderId=${s.claimed.orderId}`, t.receiver);
      expect(payment).to.include({
        status: "confirmed",
        receiptNo: "GR-CLAIMED",
        accepted: "1",
        rejected: "1",
        settledBy: cast.supplier.address.toLowerCase(),
        txHash: claim.hash,
        error: null,
      });
    });

    it("lists a delivery never received at this gateway that the supplier settled by its claim: no receipt, no acceptance time, the claim's amounts", async function () {
      const { ledger, cast } = chain;
      // The dock's receiving step is on the ledger, but no goods receipt was posted here, so no
      // payment job exists: the supplier claims once the confirmation window has passed.
      await act.recordTrace(ledger, cast.receiver, s.unrecorded.shipmentId, "receiving", {
        location: "store",
        eventTime: (await chain.now()) - 60,
      });
      const record = await act.shipmentRecord(ledger, s.unrecorded.shipmentId);
      await chain.advance(7 * DAY + 1);
      const claim = await act.sent(
        ledger.orderBook.connect(cast.supplier).claimSettlement(s.unrecorded.shipmentId, record),
      );
      await app.indexer.catchUp();
      const { event, blockTime } = await settlementOf(s.unrecorded.shipmentId);
      const { payout } = event.args;
      expect(payout.paid).to.equal(payout.gross - payout.penalty);

      const [payment] = await items(`?orderId=${s.unrecorded.orderId}`, t.receiver);
      expect(payment).to.deep.equal({
        shipmentId: String(s.unrecorded.shipmentId),
        orderId: String(s.unrecorded.orderId),
        supplier: cast.supplier.address.toLowerCase(),
        hospital: cast.hospital.address.toLowerCase(),
        receiptNo: null,
        status: "confirmed",
        accepted: "2",
        rejected: "0",
        gross: payout.gross.toString(),
        penalty: payout.penalty.toString(),
        paid: payout.paid.toString(),
        daysLate: Number(payout.daysLate),
        deliveredAt: new Date(Number(payout.deliveredAt) * 1000).toISOString(),
        settledBy: cast.supplier.address.toLowerCase(),
        txHash: claim.hash,
        blockNumber: event.blockNumber,
        error: null,
        errorName: null,
        acceptedAt: null,
        paidAt: new Date(blockTime * 1000).toISOString(),
        secondsToPayment: null,
      });
      // Among the supplier's confirmed payments, in shipment order; not another supplier's, nor
      // another hospital's.
      const confirmed = (await items("?status=confirmed", t.supplier)).map((x) => Number(x.shipmentId));
      expect(confirmed).to.include(Number(s.unrecorded.shipmentId));
      expect(confirmed).to.deep.equal([...confirmed].sort((a, b) => a - b));
      expect(await items("", t.supplier2)).to.deep.equal([]);
      expect(await items("", t.receiver2)).to.deep.equal([]);
      // A gateway that keeps one hospital's back office lists that hospital's claims only.
      const served = async (hospital: string) =>
        (await listPayments(engine.db, { limit: 100, served: hospital })).items.map((x) => x.shipmentId);
      expect(await served(cast.hospital.address)).to.include(String(s.unrecorded.shipmentId));
      expect(await served(cast.hospital2.address)).to.not.include(String(s.unrecorded.shipmentId));
    });
  });
});
