import { expect } from "chai";
import { JsonRpcProvider, NonceManager, Wallet, type Signer } from "ethers";
import type { ExceptionList } from "../../api/exceptions";
import type { ReceiptResult } from "../../api/receipts";
import type { Shipment } from "../../api/shipments";
import * as act from "../../ledger/acts";
import type { Ledger } from "../../ledger/contracts";
import { GatewayClient } from "../../scripts/lib/gateway-client";
import { until, untilIndexed } from "../../scripts/lib/until";
import { checkPage, openPage, signInAs, type ConsolePage } from "./support/browser";
import { demoSuite } from "./support/stack";

/**
 * A hospital that records no receipt cannot hold a supplier's payment: Acme ships 3 stents
 * against City General's first order and records their arrival; the hospital's dock sees when
 * Acme may claim them; nobody at the hospital records anything, and once the receiving and
 * confirmation windows after the arrival have passed, Acme claims the delivery from its
 * payments page. The ledger counts it received at the end of the receiving window and pays the
 * 3 stents as delivered at the arrival. And the other way round: a delivery that never came,
 * which an approver disputes from the exceptions page as not delivered, so the claim pays nothing.
 */
describe("console: a supplier claims a delivery the hospital never received", function () {
  this.timeout(300_000);
  const ACME = "Acme Medical Devices";
  const APPROVER = "City General Hospital, approver 1";
  const RECEIVER = "City General Hospital, receiving dock";
  const STENT_GTIN = "09520123456788";
  /** Acme's first demo order (City General, stents), its delivery deadline passed in the demo year. */
  const ORDER_ID = 1n;
  const suite = demoSuite(ACME);

  /** The shipment once the gateway has indexed its arrival (a block after its creation). */
  function arrivedAtGateway(client: GatewayClient, shipmentId: bigint): Promise<Shipment> {
    return until(`shipment ${shipmentId}'s arrival at the gateway`, async () => {
      const s = await untilIndexed(() => client.get<Shipment>(`/v1/shipments/${shipmentId}`));
      return s.status === "arrived" ? s : undefined;
    });
  }

  /** A gateway client signed in as the demo account `name`. */
  async function signedIn(name: string): Promise<GatewayClient> {
    const client = new GatewayClient(suite.stack.url);
    await client.login(new Wallet(suite.stack.account(name).privateKey));
    return client;
  }

  /** Opens the console's menu entry `name`. */
  async function openMenu(p: ConsolePage, name: string): Promise<void> {
    await p.page.getByRole("navigation", { name: "menu" }).getByRole("link", { name, exact: true }).click();
  }

  /** Runs `fn` with the suite's chain: its ledger, the demo cast's wallets, the provider. */
  async function onChain(
    fn: (ledger: Ledger, wallet: (name: string) => Signer, provider: JsonRpcProvider) => Promise<void>,
  ): Promise<void> {
    const { stack } = suite;
    const provider = new JsonRpcProvider(stack.rpcUrl, undefined, {
      staticNetwork: true,
      pollingInterval: 100,
    });
    try {
      const wallet = (name: string) => new NonceManager(new Wallet(stack.account(name).privateKey, provider));
      await fn(stack.ledger(provider), wallet, provider);
    } finally {
      provider.destroy();
    }
  }

  /**
   * Acme ships `units` stents against the order (its deadline passed: City General allows it
   * late, once) and records their arrival, its departure reporting a temperature excursion if
   * asked; nobody receives them.
   */
  async function shipAndArrive(
    ledger: Ledger,
    wallet: (name: string) => Signer,
    prefix: string,
    units: number,
    excursion = false,
  ): Promise<bigint> {
    if (!(await ledger.orderBook.order(ORDER_ID)).lateShipmentAllowed)
      await act.sent(ledger.orderBook.connect(wallet(APPROVER)).allowLateShipment(ORDER_ID));
    const acme = wallet(ACME);
    const now = async () => (await ledger.orderBook.runner!.provider!.getBlock("latest"))!.timestamp;
    const { shipmentId } = await act.createShipment(ledger, acme, {
      orderId: ORDER_ID,
      gtin: STENT_GTIN,
      lot: `${prefix}2701`,
      expiry: (await now()) + 2 * 365 * 86_400,
      serials: Array.from({ length: units }, (_, i) => `${prefix}-${i + 1}`),
      notice: `DESADV-${prefix}`,
    });
    if (excursion)
      await act.recordTrace(ledger, acme, shipmentId, "departing", {
        location: "GLN:6901234000017",
        eventTime: await now(),
        sensorLog: `logger-${prefix}: max 11.2 C for 40 min`,
        excursion: true,
      });
    await act.recordTrace(ledger, acme, shipmentId, "arriving", {
      location: "GLN:6901234000017",
      eventTime: await now(),
    });
    return shipmentId;
  }

  it("shows the dock when Acme may claim, then lets Acme claim it and be paid as delivered at its arrival", async function () {
    const { stack, browser } = suite;
    await onChain(async (ledger, wallet, provider) => {
      const shipmentId = await shipAndArrive(ledger, wallet, "CLAIM", 3);
      const { arrivedAt } = await ledger.trace.shipmentState(shipmentId);
      const { agreementId } = await ledger.orderBook.order(ORDER_ID);
      const terms = await ledger.agreements.agreementTerms(agreementId);
      const opensAt = new Date(Number(arrivedAt + terms.receivingWindow + terms.confirmWindow) * 1000);

      const receiver = await signedIn(RECEIVER);
      const indexed = await arrivedAtGateway(receiver, shipmentId);
      expect(indexed.claimOpensAt).to.equal(opensAt.toISOString());

      // The dock: the shipment is not settled, and the date a claim opens is on it.
      const dock = await openPage(browser, stack.url);
      try {
        await signInAs(dock, RECEIVER);
        await openMenu(dock, "Receive goods");
        await dock.page.getByRole("button", { name: `Shipments of order ${ORDER_ID}` }).click();
        const row = dock.page.getByRole("table", { name: "Shipments of the order" }).getByRole("row", {
          name: new RegExp(`^${shipmentId} `),
        });
        await row.getByTestId("claim-opens").getByText("supplier may claim from", { exact: false }).waitFor();
        expect(dock.errors).to.deep.equal([]);
      } finally {
        await dock.close();
      }

      // Nobody at the hospital records anything; the windows pass.
      await provider.send("evm_increaseTime", [Number(terms.receivingWindow + terms.confirmWindow) + 60]);
      await provider.send("evm_mine", []);

      const p = await openPage(browser, stack.url);
      try {
        await signInAs(p, ACME);
        await openMenu(p, "My payments");
        const claims = p.page.getByRole("table", { name: "Deliveries you may claim" });
        const row = claims.getByRole("row", { name: new RegExp(`^${shipmentId} \\(order ${ORDER_ID}\\)`) });
        await row.getByText("your arrival", { exact: false }).waitFor();
        await checkPage(p, "supplier-claims");
        await row.getByRole("button", { name: `Claim payment #${shipmentId}` }).click();
        await p.page
          .getByText(`Claim settlement of shipment ${shipmentId}? The 3 undisputed units are paid`)
          .waitFor();
        await p.page.getByRole("button", { name: "Yes, do it" }).click();
        const toast = p.page.locator(".ant-message-notice");
        await toast.getByText(/^Recorded on the ledger in block \d+\.$/).waitFor({ timeout: 120_000 });
        // In Chinese, as a supplier's accountant reads it (the demo's own unreceived delivery stays
        // listed); the toast still open follows the switch.
        await p.page.getByRole("button", { name: /^中\s?文$/ }).click();
        await toast.getByText(/^已记入账本，区块 \d+。$/).waitFor();
        expect(await toast.getByText("Recorded on the ledger", { exact: false }).count()).to.equal(0);
        await p.page.getByRole("heading", { name: "申请结算", level: 2 }).waitFor();
        const claimsZh = p.page.getByRole("table", { name: "可申请结算的发货" });
        await claimsZh.getByText("您登记到货", { exact: false }).first().waitFor();
        // Rows are named so in Chinese (the demo's own is one): the claimed one is gone.
        const rowZh = (shipment: string, order: string) =>
          claimsZh.getByRole("row", { name: new RegExp(`^${shipment}（订单 ${order}）`) });
        expect(await rowZh("\\d+", "\\d+").count()).to.be.greaterThan(0);
        await rowZh(String(shipmentId), String(ORDER_ID)).waitFor({ state: "detached" });
        await checkPage(p, "supplier-claims-zh");
        expect(p.errors).to.deep.equal([]);
      } finally {
        await p.close();
      }

      const [settled] = await ledger.orderBook.queryFilter(
        ledger.orderBook.filters.ShipmentSettled(shipmentId),
      );
      const acmeAddress = stack.account(ACME).address;
      expect([
        settled.args.settledBy,
        settled.args.confirmation.accepted,
        settled.args.confirmation.rejected,
      ]).to.deep.equal([acmeAddress, 3n, 0n]);
      // Judged at the arrival: the order's deadline had passed, so the late penalty counts to it.
      expect(settled.args.payout.deliveredAt).to.equal(arrivedAt);
      const state = await ledger.trace.shipmentState(shipmentId);
      expect(state.receivedAt).to.equal(arrivedAt + terms.receivingWindow);

      // City General's payments list the money that left its escrow, though it recorded no
      // receipt: no receipt number, no acceptance, paid on the supplier's claim.
      const h = await openPage(browser, stack.url);
      try {
        await signInAs(h, APPROVER);
        await openMenu(h, "Payments");
        const payments = h.page.getByRole("table", { name: "Payments" });
        const row = payments.getByRole("row", {
          name: new RegExp(`^#${shipmentId} order #${ORDER_ID} None recorded Acme Medical Devices`),
        });
        await row.getByText("On the supplier's claim").waitFor();
        await checkPage(h, "hospital-payments-claimed");
        await h.page.getByRole("button", { name: /^中\s?文$/ }).click();
        const rowZh = h.page.getByRole("table", { name: "付款" }).getByRole("row", {
          name: new RegExp(`^#${shipmentId} 订单 #${ORDER_ID} 未登记 `),
        });
        await rowZh.getByText("依供应商申领付款").waitFor();
        await checkPage(h, "hospital-payments-claimed-zh");
        expect(h.errors).to.deep.equal([]);
      } finally {
        await h.close();
      }
      // And Acme's, as paid on its claim.
      const a = await openPage(browser, stack.url);
      try {
        await signInAs(a, ACME);
        await openMenu(a, "My payments");
        await a.page
          .getByRole("table", { name: "My payments" })
          .getByRole("row", { name: new RegExp(`^${shipmentId} \\(order ${ORDER_ID}\\) None recorded Paid`) })
          .getByText("Paid on your claim")
          .waitFor();
        expect(a.errors).to.deep.equal([]);
      } finally {
        await a.close();
      }
    });
  });

  it("lets an approver dispute an arrival that never came, so that the supplier's claim pays nothing", async function () {
    const { stack, browser } = suite;
    await onChain(async (ledger, wallet, provider) => {
      const acme = wallet(ACME);
      const shipmentId = await shipAndArrive(ledger, wallet, "GHOST", 2);
      const approver = await signedIn(APPROVER);
      await arrivedAtGateway(approver, shipmentId);

      const p = await openPage(browser, stack.url);
      try {
        await signInAs(p, APPROVER);
        await openMenu(p, "Exceptions");
        const arrivals = p.page.getByRole("table", { name: "Arrivals not received here" });
        const row = arrivals.getByRole("row", { name: new RegExp(`^${shipmentId} \\(order ${ORDER_ID}\\)`) });
        await row.getByRole("button", { name: `Dispute #${shipmentId} as not delivered` }).click();
        await p.page
          .getByText(`Dispute all 2 units of shipment ${shipmentId} as not delivered?`, { exact: false })
          .waitFor();
        await p.page.getByRole("button", { name: "Yes, do it" }).click();
        await row.getByText("2 units disputed").waitFor({ timeout: 120_000 });
        await checkPage(p, "hospital-unreceived-arrivals");
        await p.page.getByRole("button", { name: /^中\s?文$/ }).click();
        await p.page.getByRole("table", { name: "未验收的到货" }).getByText("已对 2 件提出异议").waitFor();
        await checkPage(p, "hospital-unreceived-arrivals-zh");
        expect(p.errors).to.deep.equal([]);
      } finally {
        await p.close();
      }
      expect(await ledger.orderBook.disputedUnits(shipmentId)).to.equal(2n);

      const { agreementId } = await ledger.orderBook.order(ORDER_ID);
      const terms = await ledger.agreements.agreementTerms(agreementId);
      await provider.send("evm_increaseTime", [Number(terms.receivingWindow + terms.confirmWindow) + 60]);
      await provider.send("evm_mine", []);
      const record = await act.shipmentRecord(ledger, shipmentId);
      await act.sent(ledger.orderBook.connect(acme).claimSettlement(shipmentId, record));
      const [settled] = await ledger.orderBook.queryFilter(
        ledger.orderBook.filters.ShipmentSettled(shipmentId),
      );
      expect([
        settled.args.confirmation.accepted,
        settled.args.confirmation.rejected,
        settled.args.payout.paid,
      ]).to.deep.equal([0n, 2n, 0n]);
    });
  });

  it("lets Acme claim a delivery whose temperature excursion City General never decided, from the date the approver's order page gave", async function () {
    const { stack, browser } = suite;
    await onChain(async (ledger, wallet, provider) => {
      const shipmentId = await shipAndArrive(ledger, wallet, "WARM", 2, true);
      const approver = await signedIn(APPROVER);
      const indexed = await arrivedAtGateway(approver, shipmentId);
      expect([indexed.excursion, indexed.excursionWaived]).to.deep.equal([true, false]);

      const shipmentCard = async (p: ConsolePage) => {
        await openMenu(p, "Orders");
        await p.page.getByRole("button", { name: `Shipments of order #${ORDER_ID}` }).click();
        return p.page.getByTestId(`shipment-${shipmentId}`);
      };
      const p = await openPage(browser, stack.url);
      try {
        await signInAs(p, APPROVER);
        const card = await shipmentCard(p);
        await card
          .getByText("From then the supplier may claim payment for every unit not disputed.", {
            exact: false,
          })
          .waitFor();
        expect(await card.getByRole("alert").textContent()).to.include(
          "rejects the units it spoiled, before",
        );
        await p.page.getByRole("button", { name: /^中\s?文$/ }).click();
        await card.getByText("逾期后供应商可就未提出异议的全部件数申请结算", { exact: false }).waitFor();
        expect(p.errors).to.deep.equal([]);
      } finally {
        await p.close();
      }

      // Nobody decides; once the windows have passed, Acme's claim pays both stents.
      const { agreementId } = await ledger.orderBook.order(ORDER_ID);
      const terms = await ledger.agreements.agreementTerms(agreementId);
      await provider.send("evm_increaseTime", [Number(terms.receivingWindow + terms.confirmWindow) + 60]);
      await provider.send("evm_mine", []);
      const acme = wallet(ACME);
      const record = await act.shipmentRecord(ledger, shipmentId);
      // Priced as any delivery: the next 2 units at the agreement's tier position.
      const gross = await ledger.agreements.quote(agreementId, 2n);
      await act.sent(ledger.orderBook.connect(acme).claimSettlement(shipmentId, record));
      const [settled] = await ledger.orderBook.queryFilter(
        ledger.orderBook.filters.ShipmentSettled(shipmentId),
      );
      expect([
        settled.args.settledBy,
        settled.args.confirmation.accepted,
        settled.args.confirmation.rejected,
      ]).to.deep.equal([stack.account(ACME).address, 2n, 0n]);
      const { payout } = settled.args;
      expect([payout.gross, payout.paid]).to.deep.equal([gross, gross - payout.penalty]);
      expect((await ledger.trace.shipmentState(shipmentId)).excursionWaived).to.equal(false);

      await until(`shipment ${shipmentId}'s settlement at the gateway`, async () =>
        (await approver.get<Shipment>(`/v1/shipments/${shipmentId}`)).confirmed ? true : undefined,
      );
      const q = await openPage(browser, stack.url);
      try {
        await signInAs(q, APPROVER);
        const card = await shipmentCard(q);
        await card
          .getByText(
            "nobody waived it or disputed the units within the confirmation window, and the supplier's claim settled it",
            { exact: false },
          )
          .waitFor();
        await checkPage(q, "hospital-excursion-claimed");
        expect(q.errors).to.deep.equal([]);
      } finally {
        await q.close();
      }
    });
  });

  it("shows on the exceptions page a held receipt's delivery that the supplier's claim settled before anyone decided", async function () {
    const { stack, browser } = suite;
    await onChain(async (ledger, wallet, provider) => {
      const shipmentId = await shipAndArrive(ledger, wallet, "HELD", 4);
      const receiver = await signedIn(RECEIVER);
      const approver = await signedIn(APPROVER);
      const shipment = await arrivedAtGateway(receiver, shipmentId);
      // The dock counts 2 of the 4 (no manifest: counted by lot): the receipt is held, and the
      // gateway disputes the other 2.
      // Received at the arrival's block time, which follows the shipment's creation on the ledger
      // (a "latest" block read here once came back older than the shipment, and was refused).
      const { arrivedAt } = await ledger.trace.shipmentState(shipmentId);
      const receipt = await receiver.post<ReceiptResult>(
        "/v1/receipts",
        {
          receiptNo: "GR-HELD-1",
          shipmentId: shipment.id,
          receivedAt: new Date(Number(arrivedAt) * 1000).toISOString(),
          lines: [
            { gtin: shipment.gtin, lot: shipment.lot, expiry: shipment.expiry.slice(0, 10), quantity: 2 },
          ],
        },
        { "idempotency-key": "GR-HELD-1" },
      );
      const exceptionId = receipt.exceptionId!;
      const exception = async () =>
        (await approver.get<ExceptionList>("/v1/exceptions?status=open&limit=500")).items.find(
          (e) => e.id === exceptionId,
        );
      await until("the held receipt's dispute on the ledger", async () =>
        (await exception())?.ledgerHold?.status === "confirmed" ? true : undefined,
      );

      // Nobody decides; after the windows Acme claims, and is paid for the 2 the dock counted.
      const { agreementId } = await ledger.orderBook.order(ORDER_ID);
      const terms = await ledger.agreements.agreementTerms(agreementId);
      await provider.send("evm_increaseTime", [Number(terms.receivingWindow + terms.confirmWindow) + 60]);
      await provider.send("evm_mine", []);
      const record = await act.shipmentRecord(ledger, shipmentId);
      await act.sent(ledger.orderBook.connect(wallet(ACME)).claimSettlement(shipmentId, record));
      const settled = await until("the claim's settlement on the exception", async () => {
        const e = await exception();
        return e?.settledOnLedger ? e : undefined;
      });
      expect([settled.settledOnLedger, settled.ledgerHold, settled.claimOpensAt]).to.deep.equal([
        { accepted: "2", rejected: "2" },
        null,
        null,
      ]);

      const p = await openPage(browser, stack.url);
      try {
        await signInAs(p, APPROVER);
        await openMenu(p, "Exceptions");
        const rowIn = (table: string) =>
          p.page
            .getByRole("table", { name: table })
            .locator("tbody tr.ant-table-row")
            .filter({ has: p.page.locator("td:first-child", { hasText: new RegExp(`^#${exceptionId}$`) }) });
        const row = rowIn("Exceptions");
        await row.getByText("Settled on the ledger: 2 accepted, 2 rejected", { exact: true }).waitFor();
        expect(await row.getByTestId("exception-claim-opens").count()).to.equal(0);
        await p.page.getByRole("button", { name: /^中\s?文$/ }).click();
        await rowIn("异常").getByText("账本已结算：验收 2 件，拒收 2 件", { exact: true }).waitFor();
        await checkPage(p, "hospital-exception-settled-by-claim");
        expect(p.errors).to.deep.equal([]);
      } finally {
        await p.close();
      }
    });
  });
});
