import { expect } from "chai";
import type { ExceptionList, StocktakeReason } from "../../api/exceptions";
import type { StockPage, StocktakePage } from "../../api/stock";
import { EAST_CAMPUS, MAIN_CAMPUS } from "../../scripts/demo-steps/campuses";
import { checkPage, openPage, signInAs } from "./support/browser";
import { demoSuite } from "./support/stack";

const EAST_NAME = "City General East campus";

/**
 * The stocktake form on the Stock page, on the demo year: City General's receiving dock counts
 * its east campus — the stents it holds scanned one per line, one unit short (a serial scanned
 * twice counts once), and a lot of the main campus counted there by hand, two units the records
 * do not have. The page shows both differences with their figures; the gateway's exceptions
 * carry the same figures and the scanned serials; the past stocktakes list it, in Chinese too.
 */
describe("console: stocktake", function () {
  this.timeout(300_000);
  const DOCK = "City General Hospital, receiving dock";
  const suite = demoSuite(DOCK);

  /** The records' balance per lot at a campus, as a stocktake compares it: on hand − shortfall. */
  const balances = async (campus: string) =>
    (await suite.client.get<StockPage>(`/v1/stock?campus=${campus}&limit=500`)).items.map((r) => ({
      gtin: r.gtin,
      lot: r.lot,
      balance: Number(r.onHand) - Number(r.shortfall),
    }));

  it("counts a campus from scans and a hand-counted lot, and shows each difference as the gateway records it", async function () {
    const east = await balances(EAST_CAMPUS);
    const scanned = east.find((r) => r.balance >= 2);
    expect(scanned, JSON.stringify(east)).to.not.equal(undefined);
    const { gtin, lot, balance } = scanned!;
    // A lot the main campus holds and the east campus does not: counted there by hand.
    const byHand = (await balances(MAIN_CAMPUS)).find(
      (m) => m.balance > 0 && !east.some((e) => e.gtin === m.gtin && e.lot === m.lot && e.balance !== 0),
    );
    expect(byHand, "a main-campus lot the east campus lacks").to.not.equal(undefined);
    const serials = Array.from({ length: balance - 1 }, (_, i) => `COUNT-${i + 1}`);
    const scans = [...serials, serials[0]].map((s) => `(01)${gtin}(10)${lot}(21)${s}`);

    const p = await openPage(suite.browser, suite.stack.url);
    let stocktakeId: string;
    let missingId: string;
    try {
      await signInAs(p, DOCK);
      await p.page.getByRole("link", { name: "Stock across campuses" }).click();
      const form = p.page.getByRole("region", { name: "Stocktake" });
      await form.getByRole("combobox", { name: "Campus" }).click();
      await p.page.locator(".ant-select-item-option", { hasText: `(${EAST_CAMPUS})` }).click();
      await form.getByRole("textbox", { name: "Scans, one per line" }).fill(scans.join("\n"));
      await form.getByText(`${scans.length} scan(s)`).waitFor();
      await form.getByRole("button", { name: "Add a lot counted by hand" }).click();
      const submit = form.getByRole("button", { name: /^Record the stocktake/ });
      // An empty hand-counted row keeps the count from being sent.
      await form
        .getByText("Each row needs a GTIN (or an MA/AHM product key), a lot and at least one unit")
        .waitFor();
      expect(await submit.isDisabled()).to.equal(true);
      await form.getByRole("textbox", { name: "GTIN of row 1" }).fill(byHand!.gtin);
      await form.getByRole("textbox", { name: "Lot of row 1" }).fill(byHand!.lot);
      await form.getByRole("spinbutton", { name: "Units of row 1" }).fill("2");
      await checkPage(p, "stocktake-form");
      await form.getByRole("button", { name: `Record the stocktake (${scans.length + 1} line(s))` }).click();

      const result = form.getByRole("table", { name: "Differences" });
      const missing = result.getByRole("row").filter({ hasText: lot });
      await missing.getByText("1 missing", { exact: true }).waitFor();
      const extra = result.getByRole("row").filter({ hasText: byHand!.lot });
      await extra.getByText("2 extra", { exact: true }).waitFor();
      const cells = async (row: typeof missing) =>
        (await row.getByRole("cell").allInnerTexts()).map((c) => c.trim());
      stocktakeId = (await form.getByRole("heading", { level: 3 }).innerText()).replace("Stocktake #", "");
      const [missingCells, extraCells] = [await cells(missing), await cells(extra)];
      expect(missingCells.slice(0, 5)).to.deep.equal([
        gtin,
        lot,
        String(balance),
        String(balance - 1),
        "1 missing",
      ]);
      expect(extraCells.slice(0, 5)).to.deep.equal([byHand!.gtin, byHand!.lot, "0", "2", "2 extra"]);

      // The gateway recorded what the page shows: the stocktake and its two exceptions' figures.
      const [taken] = (await suite.client.get<StocktakePage>(`/v1/stock/stocktakes?campus=${EAST_CAMPUS}`))
        .items;
      expect(taken.id).to.equal(stocktakeId);
      const find = (l: string) => taken.differences.find((d) => d.lot === l)!;
      expect(find(lot)).to.include({ gtin, expected: balance, counted: balance - 1 });
      expect(find(byHand!.lot)).to.include({ gtin: byHand!.gtin, expected: 0, counted: 2 });
      expect(missingCells[5]).to.equal(`#${find(lot).exceptionId}`);
      missingId = find(lot).exceptionId!;
      expect(extraCells[5]).to.equal(`#${find(byHand!.lot).exceptionId}`);
      const exceptions = (await suite.client.get<ExceptionList>("/v1/exceptions?status=open&limit=500"))
        .items;
      const exception = (id: string | null) => exceptions.find((e) => e.id === id)!;
      const missingReason = exception(find(lot).exceptionId).reasons[0] as StocktakeReason;
      expect(missingReason.code).to.equal("STOCK_MISSING");
      expect(missingReason.details).to.deep.include({
        stocktakeId,
        campus: EAST_CAMPUS,
        expected: balance,
        counted: balance - 1,
        serials: [...serials].sort(),
      });
      const extraReason = exception(find(byHand!.lot).exceptionId).reasons[0] as StocktakeReason;
      expect(extraReason.code).to.equal("STOCK_EXTRA");
      expect(extraReason.details).to.deep.include({ expected: 0, counted: 2, serials: [] });

      const past = p.page.getByRole("table", { name: "Past stocktakes" });
      // The campus by its name, not its GLN.
      const row = past.getByRole("row").filter({ hasText: EAST_NAME }).first();
      await row.getByText(`${gtin} · ${lot}: ${balance} by the records, ${balance - 1} counted`).waitFor();
      expect((await row.getByRole("cell").first().innerText()).trim()).to.equal(stocktakeId);
      await checkPage(p, "stocktake-result");
    } finally {
      await p.close();
    }

    const zh = await openPage(suite.browser, suite.stack.url, "zh-CN");
    try {
      await zh.page.getByRole("button", { name: `以 ${DOCK} 身份登录`, exact: true }).click();
      await zh.page.getByRole("link", { name: "院区库存共享" }).click();
      await zh.page.getByRole("region", { name: "盘点", exact: true }).waitFor();
      const row = zh.page
        .getByRole("table", { name: "历次盘点" })
        .getByRole("row")
        .filter({ hasText: EAST_NAME });
      await row
        .first()
        .getByText(`${gtin} · ${lot}：账面数 ${balance} 件，实盘数 ${balance - 1} 件`)
        .waitFor();
      await row.first().getByText("盘盈 2 件", { exact: true }).waitFor();
      await checkPage(zh, "stocktake-zh");
    } finally {
      await zh.close();
    }

    // The approver decides the missing unit as a stocktake's difference, not as a delivery: no
    // shipment, no units to accept, and the choice is whether the count stands.
    const approver = await openPage(suite.browser, suite.stack.url);
    try {
      await signInAs(approver, "City General Hospital, approver 1");
      await approver.page.getByRole("link", { name: "Exceptions", exact: true }).click();
      const table = approver.page.getByRole("table", { name: "Exceptions" });
      const row = table
        .getByRole("row")
        .filter({ hasText: `#${missingId}` })
        .first();
      await row.getByText(`Stocktake #${stocktakeId}`, { exact: true }).waitFor();
      expect(await row.getByText(/^Shipment /).count()).to.equal(0);
      await row.getByRole("button", { name: `Resolve exception #${missingId}` }).click();
      const form = approver.page.getByTestId("resolve-exception");
      await form.getByText("A stocktake difference pays no one", { exact: false }).waitFor();
      expect(await form.getByRole("radio").count()).to.equal(2);
      await form.getByRole("radio", { name: /^Confirm the difference: the count was right/ }).check();
      await form.getByLabel("Note (why)").fill("one unit used in theatre without a usage record");
      await form.getByRole("button", { name: "Record decision" }).click();
      await form
        .getByRole("status")
        .getByText(`Exception #${missingId} decided: Difference confirmed.`)
        .waitFor();
      const decided = (
        await suite.client.get<ExceptionList>("/v1/exceptions?status=resolved&limit=500")
      ).items.find((e) => e.id === missingId)!;
      expect(decided).to.include({ source: "stocktake", resolution: "accept_all", resolvedAccepted: "0" });
      expect(approver.errors).to.deep.equal([]);
    } finally {
      await approver.close();
    }
  });
});
