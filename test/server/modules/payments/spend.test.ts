import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import { migrate } from "../../../../server/db";
import type { Principal } from "../../../../server/modules/auth/tokens";
import type { SpendReport } from "../../../../api/payments";
import { forEachEngine } from "../../helpers/engines";
import { startChain, type ChainStack } from "../../support/chain";
import { buildGateway } from "../../support/gateway";
import { bearer, expectError } from "../../support/api-fixtures";
import { address, hash, LedgerSeed } from "../reconciliation/seed";

/**
 * GET /v1/payments/spend: money paid by category and month, months counted in TIME_ZONE
 * (Asia/Shanghai: a payment at 20:00 UTC on the last of a month is the next month's), scoped
 * like every payment read: a hospital its own, a supplier its own, a regulator all or one.
 */
const H1 = address("a1");
const H2 = address("a2");
const S1 = address("b1");
const S2 = address("b2");

forEachEngine((engine) => {
  let chain: ChainStack;
  let app: FastifyInstance;

  before(async function () {
    this.timeout(120_000);
    chain = await startChain();
    await migrate(engine.db);
    const seed = new LedgerSeed(engine.db);
    for (const s of [S1, S2]) await seed.supplier(s);
    for (const h of [H1, H2]) await seed.hospital(h);
    const hospitals = [H1, H2].map((hospital) => ({ hospital, committed: 100, ordered: 0, accepted: 0 }));
    const term = { startAt: "2026-01-01T00:00:00Z", endAt: "2027-01-01T00:00:00Z", hospitals };
    await seed.agreement({ id: 1, supplier: S1, category: "stent", ...term });
    await seed.agreement({ id: 2, supplier: S2, category: "catheter", ...term });
    // Settlement n: order n, shipment n, paid at `at`.
    const paid: [agreementId: number, hospital: string, at: string, fen: number, penalty: number][] = [
      [1, H1, "2026-03-10T02:00:00Z", 100_000, 0],
      [1, H1, "2026-03-31T20:00:00Z", 50_000, 500], // 1 April in Shanghai
      [2, H1, "2026-03-15T08:00:00Z", 7_000, 0],
      [1, H2, "2026-03-20T08:00:00Z", 30_000, 0],
      [2, H2, "2026-05-02T08:00:00Z", 9_900, 100],
    ];
    for (const [i, [agreementId, hospital, at, fen, penalty]] of paid.entries()) {
      const id = i + 1;
      await seed.order({
        id,
        agreementId,
        hospital,
        quantity: 10,
        value: fen,
        placedAt: "2026-02-01T00:00:00Z",
      });
      await seed.shipment({
        id,
        orderId: id,
        gtin: "09520123456788",
        lot: `L${id}`,
        expiry: "2028-01-01T00:00:00Z",
        quantity: 10,
        createdAt: "2026-02-02T00:00:00Z",
      });
      await seed.settlement({
        shipmentId: id,
        accepted: 10,
        deliveredAt: at,
        txHash: hash(id),
        paid: fen,
        penalty,
      });
    }
    app = await buildGateway(engine.db, chain, { TIME_ZONE: "Asia/Shanghai" });
  });

  after(async () => {
    await app?.close();
    await chain?.stop();
  });

  const token = (p: Partial<Principal>) =>
    app.tokens.issue({
      address: chain.cast.regulator.address.toLowerCase(),
      roles: ["regulator"],
      hospital: null,
      expiresAt: Math.floor(Date.now() / 1000) + 600,
      ...p,
    });
  const spend = async (query: string, principal: Partial<Principal> = {}) =>
    app.inject({ method: "GET", url: `/v1/payments/spend${query}`, headers: bearer(await token(principal)) });
  const RANGE = "?from=2026-01-01T00:00:00%2B08:00&to=2026-07-01T00:00:00%2B08:00";

  it("sums what was paid per month (in the gateway's time zone) and category, for the regulator", async function () {
    const res = await spend(RANGE);
    expect(res.statusCode, res.body).to.equal(200);
    expect(res.json<SpendReport>()).to.deep.equal({
      from: "2025-12-31T16:00:00.000Z",
      to: "2026-06-30T16:00:00.000Z",
      timeZone: "Asia/Shanghai",
      rows: [
        { month: "2026-03", category: "catheter", paid: "7000", penalties: "0", settlements: 1 },
        { month: "2026-03", category: "stent", paid: "130000", penalties: "0", settlements: 2 },
        { month: "2026-04", category: "stent", paid: "50000", penalties: "500", settlements: 1 },
        { month: "2026-05", category: "catheter", paid: "9900", penalties: "100", settlements: 1 },
      ],
    });
  });

  it("keeps a hospital to its own spend, and a supplier to its own sales", async function () {
    const hospital = await spend(RANGE, {
      roles: ["hospital-approver"],
      hospital: H2,
      address: address("c1"),
    });
    expect(hospital.json<SpendReport>().rows.map((r) => [r.month, r.category, r.paid])).to.deep.equal([
      ["2026-03", "stent", "30000"],
      ["2026-05", "catheter", "9900"],
    ]);
    expectError(
      await spend(`${RANGE}&hospital=${H1}`, {
        roles: ["hospital-approver"],
        hospital: H2,
        address: address("c1"),
      }),
      403,
      "NOT_YOUR_HOSPITAL",
    );
    const supplier = await spend(`${RANGE}&hospital=${H1}`, { roles: ["supplier"], address: S2 });
    expect(supplier.json<SpendReport>().rows.map((r) => [r.month, r.category, r.paid])).to.deep.equal([
      ["2026-03", "catheter", "7000"],
    ]);
  });

  it("defaults to the twelve months up to now, from local midnight of a month's first day", async function () {
    const res = await spend("");
    expect(res.statusCode, res.body).to.equal(200);
    const { from, to } = res.json<SpendReport>();
    const local = (iso: string) =>
      new Intl.DateTimeFormat("en-GB", {
        timeZone: "Asia/Shanghai",
        dateStyle: "short",
        timeStyle: "short",
      }).format(new Date(iso));
    expect(local(from)).to.match(/^01\/\d\d\/\d{4}, 00:00$/);
    const months = (Date.parse(to) - Date.parse(from)) / (24 * 3600 * 1000);
    expect(months).to.be.within(334, 366);
  });

  it("refuses a range that ends before it starts or spans more than five years", async function () {
    expectError(
      await spend("?from=2026-05-01T00:00:00Z&to=2026-04-01T00:00:00Z"),
      400,
      "VALIDATION_FAILED",
      "from must be before to",
    );
    expectError(
      await spend("?from=2019-01-01T00:00:00Z&to=2026-04-01T00:00:00Z"),
      400,
      "VALIDATION_FAILED",
      "at most 5 years",
    );
  });

  it("is for the ledger's parties: 401 without a token, 403 without a role", async function () {
    expectError(await app.inject({ method: "GET", url: "/v1/payments/spend" }), 401, "UNAUTHORIZED");
    expectError(await spend("", { roles: [], address: address("d1") }), 403, "FORBIDDEN");
  });
});
