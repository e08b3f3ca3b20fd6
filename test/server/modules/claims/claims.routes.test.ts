import { expect } from "chai";
import { ethers } from "ethers";
import type { FastifyInstance } from "fastify";
import type { ClaimsReport } from "../../../../api/claims";
import { insertUsage } from "../../../../server/modules/usages/usages.repository";
import { forEachEngine } from "../../helpers/engines";
import { GTIN } from "../../support/chain";
import { bearer, expectError, loginAll, startApi, stopApi, type ApiStack } from "../../support/api-fixtures";

/**
 * GET /v1/claims on planted cases of November 2026: group FM19, 10 cases at ¥750.00 at General
 * Hospital (one of them refunded ¥750.00 of a second stent), 2 at another hospital, and one case
 * at General billed three stents (¥2,250.00) — the group's only case above its 95th percentile
 * across hospitals (¥1,350.00); group GB29, 3 cases, too few to judge, one of them dear.
 */
forEachEngine((engine) => {
  let stack: ApiStack;
  let app: FastifyInstance;
  let t: Record<"regulator" | "approver", string>;
  let H: string;
  const H2 = "0x00000000000000000000000000000000000000b2";
  const NOV = "2026-11-15T04:00:00Z";
  let n = 0;

  async function bill(
    hospital: string,
    caseId: string,
    group: string,
    amount: bigint,
    quantity = 1,
    corrects?: string,
  ) {
    const usageId = `U-${++n}`;
    await insertUsage(engine.db, {
      hospital,
      usageId,
      gtin: GTIN,
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
    t = await loginAll(app, { regulator: cast.regulator, approver: cast.approver });
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
        [H2, "2026-11", "FM19", 2, "150000", "75000"],
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
    ]);
    expect(report.minGroupCases).to.equal(10);
  });

  it("narrows to one hospital and leaves other months out", async function () {
    const one = (
      await get(`/v1/claims?from=2026-11&to=2026-11&hospital=${H2}`, t.regulator)
    ).json<ClaimsReport>();
    expect(one.groups.map((g) => g.hospital)).to.deep.equal([H2]);
    expect(one.outliers).to.deep.equal([]);
    const october = (await get("/v1/claims?from=2026-10&to=2026-10", t.regulator)).json<ClaimsReport>();
    expect([october.groups, october.outliers]).to.deep.equal([[], []]);
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
});
