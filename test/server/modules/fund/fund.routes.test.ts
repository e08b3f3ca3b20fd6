import { expect } from "chai";
import { ethers, type HDNodeWallet } from "ethers";
import type { FastifyInstance } from "fastify";
import type { FundAccounts, FundStatement } from "../../../../api/fund";
import type { OverdueReport } from "../../../../api/payments";
import type { Tender, TenderPage } from "../../../../api/tenders";
import * as act from "../../../../ledger/acts";
import { monthOf } from "../../../../server/lib/month-range";
import { forEachEngine } from "../../helpers/engines";
import {
  bearer,
  expectError,
  expectInvalidField,
  extraWallet,
  loginAll,
  orderAndShip,
  receiveWholeShipment,
  startApi,
  stopApi,
  type ApiStack,
  type Shipped,
} from "../../support/api-fixtures";

/**
 * /v1/fund on a real ledger: a regulator makes an account the payer; it covers the stents tender
 * with a 30 % prepayment and prepays General Hospital ¥3,000.00. An order of 50 stents
 * (¥5,000.00) draws the ¥3,000.00 and the hospital pays ¥2,000.00; its delivery, received and
 * matched but not yet paid, is on the payer's overdue watch with the fund's ¥3,000.00; once
 * settled, the fund's money paid the supplier and the month's statement deducts the same ¥3,000.00
 * from General's reimbursement. A second payer covering nothing sees nothing.
 */
forEachEngine((engine) => {
  let stack: ApiStack;
  let app: FastifyInstance;
  let payer: HDNodeWallet;
  let t: Record<"payer" | "otherPayer" | "regulator" | "settler" | "supplier" | "receiver", string>;
  let H: string;
  let drawn: Shipped;
  let month: string;

  const get = (url: string, token: string, headers: Record<string, string> = {}) =>
    app.inject({ method: "GET", url, headers: { ...bearer(token), ...headers } });

  before(async function () {
    this.timeout(240_000);
    stack = await startApi(engine.db);
    app = stack.app;
    const { chain, p } = stack;
    const { ledger, cast } = chain;
    H = cast.hospital.address.toLowerCase();
    payer = extraWallet(chain, 15);
    const otherPayer = extraWallet(chain, 16);
    for (const w of [payer, otherPayer]) await act.grantPayer(ledger, cast.regulator, w.address);
    await act.sent(ledger.token.connect(cast.admin).mint(payer.address, 100_000_000n));
    await act.sent(ledger.token.connect(payer).approve(await ledger.fund.getAddress(), ethers.MaxUint256));
    const { tenderId } = await ledger.agreements.agreementTerms(p.agreementId);
    await act.coverTender(ledger, payer, tenderId, 3_000, false);
    await act.payIntoFund(ledger, payer, { agreementId: p.agreementId, hospital: H, amount: 300_000n });
    drawn = await orderAndShip(chain, p, { quantity: 50, prefix: "F" });
    await app.indexer.catchUp();
    t = await loginAll(app, {
      payer,
      otherPayer,
      regulator: cast.regulator,
      settler: cast.settler,
      supplier: cast.supplier,
      receiver: cast.receiver,
    });
    await receiveWholeShipment(app, chain, t, drawn, "GR-FUND-1", "fund-receipt-1");
    // A minute passes on the ledger's clock, by which the overdue watch counts: still unpaid.
    await chain.advance(60);
  });
  after(() => stopApi(stack));

  it("shows every reader of the tenders which tender the fund covers, on what terms", async function () {
    const { chain, p } = stack;
    const { tenderId } = await chain.ledger.agreements.agreementTerms(p.agreementId);
    const res = await get("/v1/tenders", t.supplier);
    expect(res.statusCode, res.body).to.equal(200);
    const covers = res.json<TenderPage>().items.map((x) => [x.id, x.cover]);
    expect(covers).to.deep.equal([
      [String(tenderId), { payer: payer.address.toLowerCase(), prepayShareBps: 3_000, direct: false }],
    ]);
    const one = await get(`/v1/tenders/${tenderId}`, t.payer);
    expect(one.json<Tender>().cover).to.deep.equal({
      payer: payer.address.toLowerCase(),
      prepayShareBps: 3_000,
      direct: false,
    });
  });

  it("puts the fund's share of an unpaid delivery on the payer's overdue watch", async function () {
    const res = await get("/v1/payments/overdue?days=0", t.payer);
    expect(res.statusCode, res.body).to.equal(200);
    const { items } = res.json<OverdueReport>();
    expect(items.map((i) => [i.shipmentId, i.fundShare])).to.deep.equal([
      [String(drawn.shipmentId), "300000"],
    ]);
    const csv = await get("/v1/payments/overdue?days=0", t.payer, { accept: "text/csv" });
    expect(csv.body.split("\r\n")[0]).to.include("fund_share_fen");
    // The other payer's money pays for nothing here.
    const other = await get("/v1/payments/overdue?days=0", t.otherPayer);
    expect(other.json<OverdueReport>().items).to.deep.equal([]);
  });

  describe("once the delivery is settled", function () {
    before(async function () {
      const { chain } = stack;
      await act.confirmShipment(chain.ledger, chain.cast.settler, drawn.shipmentId, {
        accepted: 50,
        rejected: 0,
        receiptHash: ethers.id("GR-FUND-1"),
      });
      await app.indexer.catchUp();
      const { rows } = await engine.db.query<{ paid_at: Date }>(
        `SELECT paid_at FROM settlements WHERE shipment_id = $1`,
        [String(drawn.shipmentId)],
      );
      month = monthOf(rows[0].paid_at, app.config.console.timeZone);
    });

    it("accounts for every fen the payer paid in: drawn for the order and spent on its settlement", async function () {
      const res = await get("/v1/fund/accounts", t.payer);
      expect(res.statusCode, res.body).to.equal(200);
      const body = res.json<FundAccounts>();
      expect(body.items).to.have.lengthOf(1);
      expect(body.items[0]).to.deep.include({
        agreementId: String(stack.p.agreementId),
        hospital: H,
        payer: payer.address.toLowerCase(),
        prepayShareBps: 3000,
        direct: false,
        prepaid: "300000",
        escrowed: "0",
        drawn: "300000",
        spent: "300000",
        inOrders: "0",
        returned: "0",
        prepaymentBalance: "0",
        escrowBalance: "0",
      });
      expect(body.totals).to.deep.equal({
        paidIn: "300000",
        drawn: "300000",
        spent: "300000",
        returned: "0",
        held: "0",
      });
      // On the chain too: nothing left in the fund book, all of it drawn.
      const { fund, token } = stack.chain.ledger;
      expect(await token.balanceOf(await fund.getAddress())).to.equal(0n);
      expect(await fund.totalDrawn()).to.equal(300_000n);
    });

    it("drops the paid delivery from the overdue watch", async function () {
      const res = await get("/v1/payments/overdue?days=0", t.payer);
      expect(res.json<OverdueReport>().items).to.deep.equal([]);
    });

    it("states the month per hospital: the fund paid the supplier, the reimbursement is reduced by the same", async function () {
      const res = await get(`/v1/fund/statements?month=${month}`, t.payer);
      expect(res.statusCode, res.body).to.equal(200);
      const body = res.json<FundStatement>();
      expect(body.hospitals).to.deep.equal([
        { hospital: H, fundPaidSuppliers: "300000", reimbursementDeduction: "300000", drawn: "300000" },
      ]);
      expect(body.lines.map((l) => [l.kind, l.orderId, l.shipmentId, l.amount])).to.deep.equal([
        ["drawn", String(drawn.orderId), null, "300000"],
        ["spent", String(drawn.orderId), String(drawn.shipmentId), "300000"],
      ]);
      const csv = await get(`/v1/fund/statements?month=${month}`, t.payer, { accept: "text/csv" });
      expect(csv.statusCode, csv.body).to.equal(200);
      const [header, , spent] = csv.body.trim().split("\r\n");
      expect(header).to.include("reimbursement_deduction_fen");
      expect(spent).to.include(`spent,${H},`).and.to.include(",300000,300000,");
    });

    it("shows the hospital its own statement and the regulator everyone's", async function () {
      for (const token of [t.settler, t.regulator]) {
        const res = await get(`/v1/fund/statements?month=${month}`, token);
        expect(res.statusCode, res.body).to.equal(200);
        expect(res.json<FundStatement>().hospitals.map((h) => h.reimbursementDeduction)).to.deep.equal([
          "300000",
        ]);
      }
      // A hospital asking for another hospital's statement gets its own.
      const other = await get(
        `/v1/fund/statements?month=${month}&hospital=0x00000000000000000000000000000000000000b2`,
        t.settler,
      );
      expect(other.json<FundStatement>().hospitals.map((h) => h.hospital)).to.deep.equal([H]);
    });

    it("shows a payer only the tenders it covers", async function () {
      const res = await get("/v1/fund/accounts", t.otherPayer);
      expect(res.json<FundAccounts>()).to.deep.equal({
        items: [],
        totals: { paidIn: "0", drawn: "0", spent: "0", returned: "0", held: "0" },
      });
    });

    it("refuses a supplier, and a month that is not one", async function () {
      expectError(await get("/v1/fund/accounts", t.supplier), 403, "FORBIDDEN");
      expectInvalidField(await get("/v1/fund/statements?month=2026-13", t.payer), "querystring.month");
    });

    it("lets the payer read the claim audit", async function () {
      const res = await get(`/v1/claims?from=${month}&to=${month}`, t.payer);
      expect(res.statusCode, res.body).to.equal(200);
    });
  });
});
