import { expect } from "chai";
import { id as hashText, JsonRpcProvider, NonceManager, Wallet } from "ethers";
import type { Browser } from "playwright-core";
import type { ConsoleConfig } from "../../api/console";
import type { Exception, ExceptionList } from "../../api/exceptions";
import { until } from "../../scripts/lib/until";
import type { Order } from "../../api/orders";
import type { ReceiptResult } from "../../api/receipts";
import type { Shipment } from "../../api/shipments";
import type { Trail } from "../../api/trail";
import { ORDER_STATUS } from "../../ledger/enums";
import { GatewayClient } from "../../scripts/lib/gateway-client";
import { ConsignmentBook__factory, OrderBook__factory } from "../../typechain-types";
import {
  checkPage,
  expectOnScreen,
  launchBrowser,
  openPage,
  signInAs,
  type ConsolePage,
} from "./support/browser";
import { startDemoStack, type DemoStack } from "./support/stack";

/**
 * The hospital's procurement pages on the demo stack, through the page only: an approver of
 * City General places an order and approves it, reading the price the agreement's tiers give,
 * and resolves an exception; the chain and the API then show the order funded and the
 * exception resolved as decided. The other pages are visited and checked.
 */

const APPROVER = "City General Hospital, approver 1";
const RECEIVER = "City General Hospital, receiving dock";
/**
 * The demo leaves every order funded and every exception resolved. Acme's shipment of stent lot
 * DES2611C (serials C1-0001…C1-0010, scripts/demo.ts) is the one City General never received:
 * the test's setup receives 5 of its 10 units, as the warehouse would, which the match holds as
 * a SHORT_DELIVERY exception for an approver to decide.
 */
const STENT_GTIN = "09520123456788";
const UNRECEIVED_LOT = "DES2611C";

describe("console: hospital procurement", function () {
  this.timeout(300_000);
  let stack: DemoStack;
  let browser: Browser;
  let approver: GatewayClient;
  let exceptionId: string;

  before(async function () {
    stack = await startDemoStack();
    browser = await launchBrowser();
    approver = await client(APPROVER);
    exceptionId = await receiveShort();
  });

  after(async function () {
    await browser?.close();
    await stack?.stop();
  });

  async function client(name: string): Promise<GatewayClient> {
    const c = new GatewayClient(stack.url);
    await c.login(new Wallet(stack.account(name).privateKey));
    return c;
  }

  /** The warehouse's goods receipt of half the never-received shipment; the exception's id. */
  async function receiveShort(): Promise<string> {
    const receiver = await client(RECEIVER);
    const trail = await receiver.get<Trail>(`/v1/trail/lots/${STENT_GTIN}/${UNRECEIVED_LOT}`);
    expect(trail.shipments).to.have.length(1);
    const shipment = await receiver.get<Shipment>(`/v1/shipments/${trail.shipments[0]}`);
    const provider = new JsonRpcProvider(stack.rpcUrl);
    // The ledger's clock, not the test's: the demo moved chain time on by months.
    const now = (await provider.getBlock("latest"))!.timestamp;
    provider.destroy();
    const expiry = shipment.expiry.slice(2, 10).replace(/-/g, "");
    const result = await receiver.post<ReceiptResult>(
      "/v1/receipts",
      {
        receiptNo: "GR-E2E-1",
        shipmentId: shipment.id,
        receivedAt: new Date(now * 1000).toISOString(),
        lines: [1, 2, 3, 4, 5].map((i) => ({
          barcode: `(01)${shipment.gtin}(17)${expiry}(10)${shipment.lot}(21)C1-${String(i).padStart(4, "0")}`,
        })),
      },
      { "idempotency-key": "GR-E2E-1" },
    );
    expect(result.match.reasons.map((r) => r.code)).to.deep.equal(["SHORT_DELIVERY"]);
    expect(result.exceptionId).to.be.a("string");
    return result.exceptionId!;
  }

  async function open(p: ConsolePage, menu: string, heading: string): Promise<void> {
    await p.page
      .getByRole("navigation", { name: "menu" })
      .getByRole("link", { name: menu, exact: true })
      .click();
    await p.page.getByRole("heading", { name: heading, level: 1 }).waitFor();
  }

  it("places an order, shows its tier price and approves it: the order is funded with that value", async function () {
    const p = await openPage(browser, stack.url);
    try {
      await signInAs(p, APPROVER);
      await open(p, "Place an order", "Place an order");
      // Acme's stent agreement: tiers ¥750.00 from 0, ¥720.00 from 100, ¥690.00 from 500.
      await p.page.getByLabel("Agreement").click();
      await p.page
        .locator(".ant-select-item-option", { hasText: /^#1 · C0401-DES · Acme Medical Devices$/ })
        .click();
      await p.page.getByLabel("Quantity").fill("20");
      await p.page.getByLabel("PO reference").fill("CGH-PO-2027-E2E");
      // 91 units accepted so far (4 of them consigned stents used, 4 MA-coded ones and 10 the
      // short-dated ones; the 6 consigned stents returned or on the shelf were never bought): this
      // order's units are positions 92 to 111, across tier 2's threshold (the 101st unit): 9 at
      // ¥750.00 and 11 at ¥720.00.
      const quote = p.page.getByTestId("tier-breakdown");
      await quote.getByText("The agreement has accepted 91 units so far", { exact: false }).waitFor();
      await quote.getByText("9 × ¥750.00 = ¥6,750.00").waitFor();
      await quote.getByText("11 × ¥720.00 = ¥7,920.00").waitFor();
      expect(await p.page.getByTestId("tier-total").textContent()).to.equal("20 units: ¥14,670.00");
      await checkPage(p, "hospital-place-order");
      await p.page.getByRole("button", { name: "Place order" }).click();
      const placed = p.page.getByRole("status").filter({ hasText: "CGH-PO-2027-E2E" });
      await placed.getByText(/^Order #\d+ \(CGH-PO-2027-E2E\) placed/).waitFor();
      const orderId = /Order #(\d+)/.exec((await placed.textContent())!)![1];

      await placed.getByRole("link", { name: "Go to the orders to approve" }).click();
      await p.page.getByRole("heading", { name: "Orders to approve", level: 1 }).waitFor();
      await p.page.getByRole("button", { name: `Review order #${orderId}` }).click();
      const review = p.page.getByTestId("order-review");
      await review.getByTestId("tier-total").getByText("20 units: ¥14,670.00").waitFor();
      expect(await review.textContent()).to.include("Waiting for approval");
      await checkPage(p, "hospital-approvals");
      await review.getByRole("button", { name: `Approve order #${orderId}` }).click();
      // Below the ¥50,000.00 threshold one approval funds it.
      await review.getByText("Funded").waitFor();
      expect(await review.getByTestId("order-value").textContent()).to.equal("¥14,670.00");
      expect(p.errors).to.deep.equal([]);

      const order = await approver.get<Order>(`/v1/orders/${orderId}`);
      expect(order).to.include({ status: "funded", value: "1467000", escrow: "1467000", quantity: "20" });
      expect(order.approvers.map((a) => a.approver)).to.deep.equal([
        stack.account(APPROVER).address.toLowerCase(),
      ]);
      const config = await approver.get<ConsoleConfig>("/v1/console/config");
      const provider = new JsonRpcProvider(stack.rpcUrl);
      try {
        const onChain = await OrderBook__factory.connect(config.contracts.orderBook, provider).order(orderId);
        expect(ORDER_STATUS[Number(onChain.status)]).to.equal("funded");
        expect(onChain.escrow).to.equal(1_467_000n);
      } finally {
        provider.destroy();
      }
    } finally {
      await p.close();
    }
  });

  it("declines an order awaiting approval and cancels a funded one nothing was shipped against", async function () {
    const config = await approver.get<ConsoleConfig>("/v1/console/config");
    const provider = new JsonRpcProvider(stack.rpcUrl, undefined, { staticNetwork: true });
    const book = OrderBook__factory.connect(
      config.contracts.orderBook,
      new NonceManager(new Wallet(stack.account(APPROVER).privateKey, provider)),
    );
    const status = async (id: bigint) => ORDER_STATUS[Number((await book.order(id)).status)];
    const p = await openPage(browser, stack.url);
    try {
      // Two orders of 2 stents under Acme's agreement, placed from the approver's own wallet;
      // the second approved, so funded.
      const now = (await provider.getBlock("latest"))!.timestamp;
      const place = async (reference: string) => {
        const receipt = await (await book.placeOrder(1n, 2n, now + 30 * 86_400, hashText(reference))).wait();
        const placed = receipt!.logs
          .map((log) => book.interface.parseLog(log))
          .find((e) => e?.name === "OrderPlaced");
        return placed!.args.orderId as bigint;
      };
      const declined = await place("CGH-PO-DECLINE");
      const funded = await place("CGH-PO-CANCEL");
      await (await book.approveOrder(funded)).wait();
      expect([await status(declined), await status(funded)]).to.deep.equal(["placed", "funded"]);

      await signInAs(p, APPROVER);
      // Not priced until approval funds it: no ¥0.00 for an order waiting.
      await open(p, "Orders", "Orders");
      const waiting = p.page
        .getByRole("table", { name: "The hospital's orders" })
        .locator("tbody tr.ant-table-row")
        .filter({ has: p.page.locator("td:first-child", { hasText: new RegExp(`^#${declined}$`) }) });
      await waiting.getByText("priced when approved", { exact: true }).waitFor();
      await open(p, "Orders to approve", "Orders to approve");
      await p.page.getByRole("button", { name: `Review order #${declined}` }).click();
      const review = p.page.getByTestId("order-review");
      await review.getByRole("button", { name: `Decline order #${declined}` }).click();
      // Asked first: a cancellation cannot be undone.
      await p.page
        .getByText(`Decline order #${declined}? It is cancelled on the ledger; nothing is paid.`)
        .waitFor();
      await p.page.getByRole("button", { name: "Yes, do it" }).click();
      const recorded = p.page.getByText(/^Recorded on the ledger in block \d+\.$/);
      await recorded.waitFor();
      expect(await status(declined)).to.equal("cancelled");
      // The message goes after a few seconds: the next act's is then its own.
      await recorded.waitFor({ state: "detached" });

      await open(p, "Orders", "Orders");
      // Offered on the order opened, not on every row.
      expect(await p.page.getByRole("button", { name: /^Cancel order #/ }).count()).to.equal(0);
      await p.page.getByRole("button", { name: `Shipments of order #${funded}` }).click();
      await p.page.getByRole("button", { name: `Cancel order #${funded}` }).click();
      await p.page
        .getByText(`Cancel the 2 unit(s) of order #${funded} not shipped yet?`, { exact: false })
        .waitFor();
      await p.page.getByRole("button", { name: "Yes, do it" }).click();
      await recorded.waitFor();
      const order = await book.order(funded);
      expect([ORDER_STATUS[Number(order.status)], order.cancelled, order.escrow]).to.deep.equal([
        "cancelled",
        2n,
        0n,
      ]);
      expect(p.errors).to.deep.equal([]);
    } finally {
      await p.close();
      provider.destroy();
    }
  });

  it("resolves an open exception, accepting part of the delivery", async function () {
    const p = await openPage(browser, stack.url);
    try {
      // The held receipt disputes the 5 units it did not count on the ledger (the payment worker
      // sends it): a claim by the supplier after the confirmation window would pay the rest only.
      const hold = await until("the held receipt's dispute on the ledger", async () => {
        const listed = await approver.get<ExceptionList>("/v1/exceptions?status=open&limit=500");
        const h = listed.items.find((x) => x.id === exceptionId)?.ledgerHold;
        return h?.status === "confirmed" ? h : undefined;
      });
      expect(hold).to.deep.equal({ units: "5", status: "confirmed", error: null });
      await signInAs(p, APPROVER);
      await open(p, "Exceptions", "Exceptions");
      const table = p.page.getByRole("table", { name: "Exceptions" });
      await table.getByText("received 5 of 10 shipped units").waitFor();
      const row = table
        .locator("tbody tr.ant-table-row")
        .filter({ has: p.page.locator("td:first-child", { hasText: new RegExp(`^#${exceptionId}$`) }) });
      await row.getByText("5 held on the ledger", { exact: true }).waitFor();
      // The decision's deadline: Acme recorded the arrival months ago on the demo's clock, so it
      // may claim already (the receiving and confirmation windows after its arrival).
      const claimTag = row.getByTestId("exception-claim-opens");
      expect(await claimTag.textContent()).to.match(/^supplier may claim from /);
      // Whole, beside the table's fixed Actions column rather than under it.
      const tagBox = (await claimTag.boundingBox())!;
      const actionsBox = (await table.getByRole("columnheader", { name: "Actions" }).boundingBox())!;
      expect(tagBox.x + tagBox.width).to.be.at.most(actionsBox.x);
      await checkPage(p, "hospital-exceptions");
      await p.page.getByRole("button", { name: `Resolve exception #${exceptionId}` }).click();
      const form = p.page.getByTestId("resolve-exception");
      expect(await form.getByTestId("ledger-hold").textContent()).to.equal(
        "Until you decide, 5 units are disputed on the ledger: a supplier who claims payment after the confirmation window is paid only for the rest.",
      );
      expect(await form.getByTestId("claim-deadline").textContent()).to.match(
        /^The supplier may claim payment from .+: decide before then, or its claim settles the delivery as the ledger stands\.$/,
      );
      await form.getByRole("radio", { name: "Accept part" }).check();
      await form.getByLabel("Units to accept").fill("4");
      await form.getByLabel("Note (why)").fill("one unit of the five received is damaged");
      await form.getByRole("button", { name: "Record decision" }).click();
      await form
        .getByRole("status")
        .getByText(`Exception #${exceptionId} resolved: Accepted in part, 4 units accepted.`)
        .waitFor();
      expect(p.errors).to.deep.equal([]);

      const resolved = await approver.get<ExceptionList>("/v1/exceptions?status=resolved&limit=500");
      const e = resolved.items.find((x) => x.id === exceptionId) as Exception;
      expect(e).to.include({
        status: "resolved",
        resolution: "accept_part",
        resolvedAccepted: "4",
        note: "one unit of the five received is damaged",
        resolvedBy: stack.account(APPROVER).address.toLowerCase(),
      });
    } finally {
      await p.close();
    }
  });

  it("shows the orders with a shipment's excursion highlighted, the payments and the commitments", async function () {
    const p = await openPage(browser, stack.url);
    try {
      await signInAs(p, APPROVER);
      await open(p, "Orders", "Orders");
      // Order #2 holds the shipment whose departing step logged a temperature excursion. The
      // orders table is wider than the screen; its buttons stay in view.
      const shipments = p.page.getByRole("button", { name: "Shipments of order #2" });
      await expectOnScreen(shipments, "the order's Shipments button");
      await shipments.click();
      const excursion = p.page.locator('tr[data-excursion="true"]');
      await excursion.first().waitFor();
      expect(await excursion.count()).to.equal(1);
      expect(await excursion.textContent())
        .to.include("Departing")
        .and.include("Temperature excursion");
      await checkPage(p, "hospital-orders");

      await open(p, "Payments", "Payments");
      await p.page.getByRole("img", { name: /^Bar chart: how many of \d+ paid settlements/ }).waitFor();
      await p.page.getByRole("table", { name: "Payments" }).getByText("GR-0001").waitFor();
      await checkPage(p, "hospital-payments");

      await open(p, "Commitments", "Our commitments");
      await p.page.getByRole("img", { name: /^Line chart of agreement #1/ }).waitFor();
      await checkPage(p, "hospital-commitments");
    } finally {
      await p.close();
    }
  });

  it("makes the order just placed under the stent agreement a consignment, before approval funds it, though an earlier one has its reference", async function () {
    const p = await openPage(browser, stack.url);
    try {
      await signInAs(p, APPROVER);
      await open(p, "Place an order", "Place an order");
      await p.page.getByLabel("Agreement").click();
      await p.page
        .locator(".ant-select-item-option", { hasText: /^#1 · C0401-DES · Acme Medical Devices$/ })
        .click();
      // Acme offered agreement 1 on consignment in the demo year, expired stock at its own loss.
      await p.page
        .getByText("Offered: the supplier's stock stays in your custody", { exact: false })
        .waitFor();
      expect(
        await p.page.getByText("expired stock is the supplier's loss", { exact: false }).count(),
      ).to.equal(1);
      await p.page.getByLabel("Quantity").fill("5");
      await p.page.getByLabel("PO reference").fill("CGH-PO-2027-CONSIGN");
      const placed = p.page.getByRole("status").filter({ hasText: "CGH-PO-2027-CONSIGN" });
      // Two orders under one hand-typed reference: the page offers the one it just placed.
      const place = async (not: string): Promise<string> => {
        await p.page.getByRole("button", { name: "Place order" }).click();
        const shown = placed.getByText(
          new RegExp(`^Order #(?!${not}\\b)\\d+ \\(CGH-PO-2027-CONSIGN\\) placed`),
        );
        await shown.waitFor();
        return /Order #(\d+)/.exec((await shown.textContent())!)![1];
      };
      const earlier = await place("none");
      const orderId = await place(earlier);
      await placed.getByRole("button", { name: `Make order #${orderId} a consignment (pay on use)` }).click();
      await placed.getByText(`Order #${orderId} is a consignment`, { exact: false }).waitFor();
      expect(p.errors).to.deep.equal([]);

      const config = await approver.get<ConsoleConfig>("/v1/console/config");
      const provider = new JsonRpcProvider(stack.rpcUrl);
      try {
        const consignment = ConsignmentBook__factory.connect(config.contracts.consignment, provider);
        expect(await consignment.isConsigned(BigInt(orderId))).to.equal(true);
        expect(await consignment.isConsigned(BigInt(earlier))).to.equal(false);
        const order = await OrderBook__factory.connect(config.contracts.orderBook, provider).order(orderId);
        expect(ORDER_STATUS[Number(order.status)]).to.equal("placed");
      } finally {
        provider.destroy();
      }
    } finally {
      await p.close();
    }
  });
});
