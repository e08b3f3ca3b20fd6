import { expect } from "chai";
import type { ClaimsReport } from "../../api/claims";
import type { ConsoleConfig, LedgerClock } from "../../api/console";
import { checkPage, openPage, signInAs } from "./support/browser";
import { demoSuite } from "./support/stack";

/**
 * The regulator's claim audit on the demo year: the twelve months up to the ledger's now, the
 * cath lab's one two-stent case above DRG group FM19's 95th percentile, and the cases by group
 * and month — each figure as the API gives it.
 */
describe("console: claim audit", function () {
  this.timeout(300_000);
  const REGULATOR = "Provincial Medical Products Administration";
  const suite = demoSuite(REGULATOR);

  it("shows the outlier case and the cases by group as the API reports them", async function () {
    const { timeZone } = await suite.client.get<ConsoleConfig>("/v1/console/config");
    const { ledgerTime } = await suite.client.get<LedgerClock>("/v1/console/clock");
    const month = (at: number) =>
      new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit" })
        .format(at)
        .slice(0, 7);
    const now = Date.parse(ledgerTime);
    const [from, to] = [month(now - 330 * 86_400_000), month(now)];
    const report = await suite.client.get<ClaimsReport>(`/v1/claims?from=${from}&to=${to}`);
    expect(report.outliers, "the demo's one outlier").to.have.length(1);
    const [outlier] = report.outliers;

    const p = await openPage(suite.browser, suite.stack.url);
    try {
      await signInAs(p, REGULATOR);
      await p.page.getByRole("link", { name: "Claim audit" }).click();
      const rows = p.page
        .getByRole("table", { name: "Cases above their group's 95th percentile" })
        .getByRole("row");
      await rows.nth(1).getByText(outlier.caseId, { exact: true }).waitFor();
      // The months the page chose once it read the ledger's clock.
      expect(await p.page.getByLabel("From (YYYY-MM)").inputValue()).to.equal(from);
      expect(await p.page.getByLabel("To (YYYY-MM)").inputValue()).to.equal(to);
      expect(await rows.count()).to.equal(2);
      const yuan = (fen: string) =>
        `¥${(Number(fen) / 100).toLocaleString("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
      const cells = (await rows.nth(1).getByRole("cell").allInnerTexts()).map((c) => c.trim());
      expect(cells.slice(1)).to.deep.equal([
        outlier.caseId,
        "FM19",
        outlier.month,
        String(outlier.units),
        yuan(outlier.cost),
        yuan(outlier.groupP95),
      ]);
      const groups = p.page.getByRole("table", { name: "Cases by group and month" }).getByRole("row");
      expect(await groups.count()).to.equal(report.groups.length + 1);
      await checkPage(p, "claims");
    } finally {
      await p.close();
    }
  });
});
