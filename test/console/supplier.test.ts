import { expect } from "chai";
import { ethers, JsonRpcProvider, NonceManager, Wallet } from "ethers";
import { readFileSync } from "node:fs";
import type { Browser, Locator } from "playwright-core";
import type { ConsoleConfig } from "../../api/console";
import type { OrderPage } from "../../api/orders";
import type { OverdueReport } from "../../api/payments";
import type { Shipment } from "../../api/shipments";
import type { Tender } from "../../api/tenders";
import { categoryCode, commitment, sent, serialTree } from "../../ledger/acts";
import {
  OrderBook__factory,
  SettlementToken__factory,
  SupplierRegistry__factory,
  TenderHouse__factory,
} from "../../typechain-types";
import { productKeyOf } from "../../ledger/product-key";
import { yuan } from "../../console/src/lib/format";
import {
  checkPage,
  expectOnScreen,
  sidewaysOverflow,
  launchBrowser,
  openPage,
  signInAs,
  type ConsolePage,
} from "./support/browser";
import { startDemoStack, type DemoStack } from "./support/stack";
import { openWalletPage } from "./support/wallet";

/**
 * The supplier's console on the demo stack, through its pages: Acme reads its qualification,
 * agreements and payments; commits a sealed bid on a tender the regulator opens (its salt
 * downloaded before the commit) and reveals it from that file in the reveal window; and ships
 * against an order from an uploaded serial list, whose manifest the gateway then holds. What
 * the other parties do (open the tender, allow a late shipment) they do with their own keys
 * on the chain, as they would from their own wallets and pages.
 */

const ACME = "Acme Medical Devices";
const REGULATOR = "Provincial Medical Products Administration";
const APPROVER = "City General Hospital, approver 1";
const STENT_GTIN = "09520123456788";
const DAY = 86_400;
const BOND = 500_000n;
/** Acme's first demo order (City General, stents): 57 units still to ship, its deadline passed. */
const ORDER_ID = 1n;

describe("console: supplier", function () {
  this.timeout(300_000);
  let stack: DemoStack;
  let browser: Browser;
  let provider: JsonRpcProvider;
  let config: ConsoleConfig;
  const wallet = (name: string) => new NonceManager(new Wallet(stack.account(name).privateKey, provider));

  before(async function () {
    stack = await startDemoStack();
    browser = await launchBrowser();
    provider = new JsonRpcProvider(stack.rpcUrl, undefined, { staticNetwork: true, pollingInterval: 100 });
    config = (await (await fetch(`${stack.url}/v1/console/config`)).json()) as ConsoleConfig;
  });

  after(async function () {
    provider?.destroy();
    await browser?.close();
    await stack?.stop();
  });

  /** Signs in as Acme and opens one of the supplier's pages from the menu. */
  async function supplierPage(p: ConsolePage, menu: string, heading: string): Promise<void> {
    if ((await p.page.getByTestId("who").count()) === 0) await signInAs(p, ACME);
    await p.page.getByRole("navigation", { name: "menu" }).getByRole("link", { name: menu }).click();
    await p.page.getByRole("heading", { name: heading, level: 1 }).waitFor();
  }

  /** Waits for what an act shows once it is on the ledger; a refusal fails with the ledger's words. */
  async function afterAct(p: ConsolePage, shown: Locator): Promise<void> {
    const refused = p.page.locator(".ant-message-error");
    await Promise.race([
      shown.waitFor({ timeout: 120_000 }),
      refused.waitFor({ timeout: 120_000 }).then(async () => {
        throw new Error(`the ledger refused: ${await refused.textContent()}`);
      }),
    ]);
  }

  /** The gateway's answer to `path` for the page's signed-in session. */
  async function apiGet<T>(p: ConsolePage, path: string): Promise<T> {
    const token = (await p.page.evaluate(
      `JSON.parse(sessionStorage.getItem("sunshine.session")).session.token`,
    )) as string;
    const res = await fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status, path).to.equal(200);
    return (await res.json()) as T;
  }

  it("shows Acme's qualification, agreements with their current tier, and payments", async function () {
    const p = await openPage(browser, stack.url);
    try {
      await signInAs(p, ACME);
      // Welcomed by the name Acme registered on the ledger, its address beside it.
      await p.page.getByRole("heading", { level: 1, name: new RegExp(`^Welcome, ${ACME} 0x`) }).waitFor();
      await supplierPage(p, "My qualification", "My qualification");
      const documents = p.page.getByRole("table", { name: "My documents" });
      await documents.getByText("Business licence").waitFor();
      expect(await documents.getByText("Attested").count()).to.be.greaterThan(0);
      await p.page.getByRole("table", { name: "GTINs I may ship" }).getByText(STENT_GTIN).waitFor();
      await checkPage(p, "supplier-qualification");

      await supplierPage(p, "My agreements", "My agreements");
      // The demo's stent agreement: 91 units accepted (4 consigned ones used, 4 MA-coded, 10
      // short-dated), so its first tier (from 0 units) is current; 91 of City General's 240
      // committed, rounded down.
      const agreements = p.page.getByRole("table", { name: "My agreements" });
      await agreements.getByText("from 0 units: ¥750.00 — current").waitFor();
      await agreements.getByRole("button", { name: "Commitments of 1" }).click();
      const fulfilment = p.page.getByRole("table", { name: /Agreement 1 \(C0401-DES\)/ });
      await fulfilment.getByText("91 (37.91%)").waitFor();
      await checkPage(p, "supplier-agreements");

      await supplierPage(p, "My payments", "My payments");
      const payments = p.page.getByRole("table", { name: "My payments" });
      await payments.getByText("GR-0001").waitFor();
      await payments.getByText("¥15,000.00").first().waitFor();
      // Accepted and unpaid, with what holds each: the supplier's own overdue report, as the API says.
      const held = await apiGet<OverdueReport>(p, "/v1/payments/overdue?days=0&limit=500");
      const heldTable = p.page.getByRole("table", { name: "Accepted, not yet paid" });
      await heldTable.waitFor();
      expect(await heldTable.locator("tbody tr.ant-table-row").count()).to.equal(held.items.length);
      for (const h of held.items) await heldTable.getByText(`#${h.shipmentId}`, { exact: true }).waitFor();
      await checkPage(p, "supplier-payments");
    } finally {
      await p.close();
    }
  });

  it("commits a sealed bid, keeping its salt in a downloaded file, and reveals it from that file", async function () {
    const regulator = wallet(REGULATOR);
    const acmeAddress = stack.account(ACME).address;
    const tenders = TenderHouse__factory.connect(config.contracts.tenders, regulator);
    const orderBook = OrderBook__factory.connect(config.contracts.orderBook, provider);
    const { hospital } = await orderBook.order(ORDER_ID);
    const now = (await provider.getBlock("latest"))!.timestamp;
    const opened = await sent(
      tenders.openTender(
        {
          category: categoryCode("C0401-DES"),
          reservePrice: 150_000n,
          commitDeadline: now + 7 * DAY,
          revealDeadline: now + 14 * DAY,
          termSeconds: 365 * DAY,
          leadTimeDays: 10,
          penaltyBpsPerDay: 50,
          penaltyCapBps: 1000,
          winners: 1,
          bidBond: BOND,
          fundingWindow: 14 * DAY,
          receivingWindow: DAY,
          confirmWindow: 7 * DAY,
        },
        [hospital],
        [100n],
      ),
    );
    const tenderId = tenders.interface.parseLog(opened.logs[0])!.args.tenderId as bigint;

    let bidFile = "";
    let saved: { tenderId: string; tiers: { threshold: string; unitPrice: string }[]; salt: string };
    // Acme's own browser wallet this time (the reveal below uses the demo picker): the bond's
    // allowance is a permit the wallet signs and the gateway relays, as every act is.
    const p = await openWalletPage(browser, stack.url, stack.account(ACME).privateKey, stack.rpcUrl);
    try {
      await p.page.getByRole("button", { name: "Sign in with a browser wallet" }).click();
      await p.page.getByTestId("who").waitFor();
      await supplierPage(p, "Tenders and bids", "Tenders and bids");
      const list = p.page.getByRole("table", { name: "Tenders and bids" });
      // The tender's terms, one a line, all in view: the table fits the screen.
      await list.getByText("365-day term", { exact: true }).waitFor();
      expect(await sidewaysOverflow(list)).to.equal(0);
      await list.getByRole("button", { name: `Bid on tender ${tenderId}` }).click();
      await p.page.getByText("I have not bid on this tender.").waitFor();
      await p.page.getByText("Committing escrows the bid bond of ¥5,000.00").waitFor();
      // Above the tender's ceiling (¥1,500.00): refused here, in words, before anything is sealed.
      await p.page.getByLabel("Tier 1: unit price in yuan").fill("1600.00");
      await p.page.getByRole("button", { name: "Seal the bid" }).click();
      await p.page
        .getByText(
          "The ledger would refuse this schedule at the reveal, and the bond would be lost: the first tier's unit price is above the tender's ceiling price.",
        )
        .waitFor();
      await p.page.getByLabel("Tier 1: unit price in yuan").fill("740.00");
      await p.page.getByRole("button", { name: "Add a tier" }).click();
      await p.page.getByLabel("Tier 2: from units").fill("50");
      await p.page.getByLabel("Tier 2: unit price in yuan").fill("725.50");
      await p.page.getByRole("button", { name: "Seal the bid" }).click();

      // The demo's bidders approved exactly their bonds, which the tender house took: Acme has no
      // allowance left, and the page says so before anything is signed.
      await p.page.getByText("The ledger would refuse this commitment now:").waitFor();
      await p.page.getByText("The bond or payment token allowance is too low.").waitFor();
      // The browser logs the gateway's refusal (400) of that check: expected, and the only error.
      expect(p.errors).to.deep.equal([
        "Failed to load resource: the server responded with a status of 400 (Bad Request)",
      ]);
      p.errors.length = 0;
      await checkPage(p, "supplier-tenders");
      // Acme allows the bond from the page, signing a permit without gas; the check then passes.
      const token = SettlementToken__factory.connect(config.contracts.token, provider);
      await p.page.getByRole("button", { name: "Allow the tender house the bond (¥5,000.00)" }).click();
      await p.page.getByText("The ledger would refuse this commitment now:").waitFor({ state: "detached" });
      expect(p.walletCalls).to.include("eth_signTypedData_v4");
      expect(p.walletCalls).to.not.include("eth_sendTransaction");
      expect(await token.allowance(acmeAddress, config.contracts.tenders)).to.equal(BOND);

      const commit = p.page.getByRole("button", { name: "Commit the sealed bid" });
      expect(await commit.isDisabled(), "commit before the bid file was downloaded").to.equal(true);
      const [download] = await Promise.all([
        p.page.waitForEvent("download"),
        p.page.getByRole("button", { name: "Download the bid file" }).click(),
      ]);
      expect(download.suggestedFilename()).to.equal(
        `bid-tender-${tenderId}-${acmeAddress.toLowerCase()}.json`,
      );
      bidFile = readFileSync(await download.path(), "utf8");
      saved = JSON.parse(bidFile) as typeof saved;
      expect(saved.tenderId).to.equal(String(tenderId));
      expect(saved.tiers).to.deep.equal([
        { threshold: "0", unitPrice: "74000" },
        { threshold: "50", unitPrice: "72550" },
      ]);
      expect(saved.salt).to.match(/^0x[0-9a-f]{64}$/);

      await commit.click();
      const state = p.page.getByTestId("bid-state");
      await afterAct(p, state.getByText("Committed, not revealed yet"));
      const committed = await apiGet<Tender>(p, `/v1/tenders/${tenderId}`);
      const bid = committed.bids.find((b) => b.bidder.toLowerCase() === acmeAddress.toLowerCase())!;
      expect(bid.commitment).to.equal(commitment(tenderId, acmeAddress, saved.tiers, saved.salt));
      expect(bid.bond).to.equal(String(BOND));
      expect((await tenders.bid(tenderId, acmeAddress)).committedAt).to.not.equal(0n);
      await p.page.getByText("The bid kept in this browser:").waitFor();
    } finally {
      await p.close();
    }

    // Into the reveal window, on a fresh browser that holds no salt: the downloaded file reveals.
    await provider.send("evm_increaseTime", [7 * DAY + 1]);
    await provider.send("evm_mine", []);
    const q = await openPage(browser, stack.url);
    try {
      await supplierPage(q, "Tenders and bids", "Tenders and bids");
      await q.page.getByRole("button", { name: `Bid on tender ${tenderId}` }).click();
      await q.page.getByText("This browser does not hold this bid's salt: upload the bid file.").waitFor();
      await q.page.getByLabel("Bid file (JSON)").setInputFiles({
        name: "bid.json",
        mimeType: "application/json",
        buffer: Buffer.from(bidFile),
      });
      await q.page.getByText("The bid from the uploaded file:").waitFor();
      await q.page.getByRole("button", { name: "Reveal the bid" }).click();
      await afterAct(q, q.page.getByTestId("bid-state").getByText("Revealed", { exact: true }));
      const revealed = await apiGet<Tender>(q, `/v1/tenders/${tenderId}`);
      const bid = revealed.bids.find((b) => b.bidder.toLowerCase() === acmeAddress.toLowerCase())!;
      expect(bid, "the revealed bid").to.deep.include({
        revealed: true,
        bondReturned: true,
        tiers: saved.tiers,
      });
      const onChain = await tenders.bid(tenderId, acmeAddress);
      expect(onChain.revealed).to.equal(true);
      expect(onChain.tiers.map((t) => [t.threshold, t.unitPrice])).to.deep.equal([
        [0n, 74_000n],
        [50n, 72_550n],
      ]);
      await checkPage(q, "supplier-tenders-revealed");
    } finally {
      await q.close();
    }
  });

  it("creates a shipment from an uploaded serial list and uploads its manifest", async function () {
    // The order's delivery deadline passed in the demo year: City General allows it to ship late.
    const approver = wallet(APPROVER);
    const orderBook = OrderBook__factory.connect(config.contracts.orderBook, approver);
    await sent(orderBook.allowLateShipment(ORDER_ID));
    const before = await orderBook.order(ORDER_ID);
    const serials = ["E2E-0001", "E2E-0002", "E2E-0003", "E2E-0004", "E2E-0005"];
    const root = serialTree(serials).root;

    const p = await openPage(browser, stack.url);
    try {
      await supplierPage(p, "Orders and shipments", "Orders and shipments");
      // The demo's consigned order: its settled value went into the consignment book, not to
      // Acme, and its row says what that value became.
      const orders = await apiGet<OrderPage>(p, "/v1/orders?limit=500");
      const consigned = orders.items.filter((o) => o.consignment !== null);
      expect(consigned).to.have.length(1);
      const c = consigned[0].consignment!;
      expect(BigInt(c.paidOnUse) + BigInt(c.held) + BigInt(c.refunded)).to.equal(BigInt(consigned[0].paid));
      await p.page
        .getByText(
          `into consignment: ${yuan(c.paidOnUse)} paid on use, ${yuan(c.held)} held, ${yuan(c.refunded)} refunded`,
          { exact: true },
        )
        .waitFor();
      // Order 2's deadline passed too, and nobody allowed it to ship late: its row says so before
      // a shipment is tried; order 1's says it may.
      const row = (id: number) =>
        p.page
          .getByRole("table", { name: "Orders and shipments" })
          .locator("tbody tr.ant-table-row")
          .filter({ has: p.page.locator("td:first-child", { hasText: new RegExp(`^${id}$`) }) });
      await row(2).getByText("past its deadline: shipping needs the hospital's consent").waitFor();
      expect(await row(Number(ORDER_ID)).getByText("late shipment allowed").count()).to.equal(1);
      expect(await row(Number(ORDER_ID)).getByText("past its deadline", { exact: false }).count()).to.equal(
        0,
      );
      // The orders table fits a 1366-pixel screen (its deadline tags wrap); its Ship buttons are in view.
      expect(await sidewaysOverflow(p.page.getByRole("table", { name: "Orders and shipments" }))).to.equal(0);
      const ship = p.page.getByRole("button", { name: `Ship against order ${ORDER_ID}` });
      await expectOnScreen(ship, "the Ship button");
      await ship.click();
      await p.page
        .getByText(`${before.quantity - before.shipped - before.cancelled} units remain to ship.`)
        .waitFor();
      await p.page.getByLabel("GTIN").click();
      await p.page.locator(".ant-select-item-option", { hasText: STENT_GTIN }).click();
      await p.page.getByLabel("Lot").fill("DES2705E");
      // An ISO date typed into the date picker reads back as the console writes dates (en-GB).
      await p.page.getByLabel("Expiry date").fill("2029-06-30");
      await p.page.getByLabel("Expiry date").press("Enter");
      expect(await p.page.getByLabel("Expiry date").inputValue()).to.equal("30/06/2029");
      await p.page.getByLabel("Despatch advice number").fill("DESADV-E2E-1");
      await p.page.getByLabel(/^Serial list/).setInputFiles({
        name: "serials.csv",
        mimeType: "text/csv",
        buffer: Buffer.from(`${serials.join("\r\n")}\r\n`),
      });
      await p.page.getByText("5 serials read").waitFor();
      expect(await p.page.getByTestId("serial-root").textContent()).to.include(root);
      await checkPage(p, "supplier-orders");
      await p.page.getByRole("button", { name: "Create the shipment" }).click();
      const created = p.page.getByTestId("shipment-created");
      await afterAct(p, created);
      await p.page.getByText("5 serials uploaded").waitFor();
      const shipmentId = /Shipment (\d+) created/.exec((await created.textContent()) ?? "")![1];

      const shipment = await apiGet<Shipment>(p, `/v1/shipments/${shipmentId}`);
      expect(shipment.orderId).to.equal(String(ORDER_ID));
      expect(shipment.quantity).to.equal("5");
      expect(shipment.gtin).to.equal(STENT_GTIN);
      expect(shipment.lot).to.equal("DES2705E");
      expect(shipment.expiry).to.equal("2029-06-30T00:00:00.000Z");
      expect(shipment.serialRoot).to.equal(root);
      expect(shipment.manifestSerials).to.equal(5);
      expect(shipment.noticeHash).to.equal(ethers.id("DESADV-E2E-1"));
      expect((await orderBook.order(ORDER_ID)).shipped).to.equal(before.shipped + 5n);
      await checkPage(p, "supplier-shipment");
    } finally {
      await p.close();
    }
  });

  it("declares an AHM device identifier from the qualification page, then files a product registration listing its key", async function () {
    const DI = "AHM-E2E-STENT-0001";
    const key = productKeyOf("AHM", DI);
    const p = await openPage(browser, stack.url);
    try {
      await supplierPage(p, "My qualification", "My qualification");
      await p.page.getByLabel("Issuing agency").click();
      await p.page.locator(".ant-select-item-option", { hasText: "AHM (阿里健康)" }).click();
      await p.page.getByLabel("Device identifier (DI)").fill(DI);
      await p.page.getByText(`Its product key on the ledger: ${key}`).waitFor();
      await p.page.getByRole("button", { name: "Declare on the ledger" }).click();
      await afterAct(
        p,
        p.page.getByRole("status").getByText(`Declared: product key ${key}.`, { exact: false }),
      );
      expect(p.errors).to.deep.equal([]);
      const registry = SupplierRegistry__factory.connect(config.contracts.registry, provider);
      expect(await registry.isProductKeyDeclared(BigInt(key))).to.equal(true);
      const [declared] = await registry.queryFilter(registry.filters.DeviceIdentifierDeclared(BigInt(key)));
      expect([declared.args.supplier, declared.args.deviceIdentifier]).to.deep.equal([
        stack.account(ACME).address,
        DI,
      ]);

      // As the page says next: list the key in a product registration, as a GTIN would be.
      await p.page.getByLabel("Kind").click();
      await p.page.locator(".ant-select-item-option", { hasText: "Product registration" }).click();
      const certificate = Buffer.from("NMPA registration certificate, AHM stent");
      await p.page.getByLabel(/^The document/).setInputFiles({
        name: "certificate.pdf",
        mimeType: "application/pdf",
        buffer: certificate,
      });
      await p.page.getByTestId("document-sha256").waitFor();
      for (const [label, day] of [
        ["Valid from", "2026-01-01"],
        ["Valid until", "2031-12-31"],
      ]) {
        await p.page.getByLabel(label).fill(day);
        await p.page.getByLabel(label).press("Enter");
      }
      await p.page.getByLabel("Categories").fill("C0401-DES");
      await p.page.getByLabel("Categories").press("Enter");
      const products = p.page.getByLabel("Products the registration lists");
      // Thirteen digits are neither a GTIN-14 nor a key: refused before anything is signed.
      await products.fill("9520123456788");
      await products.press("Enter");
      await p.page.getByText("Each is a GTIN-14 (14 digits) or a product key (15 to 20 digits).").waitFor();
      await p.page
        .locator(".ant-select-selection-item", { hasText: "9520123456788" })
        .locator(".ant-select-selection-item-remove")
        .click();
      await products.fill(key);
      await products.press("Enter");
      await p.page.getByRole("button", { name: "File the document" }).click();
      await afterAct(p, p.page.getByText("Filed: the regulator will attest or reject it."));
      // Acme's latest registration (the demo year filed its others).
      const filed = (
        await registry.queryFilter(registry.filters.ProductsDeclared(undefined, stack.account(ACME).address))
      ).at(-1)!;
      expect(filed.args.gtins.map(String)).to.deep.equal([key]);
      expect(p.errors).to.deep.equal([]);
    } finally {
      await p.close();
    }
  });

  it("says in Chinese what is wrong with a document form, not that the system failed", async function () {
    const p = await openPage(browser, stack.url);
    try {
      await signInAs(p, ACME);
      // Ant Design spaces a two-character Chinese label: "中 文".
      await p.page.getByRole("button", { name: /^中\s?文$/ }).click();
      await p.page.getByRole("navigation", { name: "menu" }).getByRole("link", { name: "我的资质" }).click();
      await p.page.getByRole("heading", { name: "我的资质", level: 1 }).waitFor();
      // Nothing entered: the form's own sentence, before anything is signed.
      await p.page.getByRole("button", { name: "提交文件" }).click();
      await p.page.locator(".ant-message-error").getByText("有字段缺失或无效，请检查表单。").waitFor();
      expect(await p.page.getByText("请求未能完成").count()).to.equal(0);
    } finally {
      await p.close();
    }
  });
});
