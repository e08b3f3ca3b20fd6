import { expect } from "chai";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { migrate, type Db } from "../../../../server/db";
import type { Principal } from "../../../../server/modules/auth/tokens";
import type {
  DepartmentBudgetRow,
  DepartmentBudgetsReport,
  OverspendReport,
} from "../../../../api/department-budgets";
import * as act from "../../../../ledger/acts";
import { ledgerNow } from "../../../../server/plugins/chain";
import { monthOf } from "../../../../server/lib/month-range";
import { forEachEngine } from "../../helpers/engines";
import { enrolGeneralHospital, startChain, STENTS, type ChainStack } from "../../support/chain";
import { chainReads } from "../../support/chain-reads";
import { buildGateway } from "../../support/gateway";
import { bearer, expectError } from "../../support/api-fixtures";
import { address, LedgerSeed } from "../reconciliation/seed";

/**
 * /v1/department-budgets: consumption valued at the locked unit price of the order each used
 * unit came from (by serial where the manifest names it, else the hospital's first shipment of
 * the lot), per department × category × month in TIME_ZONE (Asia/Shanghai); statuses at exactly
 * 80 % and 100 %; a hospital's own staff only; the cases behind a department's consumption.
 */
const CATHETERS = act.categoryCode("C0402-CATH");
const G = "09520123456788";
const G2 = "09520123456795";
const S1 = address("b1");

/** A stand-in for the salted hash: the usage id's bytes in hex, padded. */
const patientHash = (usageId: string) => Buffer.from(usageId).toString("hex").padEnd(64, "0");

forEachEngine((engine) => {
  let chain: ChainStack;
  let app: FastifyInstance;
  let H: string;
  let H2: string;

  async function usage(
    db: Db,
    u: {
      hospital: string;
      id: string;
      gtin?: string;
      lot: string;
      serial?: string;
      department: string;
      at: string;
      quantity?: number;
      corrects?: string;
    },
  ): Promise<void> {
    await db.query(
      `INSERT INTO usages (hospital, usage_id, gtin, lot, serial, department, patient_hash, used_at, billing_code,
         billed_amount, quantity, corrects_usage_id, recorded_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'B1', 0, $9, $10, $1)`,
      [
        u.hospital,
        u.id,
        u.gtin ?? G,
        u.lot,
        u.serial ?? null,
        u.department,
        patientHash(u.id),
        u.at,
        u.quantity ?? 1,
        u.corrects ?? null,
      ],
    );
  }

  before(async function () {
    this.timeout(120_000);
    chain = await startChain();
    const { cast } = chain;
    H = cast.hospital.address.toLowerCase();
    H2 = cast.hospital2.address.toLowerCase();
    await enrolGeneralHospital(chain, [cast.approver]);
    const db = engine.db;
    await migrate(db);
    const seed = new LedgerSeed(db);
    await seed.supplier(S1);
    for (const h of [H, H2]) await seed.hospital(h);
    const term = { startAt: "2026-01-01T00:00:00Z", endAt: "2027-01-01T00:00:00Z", hospitals: [] };
    await seed.agreement({ id: 1, supplier: S1, category: STENTS, ...term });
    await seed.agreement({ id: 2, supplier: S1, category: CATHETERS, ...term });
    // Locked unit prices: order 1 10 000 / 3 (3 333.33…), order 2 5 000, order 3 1 234.5, order 4 7 000.
    const orders: [id: number, agreementId: number, hospital: string, quantity: number, value: number][] = [
      [1, 1, H, 3, 10_000],
      [2, 1, H, 10, 50_000],
      [3, 2, H, 10, 12_345],
      [4, 1, H2, 1, 7_000],
    ];
    for (const [id, agreementId, hospital, quantity, value] of orders)
      await seed.order({ id, agreementId, hospital, quantity, value, placedAt: "2026-02-01T00:00:00Z" });
    // Lot LS came in two shipments (orders 1 then 2); the manifests say which serial came in which.
    const shipments: [id: number, orderId: number, gtin: string, lot: string, quantity: number][] = [
      [1, 1, G, "LS", 3],
      [2, 2, G, "LS", 10],
      [3, 3, G2, "LC", 10],
      [4, 4, G, "LX", 1],
    ];
    for (const [id, orderId, gtin, lot, quantity] of shipments)
      await seed.shipment({
        id,
        orderId,
        gtin,
        lot,
        quantity,
        expiry: "2028-01-01T00:00:00Z",
        createdAt: "2026-02-02T00:00:00Z",
      });
    const serials: [shipmentId: number, serials: string[]][] = [
      [1, ["S-1", "S-2", "S-3"]],
      [2, ["S-4", "S-5", "S-6", "S-7"]],
    ];
    for (const [shipmentId, list] of serials)
      for (const [i, serial] of list.entries())
        await db.query(`INSERT INTO manifest_serials (shipment_id, serial, leaf_index) VALUES ($1, $2, $3)`, [
          shipmentId,
          serial,
          i,
        ]);
    // Cardiology, stents, March (Shanghai): 5 000 (S-5, order 2) + 3 333 (S-1, order 1) + 5 000
    // (S-6 at 01:00 on 1 March in Shanghai) = 13 333. S-4 at 04:00 on 1 April is April's.
    await usage(db, {
      hospital: H,
      id: "c1",
      lot: "LS",
      serial: "S-5",
      department: "Cardiology",
      at: "2026-03-05T02:00:00Z",
    });
    await usage(db, {
      hospital: H,
      id: "c2",
      lot: "LS",
      serial: "S-1",
      department: "Cardiology",
      at: "2026-03-06T02:00:00Z",
    });
    await usage(db, {
      hospital: H,
      id: "c3",
      lot: "LS",
      serial: "S-4",
      department: "Cardiology",
      at: "2026-03-31T20:00:00Z",
    });
    await usage(db, {
      hospital: H,
      id: "c4",
      lot: "LS",
      serial: "S-6",
      department: "Cardiology",
      at: "2026-02-28T17:00:00Z",
    });
    // ICU, stents, March: two units by lot only (order 1, the first shipment): 20 000 / 3 → 6 666;
    // one returned in April, entered by the ward, counts back in March: −3 333, net 3 333.
    await usage(db, {
      hospital: H,
      id: "i1",
      lot: "LS",
      department: "ICU",
      at: "2026-03-10T02:00:00Z",
      quantity: 2,
    });
    await usage(db, {
      hospital: H,
      id: "i1-r",
      lot: "LS",
      department: "Ward 3",
      at: "2026-04-03T02:00:00Z",
      quantity: -1,
      corrects: "i1",
    });
    // ICU, catheters, March: 2 × 1 234.5 = 2 469, no budget.
    await usage(db, {
      hospital: H,
      id: "i2",
      gtin: G2,
      lot: "LC",
      department: "ICU",
      at: "2026-03-11T02:00:00Z",
      quantity: 2,
    });
    // A lot never shipped to the hospital has no price: counted nowhere.
    await usage(db, { hospital: H, id: "x1", lot: "NOPE", department: "ICU", at: "2026-03-12T02:00:00Z" });
    // Another hospital's Cardiology.
    await usage(db, {
      hospital: H2,
      id: "c1",
      lot: "LX",
      department: "Cardiology",
      at: "2026-03-05T02:00:00Z",
    });
    await db.query(
      `INSERT INTO department_budgets (hospital, month, department, category, amount, set_by, set_at) VALUES
         ($1, '2026-03', 'ICU', $2, 3000, $1, '2026-02-20T00:00:00Z')`,
      [H, STENTS.toLowerCase()],
    );
    app = await buildGateway(db, chain, { TIME_ZONE: "Asia/Shanghai" });
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
  const get = async (url: string, principal: Partial<Principal> = {}, headers: Record<string, string> = {}) =>
    app.inject({
      method: "GET",
      url: `/v1/department-budgets${url}`,
      headers: { ...bearer(await token(principal)), ...headers },
    });
  const put = async (payload: object, principal: Partial<Principal> = {}): Promise<LightMyRequestResponse> =>
    app.inject({
      method: "PUT",
      url: "/v1/department-budgets",
      headers: bearer(await token(principal)),
      payload,
    });
  const setCardiology = async (amount: string) => {
    const res = await put({ department: "Cardiology", category: STENTS, month: "2026-03", amount });
    expect(res.statusCode, res.body).to.equal(200);
    return res.json<DepartmentBudgetRow>();
  };
  const MARCH = "?from=2026-03&to=2026-03";

  it("values each department's use at the locked price of the order its units came from, by month in TIME_ZONE", async function () {
    const res = await get("?from=2026-03&to=2026-04");
    expect(res.statusCode, res.body).to.equal(200);
    const report = res.json<DepartmentBudgetsReport>();
    expect(report).to.include({ hospital: H, from: "2026-03", to: "2026-04", timeZone: "Asia/Shanghai" });
    expect(
      report.rows.map((r) => [
        r.month,
        r.department,
        r.category,
        r.budget,
        r.consumed,
        r.remaining,
        r.percent,
        r.status,
      ]),
    ).to.deep.equal([
      ["2026-03", "Cardiology", STENTS.toLowerCase(), null, "13333", null, null, "unbudgeted"],
      // Categories in their code's order: C0401-DES, then C0402-CATH.
      ["2026-03", "ICU", STENTS.toLowerCase(), "3000", "3333", "-333", 111.1, "over"],
      ["2026-03", "ICU", CATHETERS.toLowerCase(), null, "2469", null, null, "unbudgeted"],
      ["2026-04", "Cardiology", STENTS.toLowerCase(), null, "5000", null, null, "unbudgeted"],
    ]);
  });

  it("turns warning at exactly 80 % and over at exactly 100 %, in whole fen", async function () {
    // 13 333 × 100 vs budget × 80: 16 667 → 79.9 % (ok), 16 666 → 80.0 % (warning, 1 333 300 ≥ 1 333 280).
    expect(await setCardiology("16667")).to.deep.include({
      budget: "16667",
      consumed: "13333",
      remaining: "3334",
      percent: 79.9,
      status: "ok",
    });
    expect(await setCardiology("16666")).to.deep.include({
      remaining: "3333",
      percent: 80,
      status: "warning",
    });
    expect(await setCardiology("13334")).to.deep.include({
      remaining: "1",
      percent: 99.9,
      status: "warning",
    });
    const exactly = await setCardiology("13333");
    expect(exactly).to.deep.include({
      remaining: "0",
      percent: 100,
      status: "over",
      setBy: chain.cast.approver.address.toLowerCase(),
    });
    // A zero budget allows nothing.
    expect(await setCardiology("0")).to.deep.include({ remaining: "-13333", percent: null, status: "over" });
    await setCardiology("16666");
  });

  it("filters by status: ?status=warning,over", async function () {
    const res = await get(`${MARCH}&status=warning,over`);
    expect(res.statusCode, res.body).to.equal(200);
    expect(res.json<DepartmentBudgetsReport>().rows.map((r) => [r.department, r.status])).to.deep.equal([
      ["Cardiology", "warning"],
      ["ICU", "over"],
    ]);
    const ok = await get(`${MARCH}&status=ok&department=ICU`);
    expect(ok.json<DepartmentBudgetsReport>().rows).to.deep.equal([]);
  });

  it("lists the cases behind a department's consumption, largest first, a page at a time, as JSON and CSV", async function () {
    const q = `/overspend?month=2026-03&department=Cardiology&category=${STENTS}`;
    const first = await get(`${q}&limit=2`);
    expect(first.statusCode, first.body).to.equal(200);
    const page1 = first.json<OverspendReport>();
    expect(page1).to.include({
      hospital: H,
      month: "2026-03",
      department: "Cardiology",
      budget: "16666",
      consumed: "13333",
    });
    expect(page1.items.map((c) => [c.usageId, c.serial, c.units, c.orderId, c.value])).to.deep.equal([
      ["c1", "S-5", 1, "2", "5000"],
      ["c4", "S-6", 1, "2", "5000"],
    ]);
    expect(page1.items[0]).to.include({
      gtin: G,
      lot: "LS",
      usedAt: "2026-03-05T02:00:00.000Z",
      patientRefHashPrefix: patientHash("c1").slice(0, 12),
    });
    const second = (await get(`${q}&limit=2&cursor=${page1.nextCursor}`)).json<OverspendReport>();
    expect(second.items.map((c) => [c.usageId, c.orderId, c.value])).to.deep.equal([["c2", "1", "3333"]]);
    expect(second.nextCursor).to.equal(null);

    const icu = (
      await get(`/overspend?month=2026-03&department=ICU&category=${STENTS}`)
    ).json<OverspendReport>();
    expect(icu.items.map((c) => [c.usageId, c.units, c.value])).to.deep.equal([["i1", 1, "3333"]]);

    const csv = await get(`${q}&limit=2`, {}, { accept: "text/csv" });
    expect(csv.statusCode).to.equal(200);
    expect(csv.headers["content-type"]).to.match(/^text\/csv/);
    expect(csv.headers.link).to.match(/cursor=/);
    expect(csv.body.split("\r\n")).to.deep.equal([
      "usage_id,used_at,patient_hash_prefix,gtin,lot,serial,units,order_id,value_fen",
      `c1,2026-03-05T02:00:00.000Z,${patientHash("c1").slice(0, 12)},${G},LS,S-5,1,2,5000`,
      `c4,2026-02-28T17:00:00.000Z,${patientHash("c4").slice(0, 12)},${G},LS,S-6,1,2,5000`,
      "",
    ]);
  });

  it("keeps department budgets inside the hospital: other hospitals, regulators and suppliers get nothing", async function () {
    const other = {
      address: chain.cast.receiver2.address.toLowerCase(),
      roles: ["hospital-receiver" as const],
      hospital: H2,
    };
    const own = (await get(MARCH, other)).json<DepartmentBudgetsReport>();
    expect(own.rows.map((r) => [r.department, r.consumed])).to.deep.equal([["Cardiology", "7000"]]);
    expectError(await get(`${MARCH}&hospital=${H}`, other), 403, "NOT_YOUR_HOSPITAL");
    expectError(
      await get(`/overspend?month=2026-03&department=Cardiology&category=${STENTS}&hospital=${H}`, other),
      403,
      "NOT_YOUR_HOSPITAL",
    );
    const regulator = {
      address: chain.cast.regulator.address.toLowerCase(),
      roles: ["regulator" as const],
      hospital: null,
    };
    expectError(await get(MARCH, regulator), 403, "FORBIDDEN");
    expectError(await get(MARCH, { address: S1, roles: ["supplier"], hospital: null }), 403, "FORBIDDEN");
    // Settlers read the budgets, but not the patient-level cases, and set nothing.
    const settler = {
      address: chain.cast.settler.address.toLowerCase(),
      roles: ["hospital-settler" as const],
    };
    expect((await get(MARCH, settler)).statusCode).to.equal(200);
    expectError(
      await get(`/overspend?month=2026-03&department=ICU&category=${STENTS}`, settler),
      403,
      "FORBIDDEN",
    );
  });

  it("lets the hospital's account and approvers set budgets, checking roles on the chain before the body", async function () {
    const body = { department: "ICU", category: CATHETERS, month: "2026-03", amount: "2469" };
    // The token says approver, but the chain says settler: the chain wins.
    const settler = {
      address: chain.cast.settler.address.toLowerCase(),
      roles: ["hospital-approver" as const],
    };
    expectError(await put(body, settler), 403, "FORBIDDEN");
    expectError(await put({ amount: "x" }, settler), 403, "FORBIDDEN");
    const receiver = {
      address: chain.cast.receiver.address.toLowerCase(),
      roles: ["hospital-receiver" as const],
    };
    expectError(await put(body, receiver), 403, "FORBIDDEN");
    expectError(
      await app.inject({ method: "PUT", url: "/v1/department-budgets", payload: { amount: "x" } }),
      401,
      "UNAUTHORIZED",
    );
    const account = { address: H, roles: ["hospital-admin" as const] };
    const res = await put(body, account);
    expect(res.statusCode, res.body).to.equal(200);
    expect(res.json<DepartmentBudgetRow>()).to.deep.include({
      budget: "2469",
      consumed: "2469",
      status: "over",
      setBy: H,
    });
  });

  it("reads the chain's head once for a budget: its role check and its ledger time", async function () {
    const body = { department: "Oncology", category: STENTS, month: "2025-01", amount: "1000" };
    try {
      const { result: res, heads } = await chainReads(app.chain.provider, () => put(body));
      expect(res.statusCode, res.body).to.equal(200);
      expect(heads).to.have.length(1);
    } finally {
      await engine.db.query(`DELETE FROM department_budgets WHERE department = 'Oncology'`);
    }
  });

  it("counts the current month's budgets per hospital and status in /metrics", async function () {
    // The current month on the ledger's clock: one ICU catheter case now, against a budget of 2 469.
    const now = await ledgerNow(app.chain);
    await usage(engine.db, {
      hospital: H,
      id: "m1",
      gtin: G2,
      lot: "LC",
      department: "ICU",
      at: now.toISOString(),
    });
    const month = monthOf(now, "Asia/Shanghai");
    const set = async (department: string, amount: string) =>
      expect((await put({ department, category: CATHETERS, month, amount })).statusCode).to.equal(200);
    await set("ICU", "1234"); // 1 234 of 1 234: over
    await set("Cardiology", "5000"); // nothing used: ok
    const metrics = (await app.inject({ method: "GET", url: "/metrics" })).body;
    const series = metrics.split("\n").filter((line) => line.startsWith("department_budgets{"));
    expect(series.sort()).to.deep.equal([
      `department_budgets{hospital="${H}",status="ok"} 1`,
      `department_budgets{hospital="${H}",status="over"} 1`,
    ]);
  });

  it("answers bad input with a 400 that names the field", async function () {
    const good = { department: "ICU", category: STENTS, month: "2026-03", amount: "100" };
    expectError(await put({ ...good, month: "2026-13" }), 400, "VALIDATION_FAILED", "month");
    expectError(await put({ ...good, amount: "-5" }), 400, "VALIDATION_FAILED", "amount");
    expectError(await put({ ...good, amount: "1".repeat(31) }), 400, "VALIDATION_FAILED", "amount");
    expectError(await put({ ...good, category: "stents" }), 400, "VALIDATION_FAILED", "category");
    expectError(await put({ ...good, department: "" }), 400, "VALIDATION_FAILED", "department");
    expectError(await put({ ...good, extra: 1 }), 400, "VALIDATION_FAILED");
    expectError(await get("?from=2026-04&to=2026-03"), 400, "VALIDATION_FAILED", "must not be before");
    expectError(await get("?from=2025-01&to=2026-03"), 400, "VALIDATION_FAILED", "at most 12");
    expectError(await get("?status=late"), 400, "VALIDATION_FAILED", "status");
    expectError(await get("/overspend?month=2026-03&department=ICU"), 400, "VALIDATION_FAILED", "category");
    expectError(
      await get(`/overspend?month=2026-03&department=ICU&category=${STENTS}&cursor=bm9wZQ`),
      400,
      "CURSOR_INVALID",
    );
  });
});
