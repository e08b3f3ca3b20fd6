import { expect } from "chai";
import { readFileSync } from "node:fs";
import { ethers, JsonRpcProvider, Wallet } from "ethers";
import type { Page } from "playwright-core";
import type { AgreementSummary } from "../../api/agreements";
import type { ClaimsReport } from "../../api/claims";
import type { ConsoleConfig, LedgerClock } from "../../api/console";
import type { FundAccounts, FundStatement } from "../../api/fund";
import type { TenderPage } from "../../api/tenders";
import * as act from "../../ledger/acts";
import { GatewayClient } from "../../scripts/lib/gateway-client";
import { devWallet } from "../../scripts/lib/anvil";
import { ADMIN_INDEX } from "../../scripts/lib/stack/accounts";
import { until } from "../../scripts/lib/until";
import { monthOf, yuan } from "../../console/src/lib/format";
import { checkPage, chooseOption, openPage, signInAs, type ConsolePage } from "./support/browser";
import { addPayer, demoSuite } from "./support/stack";
import { openWalletPage } from "./support/wallet";

/**
 * The insurance fund's workspace on the demo stack. A payer of the test's own (granted PAYER_ROLE
 * by the regulator, signed in with a browser wallet) covers a new stent tender — City General
 * commits 100 units at Acme's flat ¥500.00 — with a 10 % prepayment share, allows the fund book
 * ¥3,000.00 by a relayed permit and prepays City General ¥3,000.00, all from the console. City
 * General's 4-unit order (¥2,000.00) then draws on the prepayment and 3 delivered units settle
 * (¥1,500.00 paid to Acme out of the fund's money): the accounts and the monthly statement show
 * those figures as the API gives them, to the hospital its own. After the term the payer takes
 * back the ¥1,000.00 no order drew.
 */

const REGULATOR = "Provincial Medical Products Administration";
const HOSPITAL = "City General Hospital";
const APPROVER = "City General Hospital, approver 1";
const RECEIVER = "City General Hospital, receiving dock";
const SETTLER = "City General Hospital, settler (gateway)";
const ACME = "Acme Medical Devices";
const STENTS = act.categoryCode("C0401-DES");
/** Acme's stent GTIN, registered for the category in the demo year. */
const STENT_GTIN = "09520123456788";
const DAY = 86_400;
const TERM = 30 * DAY;

describe("console: the insurance fund", function () {
  this.timeout(300_000);
  const suite = demoSuite(REGULATOR);
  let payer: Wallet;
  let payerClient: GatewayClient;
  let tenderId: bigint;
  let agreementId: bigint;

  // No cache: a signer's next act must read the nonce its last one left.
  const provider = () =>
    new JsonRpcProvider(suite.stack.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
  const signer = (name: string, p: JsonRpcProvider) => new Wallet(suite.stack.account(name).privateKey, p);

  before(async function () {
    // ¥10,000.00: more than the test pays in, so the balance shows what the fund book took.
    payer = await addPayer(suite.stack, 1_000_000n);
    payerClient = new GatewayClient(suite.stack.url);
    expect((await payerClient.login(payer)).roles).to.deep.equal(["payer"]);
    ({ tenderId, agreementId } = await awardStentTender());
  });

  /**
   * A tender of the test's own, awarded to Acme: the demo's tenders are the demo's fund's to
   * cover. Its commit and reveal windows last a minute each, its term 30 days.
   */
  async function awardStentTender(): Promise<{ tenderId: bigint; agreementId: bigint }> {
    const p = provider();
    try {
      const ledger = suite.stack.ledger(p);
      const [regulator, acme] = [signer(REGULATOR, p), signer(ACME, p)];
      const now = (await p.getBlock("latest"))!.timestamp;
      const tiers = [{ threshold: 0n, unitPrice: 50_000n }];
      const id = await act.openTender(
        ledger,
        regulator,
        {
          category: STENTS,
          reservePrice: 150_000n,
          commitDeadline: now + 60,
          revealDeadline: now + 120,
          termSeconds: TERM,
          leadTimeDays: 1,
          penaltyBpsPerDay: 50,
          penaltyCapBps: 1000,
          winners: 1,
          bidBond: 500_000n,
          fundingWindow: 14 * DAY,
          receivingWindow: DAY,
          confirmWindow: 7 * DAY,
        },
        [{ hospital: suite.stack.account(HOSPITAL).address, volume: 100n }],
      );
      // The ledger admin (not a sign-in account) mints Acme the bond.
      await act.sent(ledger.token.connect(devWallet(ADMIN_INDEX, p)).mint(acme.address, 500_000n));
      const salt = ethers.id("fund-e2e");
      await act.commitBid(ledger, acme, id, tiers, salt);
      await advance(p, 61);
      await act.revealBid(ledger, acme, id, tiers, salt);
      await advance(p, 61);
      const [agreement] = await act.finalizeTender(ledger, regulator, id);
      await until("the gateway to index the new agreement", () =>
        suite.client.get(`/v1/agreements/${agreement}`).catch(() => undefined),
      );
      return { tenderId: id, agreementId: agreement };
    } finally {
      p.destroy();
    }
  }

  async function advance(p: JsonRpcProvider, seconds: number): Promise<void> {
    await p.send("evm_increaseTime", [seconds]);
    await p.send("evm_mine", []);
  }

  /** The payer's console in a browser whose wallet holds its key, signed in. */
  async function openAsPayer(): Promise<ConsolePage> {
    const p = await openWalletPage(suite.browser, suite.stack.url, payer.privateKey, suite.stack.rpcUrl);
    await p.page.getByRole("button", { name: "Sign in with a browser wallet" }).click();
    await p.page.getByTestId("who").getByText("Insurance fund", { exact: true }).waitFor();
    return p;
  }

  async function open(page: Page, menu: string, heading: string): Promise<void> {
    await page
      .getByRole("navigation", { name: "menu" })
      .getByRole("link", { name: menu, exact: true })
      .click();
    await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
  }

  /** By the API, the open or awarded tenders no payer covers (the form's offer) and those covered. */
  async function tendersByCover(): Promise<{ uncovered: string[]; covered: string[] }> {
    const { items, nextCursor } = await payerClient.get<TenderPage>("/v1/tenders?limit=100");
    expect(nextCursor, "the demo's tenders fit one page").to.equal(null);
    const live = items.filter((x) => x.status === "open" || x.status === "awarded");
    return {
      uncovered: live.filter((x) => x.cover === null).map((x) => x.id),
      covered: live.filter((x) => x.cover !== null).map((x) => x.id),
    };
  }

  /**
   * The tender ids the cover form offers, read once the list shows `last` (the newest tender
   * the API says it should offer) or, when it should offer none, its empty state.
   */
  async function offeredTenders(page: Page, last: string | undefined): Promise<string[]> {
    const cover = page.getByRole("region", { name: "Cover a tender" });
    await cover.getByRole("combobox", { name: "Tender" }).click();
    const list = page.locator(".ant-select-dropdown:not(.ant-select-dropdown-hidden)");
    await (
      last === undefined
        ? list.locator(".ant-empty")
        : list.locator(".ant-select-item-option", { hasText: `#${last} · ` })
    ).waitFor();
    const texts = await list.locator(".ant-select-item-option").allInnerTexts();
    await page.keyboard.press("Escape");
    return texts.map((x) => /^#(\d+) · /.exec(x)![1]);
  }

  /** Waits for the relayed act's success message; a refusal shown fails at once. */
  async function recorded(page: Page): Promise<void> {
    const refused = page.locator(".ant-message-error, .ant-alert-error");
    await Promise.race([
      page
        .getByText(/^Recorded on the ledger in block \d+\.$/)
        .last()
        .waitFor({ timeout: 120_000 }),
      refused
        .first()
        .waitFor({ timeout: 120_000 })
        .then(async () => {
          throw new Error(`the page shows a refusal: ${await refused.first().textContent()}`);
        }),
    ]);
  }

  /** The test's agreement as the pay-in form offers it: id, category and its supplier by name. */
  async function agreementOption(): Promise<string> {
    const { supplier } = await suite.client.get<AgreementSummary>(`/v1/agreements/${agreementId}`);
    expect(supplier.toLowerCase()).to.equal(
      suite.stack.account("Acme Medical Devices").address.toLowerCase(),
    );
    return `#${agreementId} · C0401-DES · Acme Medical Devices`;
  }

  /** A table row's cells as the reader sees them. */
  async function cells(page: Page, table: string, row: number): Promise<string[]> {
    const r = page.getByRole("table", { name: table }).getByRole("row").nth(row);
    return (await r.getByRole("cell").allInnerTexts()).map((c) => c.trim());
  }

  it("the payer covers the tender, allows the fund book and prepays City General from the console", async function () {
    const hospital = suite.stack.account(HOSPITAL).address;
    const p = await openAsPayer();
    const { page } = p;
    try {
      // The payer's pages, and none of the regulator's own.
      const menu = page.getByRole("navigation", { name: "menu" }).getByRole("link");
      await menu.getByText("Allowances", { exact: true }).waitFor();
      expect(await menu.allTextContents()).to.deep.equal([
        "Home",
        "Fund accounts",
        "Fund statement",
        "Overdue payments",
        "Claim audit",
        "Risk view",
        "Allowances",
      ]);
      await open(page, "Fund accounts", "Insurance fund accounts");
      await page.getByText("No money of the fund has moved yet.").waitFor();
      // The fund's pages live under /fund/, which the gateway answers on a reload.
      expect(new URL(page.url()).pathname).to.equal("/fund/accounts");
      // Reloaded while the gateway cannot give the console its config, the page says why and
      // offers a retry, rather than failing on the fund contract's address it does not know.
      await page.route("**/v1/console/config", (route) =>
        route.fulfill({
          status: 503,
          contentType: "application/json",
          body: JSON.stringify({
            code: "CHAIN_UNAVAILABLE",
            message: "the chain RPC endpoint cannot be reached",
          }),
        }),
      );
      await page.reload();
      await page.getByRole("alert").getByText("the chain RPC endpoint cannot be reached").waitFor();
      await page.unroute("**/v1/console/config");
      await page.getByRole("button", { name: "Retry" }).click();
      await page.getByRole("heading", { name: "Insurance fund accounts", level: 1 }).waitFor();
      // The browser logged the planted 503s and React the error it showed; nothing else.
      const planted = p.errors.splice(0);
      expect(planted).to.not.be.empty;
      expect(planted.filter((e) => !/503|the chain RPC endpoint cannot be reached/.test(e))).to.deep.equal(
        [],
      );
      await page.getByText("No money of the fund has moved yet.").waitFor();
      await page
        .getByTestId("fund-allowance")
        .getByText(/may take ¥0\.00 now; your balance is ¥10,000\.00/)
        .waitFor();

      // Offered: the tenders no payer covers, the demo fund's stent and knee tenders not among them.
      const { uncovered, covered } = await tendersByCover();
      expect(uncovered).to.include(String(tenderId));
      expect(covered, "the demo fund covers tenders").to.not.be.empty;
      expect(await offeredTenders(page, uncovered.at(-1))).to.deep.equal(uncovered);
      const cover = page.getByRole("region", { name: "Cover a tender" });
      await chooseOption(
        page,
        cover.getByRole("combobox", { name: "Tender" }),
        `#${tenderId} · C0401-DES · Awarded`,
      );
      await cover.getByLabel("Prepayment share (%)").fill("10");
      await cover.getByRole("button", { name: "Cover the tender" }).click();
      await recorded(page);

      const pay = page.getByRole("region", { name: "Pay in" });
      await chooseOption(page, pay.getByRole("combobox", { name: "Agreement" }), await agreementOption());
      await chooseOption(page, pay.getByRole("combobox", { name: "Hospital" }), HOSPITAL);
      await pay.getByLabel("Amount (yuan)").fill("3000");
      // Nothing allowed yet: the page points to the Allowances page instead of sending.
      await pay
        .getByText(
          "The fund contract may take only ¥0.00: raise its allowance on the Allowances page before paying in ¥3,000.00.",
        )
        .waitFor();
      expect(await pay.getByRole("button", { name: "Pay in" }).isDisabled()).to.equal(true);
      await checkPage(p, "fund-payer-accounts-empty");

      await pay.getByRole("link", { name: "Allowances", exact: true }).click();
      await page.getByRole("heading", { name: "Token allowances", level: 1 }).waitFor();
      await page.getByRole("heading", { name: "Fund allowance (the fund contract)" }).waitFor();
      await page.locator("#allowance-fund").fill("3000");
      await page
        .getByRole("form", { name: "Fund allowance (the fund contract)" })
        .getByRole("button", { name: "Sign and set the allowance" })
        .click();
      await page
        .getByTestId("allowance-fund-current")
        .getByText("¥3,000.00", { exact: true })
        .waitFor({ timeout: 120_000 });
      await checkPage(p, "fund-payer-allowance");

      await open(page, "Fund accounts", "Insurance fund accounts");
      await page
        .getByTestId("fund-allowance")
        .getByText(/may take ¥3,000\.00 now/)
        .waitFor();
      await chooseOption(page, pay.getByRole("combobox", { name: "Agreement" }), await agreementOption());
      await chooseOption(page, pay.getByRole("combobox", { name: "Hospital" }), HOSPITAL);
      await pay.getByLabel("Amount (yuan)").fill("3000");
      await pay.getByRole("button", { name: "Pay in" }).click();
      await page
        .getByTestId("fund-totals")
        .getByText("Paid in ¥3,000.00 = drawn ¥0.00 + returned ¥0.00 + held ¥3,000.00", { exact: true })
        .waitFor({ timeout: 120_000 });
      await checkPage(p, "fund-payer-accounts");
      // Covered now, the tender is no longer offered (a reload reads the list afresh).
      await page.reload();
      await page.getByRole("heading", { name: "Insurance fund accounts", level: 1 }).waitFor();
      const left = (await tendersByCover()).uncovered;
      expect(left).to.deep.equal(uncovered.filter((id) => id !== String(tenderId)));
      expect(await offeredTenders(page, left.at(-1))).to.deep.equal(left);
    } finally {
      await p.close();
    }

    const chain = provider();
    try {
      const ledger = suite.stack.ledger(chain);
      const cover = await ledger.fund.covers(tenderId);
      expect([cover.payer, cover.prepayShareBps, cover.direct]).to.deep.equal([payer.address, 1000n, false]);
      expect((await ledger.fund.accounts(agreementId, hospital)).prepayment).to.equal(300_000n);
      expect(await ledger.token.balanceOf(payer.address)).to.equal(700_000n);
      expect(await ledger.token.allowance(payer.address, await ledger.fund.getAddress())).to.equal(0n);
    } finally {
      chain.destroy();
    }
  });

  it("shows the order's draw and the delivery's settlement in the accounts and the statement, as the API does", async function () {
    const chain = provider();
    let month: string;
    try {
      const ledger = suite.stack.ledger(chain);
      const time = async () => (await chain.getBlock("latest"))!.timestamp;
      const now = (await chain.getBlock("latest"))!.timestamp;
      const orderId = await act.placeOrder(ledger, signer(HOSPITAL, chain), {
        agreementId,
        quantity: 4n,
        requestedDelivery: now + 14 * DAY,
        reference: "CGH-PO-FUND-E2E",
      });
      await act.approveOrder(ledger, signer(APPROVER, chain), orderId);
      const acme = signer(ACME, chain);
      const { shipmentId } = await act.createShipment(ledger, acme, {
        orderId,
        gtin: STENT_GTIN,
        lot: "FUND2701",
        expiry: now + 2 * 365 * DAY,
        serials: ["F-0001", "F-0002", "F-0003"],
        notice: "DESADV-FUND-E2E",
      });
      const dock = "GLN:6901234000024";
      await act.recordTrace(ledger, acme, shipmentId, "arriving", {
        location: dock,
        eventTime: await time(),
      });
      await act.recordTrace(ledger, signer(RECEIVER, chain), shipmentId, "receiving", {
        location: dock,
        eventTime: await time(),
      });
      await act.confirmShipment(ledger, signer(SETTLER, chain), shipmentId, {
        accepted: 3,
        rejected: 0,
        receiptHash: ethers.id("GR-FUND-E2E"),
      });
      const { timeZone } = await suite.client.get<ConsoleConfig>("/v1/console/config");
      month = monthOf((await time()) * 1000, timeZone);
    } finally {
      chain.destroy();
    }

    const accounts = await until("the gateway to index the settlement", async () => {
      const a = await payerClient.get<FundAccounts>("/v1/fund/accounts");
      return a.items[0]?.spent === "150000" ? a : undefined;
    });
    expect(accounts.items).to.have.length(1);
    expect(accounts.items[0]).to.deep.include({
      agreementId: String(agreementId),
      tenderId: String(tenderId),
      hospital: suite.stack.account(HOSPITAL).address.toLowerCase(),
      prepayShareBps: 1000,
      direct: false,
      prepaid: "300000",
      escrowed: "0",
      drawn: "200000",
      spent: "150000",
      inOrders: "50000",
      returned: "0",
      prepaymentBalance: "100000",
      escrowBalance: "0",
    });
    expect(accounts.totals).to.deep.equal({
      paidIn: "300000",
      drawn: "200000",
      // 3 of the order's 4 units delivered at ¥500.00.
      spent: "150000",
      returned: "0",
      held: "100000",
    });
    const statement = await payerClient.get<FundStatement>(`/v1/fund/statements?month=${month}`);
    expect(statement.hospitals).to.deep.equal([
      {
        hospital: suite.stack.account(HOSPITAL).address.toLowerCase(),
        fundPaidSuppliers: "150000",
        reimbursementDeduction: "150000",
        drawn: "200000",
      },
    ]);
    expect(statement.lines.map((l) => [l.kind, l.amount])).to.deep.equal([
      ["drawn", "200000"],
      ["spent", "150000"],
    ]);

    const p = await openAsPayer();
    const { page } = p;
    try {
      await open(page, "Fund accounts", "Insurance fund accounts");
      await page
        .getByTestId("fund-totals")
        .getByText("Paid in ¥3,000.00 = drawn ¥2,000.00 + returned ¥0.00 + held ¥1,000.00", { exact: true })
        .waitFor();
      const row = await cells(page, "Fund accounts", 1);
      expect(row[0]).to.match(new RegExp(`^#${agreementId} · C0401-DES\\s+${ACME} `));
      expect(row[1]).to.include(HOSPITAL);
      expect(row.slice(2, 11)).to.deep.equal([
        "10 % prepayable",
        "¥3,000.00",
        "¥0.00",
        "¥2,000.00",
        "¥1,500.00",
        "¥500.00",
        "¥0.00",
        "¥1,000.00",
        "¥0.00",
      ]);
      // The term has not ended: the undrawn rest waits for it.
      expect(row[11]).to.match(/^after \d{2}\/\d{2}\/\d{4}$/);
      await checkPage(p, "fund-accounts");

      await open(page, "Fund statement", "Fund statement");
      const totals = page.getByRole("table", { name: "Totals by hospital" });
      await totals.getByText("¥2,000.00", { exact: true }).waitFor();
      const [hospitalCell, ...figures] = await cells(page, "Totals by hospital", 1);
      expect(hospitalCell).to.include(HOSPITAL);
      expect(figures).to.deep.equal(["¥1,500.00", "¥1,500.00", "¥2,000.00"]);
      expect(await page.getByRole("table", { name: "Movements" }).getByRole("row").count()).to.equal(3);
      const lines = [await cells(page, "Movements", 1), await cells(page, "Movements", 2)];
      expect(lines.map((l) => [l[1], l[3], l[7]])).to.deep.equal([
        ["Drawn by order", `#${agreementId} · C0401-DES`, "¥2,000.00"],
        ["Paid to supplier", `#${agreementId} · C0401-DES`, "¥1,500.00"],
      ]);
      expect(lines.map((l) => [l[5], l[6]])).to.deep.equal(
        statement.lines.map((l) => [l.orderId, l.shipmentId ?? "—"]),
      );
      await checkPage(p, "fund-statement");

      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("button", { name: "Download CSV" }).click(),
      ]);
      expect(download.suggestedFilename()).to.equal(`fund-statement-${month}.csv`);
      const file = readFileSync((await download.path())!, "utf8");
      const token = (await page.evaluate(
        `JSON.parse(sessionStorage.getItem("sunshine.session")).session.token`,
      )) as string;
      const csv = await fetch(`${suite.stack.url}/v1/fund/statements?month=${month}`, {
        headers: { accept: "text/csv", authorization: `Bearer ${token}` },
      });
      expect(file).to.equal(await csv.text());
      expect(file.trimEnd().split("\r\n")).to.have.length(3);
    } finally {
      await p.close();
    }
  });

  it("shows a hospital's approver its own statement and accounts, read-only, in Chinese too", async function () {
    const approver = new GatewayClient(suite.stack.url);
    await approver.login(new Wallet(suite.stack.account(APPROVER).privateKey));
    const { ledgerTime } = await approver.get<LedgerClock>("/v1/console/clock");
    const { timeZone } = await approver.get<ConsoleConfig>("/v1/console/config");
    const month = monthOf(Date.parse(ledgerTime), timeZone);
    const statement = await approver.get<FundStatement>(`/v1/fund/statements?month=${month}`);
    const accounts = await approver.get<FundAccounts>("/v1/fund/accounts");
    const own = suite.stack.account(HOSPITAL).address.toLowerCase();
    // Its own hospital's, whichever payer's money it is (the demo's fund may have moved some too).
    expect(statement.hospitals.map((h) => h.hospital)).to.deep.equal([own]);
    expect(accounts.items.every((a) => a.hospital === own)).to.equal(true);
    expect(accounts.items.some((a) => a.agreementId === String(agreementId))).to.equal(true);
    const [mine] = statement.hospitals;

    const p = await openPage(suite.browser, suite.stack.url);
    const { page } = p;
    try {
      await signInAs(p, APPROVER);
      await open(page, "Fund statement", "Fund statement");
      // Hospital staff read the fund's pages at the payer's addresses.
      expect(new URL(page.url()).pathname).to.equal("/fund/statement");
      await page
        .getByRole("table", { name: "Totals by hospital" })
        .getByText(yuan(mine.drawn), { exact: true })
        .waitFor();
      const [hospitalCell, ...figures] = await cells(page, "Totals by hospital", 1);
      expect(hospitalCell).to.include(HOSPITAL);
      expect(figures).to.deep.equal([
        yuan(mine.fundPaidSuppliers),
        yuan(mine.reimbursementDeduction),
        yuan(mine.drawn),
      ]);
      expect(await page.getByRole("table", { name: "Totals by hospital" }).getByRole("row").count()).to.equal(
        2,
      );
      expect(await page.getByRole("table", { name: "Movements" }).getByRole("row").count()).to.equal(
        statement.lines.length + 1,
      );
      await checkPage(p, "fund-hospital-statement");
      // A month the fund's money did not move says so, and where to look instead.
      await page.getByLabel("Month").fill("2020-01");
      await page.getByLabel("Month").press("Enter");
      await page
        .getByRole("table", { name: "Movements" })
        .getByText("No money of the fund moved in 2020-01: choose another month above.")
        .waitFor();

      await open(page, "Fund accounts", "Insurance fund accounts");
      const table = page.getByRole("table", { name: "Fund accounts" });
      await table.getByText(`#${agreementId} · C0401-DES`, { exact: true }).waitFor();
      expect(await table.getByRole("row").count()).to.equal(accounts.items.length + 1);
      // Nothing to act on: no cover, no pay-in, no return.
      expect(await page.getByRole("region", { name: "Cover a tender" }).count()).to.equal(0);
      expect(await page.getByRole("region", { name: "Pay in" }).count()).to.equal(0);
      expect(await table.getByRole("columnheader", { name: "Actions" }).count()).to.equal(0);
      await checkPage(p, "fund-hospital-accounts");

      // Ant Design spaces a two-character Chinese label: "中 文".
      await page.getByRole("button", { name: /^中\s?文$/ }).click();
      await page.getByRole("heading", { name: "医保基金账户", level: 1 }).waitFor();
      await open(page, "医保基金月度对账单", "医保基金月度对账单");
      await page.getByRole("columnheader", { name: "医保回款扣减" }).waitFor();
      await page
        .getByRole("table", { name: "各医院合计" })
        .getByText(yuan(mine.drawn), { exact: true })
        .waitFor();
      await checkPage(p, "fund-hospital-statement-zh");
    } finally {
      await p.close();
    }
  });

  it("gives the payer the claim audit from its menu, as the API reports it", async function () {
    const { ledgerTime } = await payerClient.get<LedgerClock>("/v1/console/clock");
    const { timeZone } = await payerClient.get<ConsoleConfig>("/v1/console/config");
    const now = Date.parse(ledgerTime);
    const [from, to] = [monthOf(now - 330 * DAY * 1000, timeZone), monthOf(now, timeZone)];
    const report = await payerClient.get<ClaimsReport>(`/v1/claims?from=${from}&to=${to}`);
    expect(report.outliers, "the demo's one outlier").to.have.length(1);
    const p = await openAsPayer();
    try {
      await open(p.page, "Claim audit", "Claim audit: consumables per case");
      const outliers = p.page.getByRole("table", { name: "Cases above their group's 95th percentile" });
      await outliers.getByText(report.outliers[0].caseId, { exact: true }).waitFor();
      expect(await outliers.getByRole("row").count()).to.equal(2);
      const groups = p.page.getByRole("table", { name: "Cases by group and month" }).getByRole("row");
      expect(await groups.count()).to.equal(report.groups.length + 1);
      await checkPage(p, "fund-payer-claims");
    } finally {
      await p.close();
    }
  });

  it("lets the payer take back the undrawn prepayment once the term has ended", async function () {
    const chain = provider();
    try {
      await advance(chain, TERM + DAY);
    } finally {
      chain.destroy();
    }
    const p = await openAsPayer();
    const { page } = p;
    try {
      await open(page, "Fund accounts", "Insurance fund accounts");
      await page
        .getByRole("button", {
          name: `Return the undrawn balance of agreement #${agreementId} for ${HOSPITAL}`,
        })
        .click();
      await page
        .getByTestId("fund-totals")
        .getByText("Paid in ¥3,000.00 = drawn ¥2,000.00 + returned ¥1,000.00 + held ¥0.00", { exact: true })
        .waitFor({ timeout: 120_000 });
      const row = await cells(page, "Fund accounts", 1);
      expect(row.slice(8, 12)).to.deep.equal(["¥1,000.00", "¥0.00", "¥0.00", ""]);
      await checkPage(p, "fund-payer-returned");
    } finally {
      await p.close();
    }
    const chain2 = provider();
    try {
      const ledger = suite.stack.ledger(chain2);
      expect(
        (await ledger.fund.accounts(agreementId, suite.stack.account(HOSPITAL).address)).prepayment,
      ).to.equal(0n);
      expect(await ledger.token.balanceOf(payer.address)).to.equal(800_000n);
    } finally {
      chain2.destroy();
    }
  });
});
