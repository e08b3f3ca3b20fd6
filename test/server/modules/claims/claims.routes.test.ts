import { expect } from "chai";
import { ethers } from "ethers";
import type { FastifyInstance } from "fastify";
import type { ClaimsReport, ClaimsRisk } from "../../../../api/claims";
import type { ReconciliationReport } from "../../../../api/reconciliation";
import * as act from "../../../../ledger/acts";
import { insertUsage } from "../../../../server/modules/usages/usages.repository";
import { forEachEngine } from "../../helpers/engines";
import { GTIN } from "../../support/chain";
import {
  bearer,
  expectError,
  extraWallet,
  loginAll,
  startApi,
  stopApi,
  type ApiStack,
} from "../../support/api-fixtures";

/**
 * GET /v1/claims on planted cases of November 2026: group FM19, 10 cases at ¥750.00 at General
 * Hospital (one of them refunded ¥750.00 of a second stent), 2 at another hospital, and one case
 * at General billed three stents (¥2,250.00) — the group's only case above its 95th percentile
 * across hospitals (¥1,350.00); group GB29, 3 cases, too few to judge, one of them dear; group
 * ES29 at the other hospital, 25 cases, each billed a ¥20.00 dressing but one billed a stent at
 * ¥800.00: a high-value item (¥500.00 a unit and up) on 1 of the group's 25 cases (4 %, under
 * 5 %), and that case above the group's 95th percentile; group KX11, 21 cases each billed the stent,
 * one at ¥800.00 and the rest at ¥20.00: the stent is on every KX11 case, so not rare there,
 * however dear on one (which is above the group's 95th percentile). None of these usages has a delivery
 * behind it (lot L1 was never shipped), so the reconciliation flags them all as phantom use: the
 * risk view rolls that up per hospital with the money billed.
 */
forEachEngine((engine) => {
  let stack: ApiStack;
  let app: FastifyInstance;
  let t: Record<"regulator" | "approver" | "payer", string>;
  let H: string;
  const H2 = "0x00000000000000000000000000000000000000b2";
  /** A cheap item of ES29's cases: a valid GTIN nobody ships. */
  const DRESSING = "09501101530003";
  const NOV = "2026-11-15T04:00:00Z";
  let n = 0;

  async function bill(
    hospital: string,
    caseId: string,
    group: string,
    amount: bigint,
    quantity = 1,
    corrects?: string,
    gtin = GTIN,
  ) {
    const usageId = `U-${++n}`;
    await insertUsage(engine.db, {
      hospital,
      usageId,
      gtin,
      lot: "L1",
      serial: null,
      expiry: null,
      barcode: null,
      campus: null,
      department: "Cardiology",
      patientHash: ethers.id(caseId).slice(2),
      patientSaltId: "0123456789abcdef",
      usedAt: new Date(NOV),
      billingCode: "C0401",
      billedAmount: amount,
      quantity,
      correctsUsageId: corrects ?? null,
      caseId,
      caseGroup: group,
      recordedBy: "test",
    });
    return usageId;
  }

  before(async function () {
    this.timeout(240_000);
    stack = await startApi(engine.db);
    app = stack.app;
    const { cast } = stack.chain;
    H = cast.hospital.address.toLowerCase();
    const payer = extraWallet(stack.chain, 15);
    await act.grantPayer(stack.chain.ledger, cast.regulator, payer.address);
    t = await loginAll(app, { regulator: cast.regulator, approver: cast.approver, payer });
    for (let i = 1; i <= 10; i++) await bill(H, `IP-${i}`, "FM19", 75_000n);
    const second = await bill(H, "IP-1", "FM19", 75_000n);
    await bill(H, "IP-1", "FM19", -75_000n, -1, second);
    await bill(H2, "IP-B1", "FM19", 75_000n);
    await bill(H2, "IP-B2", "FM19", 75_000n);
    await bill(H, "IP-OUT", "FM19", 225_000n, 3);
    for (const [id, amount] of [
      ["IP-G1", 10_000n],
      ["IP-G2", 10_000n],
      ["IP-G3", 90_000n],
    ] as const)
      await bill(H, id, "GB29", amount);
    for (let i = 1; i <= 25; i++)
      await bill(
        H2,
        `ES-${i}`,
        "ES29",
        i === 25 ? 80_000n : 2_000n,
        1,
        undefined,
        i === 25 ? GTIN : DRESSING,
      );
    for (let i = 1; i <= 21; i++) await bill(H2, `KX-${i}`, "KX11", i === 1 ? 80_000n : 2_000n);
  });
  after(() => stopApi(stack));

  const get = (url: string, token: string) => app.inject({ method: "GET", url, headers: bearer(token) });

  it("gives each hospital's cases and cost per group and month, and the one case above its group's 95th percentile", async function () {
    const res = await get("/v1/claims?from=2026-11&to=2026-11", t.regulator);
    expect(res.statusCode, res.body).to.equal(200);
    const report = res.json<ClaimsReport>();
    expect(
      report.groups.map((g) => [g.hospital, g.month, g.caseGroup, g.cases, g.cost, g.meanPerCase]),
    ).to.deep.equal(
      [
        [H2, "2026-11", "ES29", 25, "128000", "5120"],
        [H2, "2026-11", "FM19", 2, "150000", "75000"],
        [H2, "2026-11", "KX11", 21, "120000", "5714"],
        [H, "2026-11", "FM19", 11, "975000", "88636"],
        [H, "2026-11", "GB29", 3, "110000", "36667"],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    expect(report.outliers).to.deep.equal([
      {
        hospital: H,
        caseId: "IP-OUT",
        caseGroup: "FM19",
        month: "2026-11",
        cost: "225000",
        units: 3,
        groupCases: 13,
        groupP95: "135000",
      },
      {
        hospital: H2,
        caseId: "ES-25",
        caseGroup: "ES29",
        month: "2026-11",
        cost: "80000",
        units: 1,
        groupCases: 25,
        groupP95: "2000",
      },
      {
        hospital: H2,
        caseId: "KX-1",
        caseGroup: "KX11",
        month: "2026-11",
        cost: "80000",
        units: 1,
        groupCases: 21,
        groupP95: "2000",
      },
    ]);
    expect(report.minGroupCases).to.equal(10);
    // FM19 bills stents on every case and KX11 too (mostly cheaply): common there, never rare.
    expect(report.rareHighValue).to.deep.equal([
      {
        hospital: H2,
        caseId: "ES-25",
        caseGroup: "ES29",
        month: "2026-11",
        gtin: GTIN,
        units: 1,
        billed: "80000",
        groupCases: 25,
        groupCasesWithItem: 1,
      },
    ]);
    expect([report.highValueFrom, report.rareUsePercent]).to.deep.equal([50_000, 5]);
    // From ¥900.00 a unit the ¥800.00 stent is not high-value.
    const dearer = (
      await get("/v1/claims?from=2026-11&to=2026-11&highValueFrom=90000", t.regulator)
    ).json<ClaimsReport>();
    expect(dearer.rareHighValue).to.deep.equal([]);
  });

  it("narrows to one hospital and leaves other months out", async function () {
    const one = (
      await get(`/v1/claims?from=2026-11&to=2026-11&hospital=${H2}`, t.regulator)
    ).json<ClaimsReport>();
    expect(one.groups.map((g) => g.hospital)).to.deep.equal([H2, H2, H2]);
    expect(one.outliers.map((o) => o.caseId)).to.deep.equal(["ES-25", "KX-1"]);
    const october = (await get("/v1/claims?from=2026-10&to=2026-10", t.regulator)).json<ClaimsReport>();
    expect([october.groups, october.outliers, october.rareHighValue]).to.deep.equal([[], [], []]);
  });

  it("is the regulators' only, and refuses a period backwards or over 12 months", async function () {
    expectError(await get("/v1/claims?from=2026-11&to=2026-11", t.approver), 403, "FORBIDDEN");
    expectError(
      await get("/v1/claims?from=2026-11&to=2026-10", t.regulator),
      400,
      "VALIDATION_FAILED",
      "must not be before",
    );
    expectError(
      await get("/v1/claims?from=2026-01&to=2027-01", t.regulator),
      400,
      "VALIDATION_FAILED",
      "at most 12",
    );
    expectError(await get("/v1/claims?from=2026-13&to=2026-13", t.regulator), 400, "VALIDATION_FAILED");
  });

  it("exports the audit as CSV: each group, outlier case and rare high-value use, by kind", async function () {
    const res = await app.inject({
      method: "GET",
      url: "/v1/claims?from=2026-11&to=2026-11",
      headers: { ...bearer(t.regulator), accept: "text/csv" },
    });
    expect(res.statusCode, res.body).to.equal(200);
    const [header, ...rows] = res.body.trim().split("\r\n");
    expect(header).to.equal(
      "kind,hospital,month,case_group,case_id,item,cases,units,amount_fen,group_cases,reference",
    );
    expect(rows.filter((r) => r.startsWith("group,"))).to.have.lengthOf(5);
    expect(rows).to.include(`outlier,${H},2026-11,FM19,IP-OUT,,,3,225000,13,135000`);
    expect(rows).to.include(`rare-high-value,${H2},2026-11,ES29,ES-25,${GTIN},,1,80000,25,1`);
  });

  describe("the risk view", function () {
    it("rolls each hospital's flags and findings up with the money billed on them, most at risk first", async function () {
      const res = await get("/v1/claims/risk?from=2026-11&to=2026-11", t.payer);
      expect(res.statusCode, res.body).to.equal(200);
      const risk = res.json<ClaimsRisk>();
      // What the reconciliation flags, summed here from its own evidence and the usages' bills.
      const rec = await get(
        "/v1/reconciliation?from=2026-11-01T00:00:00%2B08:00&to=2026-12-01T00:00:00%2B08:00&limit=500",
        t.regulator,
      );
      const flagged = new Map<string, Set<string>>();
      for (const row of rec.json<ReconciliationReport>().rows)
        for (const f of row.flags)
          if (f.code === "PHANTOM_USE")
            for (const id of f.evidence.usageIds)
              flagged.set(row.hospital, (flagged.get(row.hospital) ?? new Set()).add(id));
      const billed = async (hospital: string) => {
        const { rows } = await engine.db.query<{ s: string }>(
          `SELECT coalesce(sum(billed_amount), 0)::text AS s FROM usages WHERE hospital = $1 AND usage_id = ANY($2)`,
          [hospital, [...(flagged.get(hospital) ?? [])]],
        );
        return rows[0].s;
      };
      expect(flagged.get(H)?.size).to.be.greaterThan(0);
      const byHospital = new Map(risk.hospitals.map((h) => [h.hospital, h]));
      const general = byHospital.get(H)!;
      expect(general.lines.map((l) => [l.code, l.count, l.amount])).to.deep.equal([
        ["PHANTOM_USE", 1, await billed(H)],
        ["CASE_COST_OUTLIER", 1, "90000"],
      ]);
      expect(general).to.include({
        flaggedBilled: await billed(H),
        outlierExcess: "90000",
        rareHighValueBilled: "0",
      });
      expect(BigInt(general.total)).to.equal(BigInt(await billed(H)) + 90_000n);
      const other = byHospital.get(H2)!;
      expect(other.lines.map((l) => [l.code, l.count, l.amount])).to.deep.equal([
        // Two items there, stents and dressings: a flag each.
        ["PHANTOM_USE", 2, await billed(H2)],
        ["CASE_COST_OUTLIER", 2, "156000"],
        ["RARE_HIGH_VALUE", 1, "80000"],
      ]);
      expect(risk.hospitals.map((h) => h.hospital)).to.deep.equal(
        [general, other].sort((a, b) => Number(BigInt(b.total) - BigInt(a.total))).map((h) => h.hospital),
      );
      const csv = await app.inject({
        method: "GET",
        url: "/v1/claims/risk?from=2026-11&to=2026-11",
        headers: { ...bearer(t.payer), accept: "text/csv" },
      });
      expect(csv.body.split("\r\n")[0]).to.equal("hospital,code,count,usages,units,amount_fen");
      expect(csv.body).to.include(`${H2},RARE_HIGH_VALUE,1,0,1,80000`);
    });

    it("has nothing to say of a month without activity, and is the regulators' and the payer's only", async function () {
      const october = (await get("/v1/claims/risk?from=2026-10&to=2026-10", t.regulator)).json<ClaimsRisk>();
      expect(october.hospitals).to.deep.equal([]);
      expectError(await get("/v1/claims/risk?from=2026-11&to=2026-11", t.approver), 403, "FORBIDDEN");
    });
  });
});
