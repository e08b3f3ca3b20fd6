import { expect } from "chai";
import { id as keccakText } from "ethers";
import type { FastifyInstance } from "fastify";
import { migrate, type Db } from "../../../../server/db";
import type { Principal } from "../../../../server/modules/auth/tokens";
import type { ForecastReport, ParLevel, ParLevelPage, SuggestionPage } from "../../../../api/replenishment";
import { BudgetBook__factory, OrderBook__factory } from "../../../../typechain-types";
import { ledgerNow } from "../../../../server/plugins/chain";
import {
  addDays,
  dayOf,
  MAX_ORDER_UNITS,
} from "../../../../server/modules/replenishment/replenishment.service";
import { forEachEngine } from "../../helpers/engines";
import { enrolGeneralHospital, startChain, STENTS, type ChainStack } from "../../support/chain";
import { chainReads } from "../../support/chain-reads";
import { buildGateway } from "../../support/gateway";
import { bearer, expectError } from "../../support/api-fixtures";
import { address, LedgerSeed } from "../reconciliation/seed";
import { gln, StockSeed } from "../stock/stock-seed";
import { productKeyOf } from "../../../../ledger/product-key";

/**
 * /v1/replenishment: par levels set by a hospital's account and approvers, read by its staff and
 * regulators; the forecast of a weekday usage pattern; the suggestion under the active agreement
 * with its tier price, budget effect and exact placeOrder call; the order it places counts as on
 * order.
 */
const G = "09520123456788";
const G2 = "09520123456795";
const CAMPUS = "6901234000024";
const S1 = address("b1");
const TZ = "Asia/Shanghai";
/** Two units a day Monday to Friday of the pattern, none at weekends: 10 a week. */
const PATTERN = [2, 2, 2, 2, 2, 0, 0];
const orderBook = OrderBook__factory.createInterface();
const budgetBook = BudgetBook__factory.createInterface();

forEachEngine((engine) => {
  let chain: ChainStack;
  let app: FastifyInstance;
  let H: string;
  let H2: string;
  let today: string;
  let period: number;

  async function usage(db: Db, hospital: string, id: string, day: string, quantity: number): Promise<void> {
    await db.query(
      `INSERT INTO usages (hospital, usage_id, gtin, lot, department, patient_hash, used_at, billing_code,
         billed_amount, quantity, recorded_by)
       VALUES ($1, $2, $3, 'L1', 'Cardiology', $4, $5, 'B1', 0, $6, $1)`,
      [hospital, id, G, "0".repeat(64), `${day}T10:00:00+08:00`, quantity],
    );
  }

  before(async function () {
    this.timeout(120_000);
    chain = await startChain();
    H = chain.cast.hospital.address.toLowerCase();
    H2 = chain.cast.hospital2.address.toLowerCase();
    await enrolGeneralHospital(chain, [chain.cast.approver]);
    const db = engine.db;
    await migrate(db);
    app = await buildGateway(db, chain, { TIME_ZONE: TZ });
    const now = await ledgerNow(app.chain);
    today = dayOf(now, TZ);
    period = Number(await app.chain.ledger.budgets.currentPeriod());
    const seed = new LedgerSeed(db);
    await seed.supplier(S1);
    for (const h of [H, H2]) await seed.hospital(h);
    const at = (days: number) => new Date(now.getTime() + days * 86_400_000).toISOString();
    await seed.agreement({
      id: 1,
      supplier: S1,
      category: STENTS,
      startAt: at(-60),
      endAt: at(300),
      hospitals: [{ hospital: H, committed: 100, ordered: 10, accepted: 0 }],
    });
    // 90 units accepted so far (every hospital's): the next 10 at ¥750.00, then ¥720.00.
    await db.query(
      `UPDATE agreements SET accepted_volume = 90,
         tiers = '[{"threshold":"0","unitPrice":"75000"},{"threshold":"100","unitPrice":"72000"}]' WHERE id = 1`,
    );
    await db.query(
      `INSERT INTO supplier_gtins (supplier, gtin, document_id, valid_from, valid_until) VALUES ($1, $2, 1, $3, $4)`,
      [S1, G, at(-60), at(600)],
    );
    await seed.order({ id: 1, agreementId: 1, hospital: H, quantity: 80, value: 0, placedAt: at(-50) });
    await seed.shipment({
      id: 1,
      orderId: 1,
      gtin: G,
      lot: "L1",
      quantity: 80,
      expiry: at(700),
      createdAt: at(-45),
    });
    await seed.settlement({ shipmentId: 1, accepted: 80, deliveredAt: at(-44), txHash: "0x01" });
    // Stock counts what the warehouse received: the 80 units' goods receipt.
    await new StockSeed(db).receipt({
      hospital: H,
      campus: null,
      gtin: G,
      lot: "L1",
      expiry: at(700),
      quantity: 80,
    });
    // Six weeks of the pattern up to yesterday: 60 used, 20 left.
    for (let k = 0; k < 42; k++)
      if (PATTERN[k % 7] > 0) await usage(db, H, `u${k}`, addDays(today, k - 42), PATTERN[k % 7]);
    await db.query(
      `INSERT INTO budgets (hospital, category, period, amount, spent, set_at, set_tx, last_tx, last_block)
       VALUES ($1, $2, $3, 3000000, 1000000, now(), '0x01', '0x01', 1)`,
      [H, STENTS.toLowerCase(), period],
    );
  });

  after(async () => {
    await app?.close();
    await chain?.stop();
  });

  const token = (p: Partial<Principal>) =>
    app.tokens.issue({
      address: chain.cast.approver.address.toLowerCase(),
      roles: ["hospital-approver"],
      hospital: H,
      expiresAt: Math.floor(Date.now() / 1000) + 600,
      ...p,
    });
  const get = async (url: string, principal: Partial<Principal> = {}) =>
    app.inject({ method: "GET", url: `/v1/replenishment${url}`, headers: bearer(await token(principal)) });
  const put = async (payload: object, principal: Partial<Principal> = {}) =>
    app.inject({
      method: "PUT",
      url: "/v1/replenishment/par-levels",
      headers: bearer(await token(principal)),
      payload,
    });
  const as = (who: "hospital" | "receiver" | "settler" | "regulator", roles: Principal["roles"]) => ({
    address: chain.cast[who].address.toLowerCase(),
    roles,
    hospital: who === "regulator" ? null : H,
  });
  const admin = () => as("hospital", ["hospital-admin"]);
  const receiver = () => as("receiver", ["hospital-receiver"]);
  const regulator = () => as("regulator", ["regulator"]);

  it("lets the hospital's account and approvers set par levels per campus × GTIN, the whole hospital being one campus", async function () {
    const first = await put({ gtin: G, min: 10, max: 30 });
    expect(first.statusCode, first.body).to.equal(200);
    const replaced = await put({ campus: null, gtin: G, min: 25, max: 60 }, admin());
    expect(replaced.json<ParLevel>()).to.include({ hospital: H, campus: null, gtin: G, min: 25, max: 60 });
    expect((await put({ campus: CAMPUS, gtin: G2, min: 1, max: 5 })).statusCode).to.equal(200);
    const res = await get("/par-levels");
    expect(res.statusCode, res.body).to.equal(200);
    expect(res.json<ParLevelPage>().items.map((p) => [p.campus, p.gtin, p.min, p.max])).to.deep.equal([
      [null, G, 25, 60],
      [CAMPUS, G2, 1, 5],
    ]);
  });

  it("reads the chain's head once for a par level: its role check and its ledger time", async function () {
    const key = productKeyOf("MA", "MA.156.M0.100761.21234562");
    try {
      const { result: res, heads } = await chainReads(app.chain.provider, () =>
        put({ gtin: key, min: 2, max: 4 }),
      );
      expect(res.statusCode, res.body).to.equal(200);
      expect(heads).to.have.length(1);
    } finally {
      await engine.db.query(`DELETE FROM par_levels WHERE gtin = $1`, [key]);
    }
  });

  it("refuses par levels from receivers and settlers, a max below min, and another hospital's reads", async function () {
    expectError(await put({ gtin: G, min: 1, max: 2 }, receiver()), 403, "FORBIDDEN");
    expectError(
      await put({ gtin: G, min: 1, max: 2 }, as("settler", ["hospital-settler"])),
      403,
      "FORBIDDEN",
    );
    expectError(
      await put({ gtin: G, min: 5, max: 4 }),
      400,
      "VALIDATION_FAILED",
      "max (4) must not be below min (5)",
    );
    expectError(await put({ gtin: G, min: 0, max: 0 }), 400, "VALIDATION_FAILED", "max must be above 0");
    expectError(await put({ gtin: "123", min: 0, max: 1 }), 400, "VALIDATION_FAILED");
    const other = {
      address: chain.cast.receiver2.address.toLowerCase(),
      roles: ["hospital-receiver" as const],
      hospital: H2,
    };
    expectError(await get(`/par-levels?hospital=${H}`, other), 403, "NOT_YOUR_HOSPITAL");
    expectError(
      await get("/suggestions", { address: S1, roles: ["supplier"], hospital: null }),
      403,
      "FORBIDDEN",
    );
  });

  it("takes a par level for another agency's product key, and refuses a number that is neither a GTIN nor a key", async function () {
    const key = productKeyOf("MA", "MA.156.M0.100761.21234561");
    const set = await put({ gtin: key, min: 1, max: 4 });
    expect(set.statusCode, set.body).to.equal(200);
    expect(set.json<ParLevel>()).to.include({ gtin: key, min: 1, max: 4 });
    expectError(
      await put({ gtin: "09520123456787", min: 1, max: 4 }),
      400,
      "VALIDATION_FAILED",
      "gtin 09520123456787 is neither a GTIN-14 nor a product key",
    );
    expectError(await put({ gtin: "99999999999999999999", min: 1, max: 4 }), 400, "VALIDATION_FAILED");
    await engine.db.query(`DELETE FROM par_levels WHERE gtin = $1`, [key]);
  });

  it("lets a regulator read a hospital it names, and asks it to name one", async function () {
    expectError(
      await get("/par-levels", regulator()),
      400,
      "VALIDATION_FAILED",
      "a regulator names the hospital",
    );
    const res = await get(`/par-levels?hospital=${H}`, regulator());
    expect(res.statusCode, res.body).to.equal(200);
    expect(res.json<ParLevelPage>().items).to.have.length(2);
  });

  it("forecasts the weekday pattern back for 90 days, with its 4-week backtest beside seasonal-naive's", async function () {
    const res = await get(`/forecast?gtin=${G}`, receiver());
    expect(res.statusCode, res.body).to.equal(200);
    const f = res.json<ForecastReport>();
    expect(f).to.include({ hospital: H, campus: null, gtin: G, timeZone: TZ, method: "holt-winters" });
    expect(f.history).to.have.length(42);
    expect(f.history[0]).to.deep.equal({ date: addDays(today, -42), units: 2 });
    expect(f.history.at(-1)).to.deep.equal({ date: addDays(today, -1), units: 0 });
    expect(f.forecast).to.have.length(90);
    expect(f.forecast[0].date).to.equal(today);
    expect(f.forecast.slice(0, 7).map((d) => d.units)).to.deep.equal(PATTERN);
    expect(f.total).to.be.closeTo(90 * (10 / 7), 1.5);
    expect(f.backtest).to.deep.equal({
      holdoutDays: 28,
      from: addDays(today, -28),
      actual: 40,
      model: { mae: 0, wape: 0 },
      seasonalNaive: { mae: 0, wape: 0 },
    });
  });

  it("suggests bringing the item back to max over the lead time, under the active agreement, with the tier price, the budget effect and the call", async function () {
    const res = await get("/suggestions");
    expect(res.statusCode, res.body).to.equal(200);
    const [item, other] = res.json<SuggestionPage>().items;
    // On hand 80 − 60 = 20; 7 days' lead time: 10 forecast. 20 − 10 < 25 (min): order
    // 60 (max) − 20 + 10 = 50.
    expect(item).to.deep.include({
      item: `ALL/${G}`,
      gtin: G,
      campus: null,
      onHand: 20,
      onOrder: 0,
      leadTimeDays: 7,
      demandOverLeadTime: 10,
      forecastMethod: "holt-winters",
      status: "order",
      quantity: 50,
    });
    expect(item.agreement).to.include({ id: "1", committed: "100", funded: "10", exceedsCommitment: false });
    // Units 91–100 at ¥750.00, 101–140 at ¥720.00.
    expect(item.price).to.deep.equal({
      value: String(10 * 75_000 + 40 * 72_000),
      tiers: [
        { tier: 0, unitPrice: "75000", units: 10 },
        { tier: 1, unitPrice: "72000", units: 40 },
      ],
    });
    expect(item.budget).to.deep.equal({
      period,
      amount: "3000000",
      remainingBefore: "2000000",
      remainingAfter: String(2_000_000 - 3_630_000),
      exceeded: true,
    });
    const place = item.place!;
    expect(place).to.include({ agreementId: "1", quantity: 50, reference: `RPL/ALL/${G}/${today}` });
    expect(place.orderRef).to.equal(keccakText(place.reference));
    expect(place.to).to.equal(chain.deployment.contracts.orderBook);
    expect(orderBook.decodeFunctionData("placeOrder", place.data).map(String)).to.deep.equal([
      "1",
      "50",
      String(place.requestedDelivery),
      place.orderRef,
    ]);
    const now = Math.floor((await ledgerNow(app.chain)).getTime() / 1000);
    expect(place.requestedDelivery).to.be.within(now + 7 * 86_400 - 60, now + 7 * 86_400);
    // The campus's catheters: no agreement sells G2 to the hospital.
    expect(other).to.deep.include({
      campus: CAMPUS,
      gtin: G2,
      status: "no-agreement",
      quantity: 0,
      place: null,
    });
  });

  it("reads the budget period at the request's block, once for every request at that block", async function () {
    // A new block: nothing is known at it yet.
    await chain.mine();
    const selector = budgetBook.getFunction("currentPeriod").selector;
    const { result, heads, calls } = await chainReads(app.chain.provider, async () => [
      await get("/suggestions"),
      await get("/suggestions"),
    ]);
    for (const res of result) {
      expect(res.statusCode, res.body).to.equal(200);
      expect(res.json<SuggestionPage>().items[0].budget).to.include({ period });
    }
    // One head read a request, both at the new block; one period read, at that block.
    expect(heads).to.have.length(2);
    expect(heads[1]).to.equal(heads[0]);
    const periodReads = calls.filter((c) => c.data.startsWith(selector));
    expect(periodReads.map((c) => c.block)).to.deep.equal([heads[0]]);
  });

  it("counts the order placed from the suggestion as on order: nothing more to order", async function () {
    const { items } = (await get("/suggestions")).json<SuggestionPage>();
    await engine.db.query(
      `INSERT INTO orders (id, agreement_id, hospital, supplier, placed_by, quantity, value, requested_delivery,
         delivery_deadline, order_ref, status, placed_at, last_tx, last_block)
       VALUES (2, 1, $1, $2, $1, 50, 0, now(), now(), $3, 'placed', now(), '0x02', 2)`,
      [H, S1, items[0].place!.orderRef],
    );
    const [item] = (await get("/suggestions")).json<SuggestionPage>().items;
    expect(item).to.deep.include({ onHand: 20, onOrder: 50, status: "enough", quantity: 0, place: null });
  });

  it("reads a campus's par level against that campus's stock and usage, the whole hospital against all of it", async function () {
    const before = (await get(`/forecast?gtin=${G}`)).json<ForecastReport>().history.map((h) => h.units);
    // The hospital registers two campuses (its records so far fall to the main one), the east
    // campus receives 12 units and uses 2 a day for a week, and the main one uses 1 yesterday.
    const [main, east] = [gln(1), gln(2)];
    const stock = new StockSeed(engine.db, 1000);
    await stock.campus(H, main, "Main", true);
    await stock.campus(H, east, "East", false);
    await stock.receipt({
      hospital: H,
      campus: east,
      gtin: G,
      lot: "L1",
      expiry: "2030-01-01",
      quantity: 12,
    });
    const day = (k: number) => `${addDays(today, -k)}T10:00:00+08:00`;
    for (let k = 1; k <= 7; k++)
      await stock.usage({ hospital: H, campus: east, gtin: G, lot: "L1", quantity: 2, at: day(k) });
    await stock.usage({ hospital: H, campus: null, gtin: G, lot: "L1", quantity: 1, at: day(1) });
    expect((await put({ campus: east, gtin: G, min: 5, max: 10 })).statusCode).to.equal(200);

    const items = (await get("/suggestions")).json<SuggestionPage>().items;
    expect(items.filter((i) => i.gtin === G).map((i) => [i.campus, i.onHand])).to.deep.equal([
      [null, 20 - 1], // the east campus's 2 beyond its 12 are a shortfall, not stock taken elsewhere
      [east, 0],
    ]);
    const eastHistory = (await get(`/forecast?gtin=${G}&campus=${east}`)).json<ForecastReport>().history;
    expect(eastHistory.map((h) => h.units)).to.deep.equal([2, 2, 2, 2, 2, 2, 2]);
    const mainHistory = (await get(`/forecast?gtin=${G}&campus=${main}`)).json<ForecastReport>().history;
    expect(mainHistory.map((h) => h.units)).to.deep.equal([...before.slice(0, -1), before.at(-1)! + 1]);
    const whole = (await get(`/forecast?gtin=${G}`)).json<ForecastReport>().history.map((h) => h.units);
    expect(whole).to.deep.equal(
      before.map((u, i) => u + (i >= before.length - 7 ? 2 : 0) + (i === before.length - 1 ? 1 : 0)),
    );
  });

  it("never suggests more than an order can carry on the ledger, however large a usage record is", async function () {
    // A bogus record of two billion units used yesterday blows the forecast up.
    await usage(engine.db, H, "u-huge", addDays(today, -1), 2_000_000_000);
    const res = await get("/suggestions");
    expect(res.statusCode, res.body).to.equal(200);
    const item = res.json<SuggestionPage>().items.find((s) => s.campus === null && s.gtin === G)!;
    expect(item).to.include({ status: "order", quantity: MAX_ORDER_UNITS });
    expect(item.place!.quantity).to.equal(MAX_ORDER_UNITS);
  });
});
