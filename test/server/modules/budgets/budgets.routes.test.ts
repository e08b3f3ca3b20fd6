import { expect } from "chai";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import type { HDNodeWallet } from "ethers";
import type { Budget, BudgetPage } from "../../../../api/budgets";
import type { Trail, TrailStep, Verification } from "../../../../api/trail";
import * as act from "../../../../ledger/acts";
import { decodeRevert, revertDataOf } from "../../../../ledger/revert";
import { forEachEngine } from "../../helpers/engines";
import { DAY, STENTS } from "../../support/chain";
import {
  bearer,
  enrolSecondHospital,
  expectError,
  expectInvalidField,
  loginAll,
  placedOrder,
  signForward,
  startApi,
  stopApi,
  type ApiStack,
} from "../../support/api-fixtures";

/**
 * Budgets on the ledger, as the gateway serves them: the hospital sets a budget (relayed for
 * its admin account only), an order past it cannot be funded until two approvers record an
 * adjustment (one relayed), a cancelled order's value comes back; GET /v1/budgets shows each
 * hospital its own budgets with every adjustment and a regulator all of them; an order's trail
 * carries its budget charge and return and the budget's setting and adjustments, and verifies
 * against the chain.
 */

const UTC8 = 8 * 3600;
const REASON = 301;
/** 10 units at the procured agreement's first tier. */
const ORDER_VALUE = 100_000n;

forEachEngine((engine) => {
  let stack: ApiStack;
  let app: FastifyInstance;
  let chain: ApiStack["chain"];
  let period: number;
  let t: Record<"regulator" | "hospital" | "approver" | "receiver" | "receiver2" | "supplier", string>;
  let funded: bigint;
  let overBudget: bigint;
  let applied: bigint;
  let withdrawn: bigint;
  let budgetsAddress: string;

  const get = (url: string, token?: string) =>
    app.inject({ method: "GET", url, headers: token ? bearer(token) : {} });

  async function relay(signer: HDNodeWallet, data: string, token: string): Promise<LightMyRequestResponse> {
    const request = await signForward(chain, signer, budgetsAddress, data);
    return app.inject({
      method: "POST",
      url: "/v1/relay",
      payload: request as object,
      headers: bearer(token),
    });
  }

  async function relayed(signer: HDNodeWallet, data: string, token: string): Promise<void> {
    const res = await relay(signer, data, token);
    expect(res.statusCode, res.body).to.equal(202);
    const receipt = await chain.provider.waitForTransaction(res.json<{ txHash: string }>().txHash);
    expect(receipt?.status).to.equal(1);
  }

  before(async function () {
    this.timeout(180_000);
    stack = await startApi(engine.db);
    ({ app, chain } = stack);
    const { cast, ledger } = chain;
    budgetsAddress = await ledger.budgets.getAddress();
    // Every act below falls in one fiscal period, whatever the day the test runs.
    const now = await chain.now();
    const local = new Date((now + UTC8) * 1000);
    const newYear = Date.UTC(local.getUTCFullYear() + 1, 0, 1) / 1000 - UTC8;
    if (newYear - now < DAY) await chain.advance(newYear - now + 60);
    period = Number(await ledger.budgets.currentPeriod());
    await enrolSecondHospital(chain, [{ wallet: cast.receiver2, roles: act.HOSPITAL_ROLES.receiver }]);
    t = await loginAll(app, {
      regulator: cast.regulator,
      hospital: cast.hospital,
      approver: cast.approver,
      receiver: cast.receiver,
      receiver2: cast.receiver2,
      supplier: cast.supplier,
    });
    const i = ledger.budgets.interface;

    // The hospital's admin account sets this year's stents budget through the relay (next
    // year's directly): one and a half orders of 10 units.
    await relayed(cast.hospital, i.encodeFunctionData("setBudget", [STENTS, period, 150_000n]), t.hospital);
    await act.setBudget(ledger, cast.hospital, { category: STENTS, period: period + 1, amount: 1n });
    funded = await placedOrder(chain, stack.p, 10);
    await act.approveOrder(ledger, cast.approver, funded);
    overBudget = await placedOrder(chain, stack.p, 10);
    const refused = await act.approveOrder(ledger, cast.approver, overBudget).catch((e: unknown) => e);
    expect(decodeRevert(revertDataOf(refused))?.message).to.equal(
      `BudgetExceeded(hospital=${cast.hospital.address}, category=${STENTS}, period=${period}, ` +
        `value=${ORDER_VALUE}, remaining=50000)`,
    );
    // Two approvers record an adjustment (the second through the relay); the order is funded.
    applied = await act.proposeBudgetAdjustment(ledger, cast.approver, {
      category: STENTS,
      period,
      delta: 100_000n,
      reasonCode: REASON,
    });
    const approver2 = await loginAll(app, { approver2: cast.approver2 });
    await relayed(cast.approver2, i.encodeFunctionData("confirmAdjustment", [applied]), approver2.approver2);
    await act.approveOrder(ledger, cast.approver, overBudget);
    // A cut proposed and withdrawn; the over-budget order cancelled, its value back.
    withdrawn = await act.proposeBudgetAdjustment(ledger, cast.approver, {
      category: STENTS,
      period,
      delta: -10_000n,
      reasonCode: 302,
    });
    await act.sent(ledger.budgets.connect(cast.approver).withdrawAdjustment(withdrawn));
    await act.sent(ledger.orderBook.connect(cast.hospital).cancelOrder(overBudget));
    await app.indexer.catchUp();
  });

  after(() => stopApi(stack));

  describe("relaying budget acts", function () {
    it("pays for setBudget for the hospital's admin account only", async function () {
      const { supplier, approver } = chain.cast;
      const data = chain.ledger.budgets.interface.encodeFunctionData("setBudget", [STENTS, period + 2, 1n]);
      expectError(
        await relay(supplier, data, t.supplier),
        403,
        "RELAY_FUNCTION_NOT_ALLOWED",
        "budgets.setBudget only for hospital-admin; you have supplier",
      );
      expectError(
        await relay(approver, data, t.approver),
        403,
        "RELAY_FUNCTION_NOT_ALLOWED",
        "budgets.setBudget only for hospital-admin; you have hospital-approver",
      );
    });

    it("pays for proposals, confirmations and withdrawals for approvers only", async function () {
      const data = chain.ledger.budgets.interface.encodeFunctionData("proposeAdjustment", [
        STENTS,
        period,
        1n,
        REASON,
      ]);
      expectError(
        await relay(chain.cast.hospital, data, t.hospital),
        403,
        "RELAY_FUNCTION_NOT_ALLOWED",
        "budgets.proposeAdjustment only for hospital-approver; you have hospital-admin",
      );
    });
  });

  describe("GET /v1/budgets", function () {
    const hospital = () => chain.cast.hospital.address.toLowerCase();

    it("shows the hospital's budget: amount, spent, remaining and every adjustment", async function () {
      const res = await get(`/v1/budgets?period=${period}`, t.receiver);
      expect(res.statusCode, res.body).to.equal(200);
      const { items, nextCursor } = res.json<BudgetPage>();
      expect(nextCursor).to.equal(null);
      expect(items).to.have.lengthOf(1);
      const [b] = items;
      expect({ ...b, adjustments: [], setAt: "", setTx: "", lastChange: null }).to.deep.equal({
        hospital: hospital(),
        category: STENTS,
        period,
        amount: "250000",
        spent: String(ORDER_VALUE),
        remaining: "150000",
        setAt: "",
        setTx: "",
        adjustments: [],
        lastChange: null,
      });
      const [a, w] = b.adjustments;
      const { approver, approver2 } = chain.cast;
      expect([a.id, a.status, a.delta, a.reasonCode, a.proposer, a.decidedBy, a.newAmount]).to.deep.equal([
        String(applied),
        "applied",
        "100000",
        REASON,
        approver.address.toLowerCase(),
        approver2.address.toLowerCase(),
        "250000",
      ]);
      expect([w.id, w.status, w.delta, w.reasonCode, w.decidedBy, w.newAmount]).to.deep.equal([
        String(withdrawn),
        "withdrawn",
        "-10000",
        302,
        approver.address.toLowerCase(),
        null,
      ]);
      expect(Date.parse(a.decidedAt!)).to.be.at.least(Date.parse(a.proposedAt));
      // The figures are the chain's.
      const onChain = await chain.ledger.budgets.budget(chain.cast.hospital.address, STENTS, period);
      expect([b.amount, b.spent]).to.deep.equal([String(onChain.amount), String(onChain.spent)]);
    });

    it("pages one budget at a time, by hospital, category and period", async function () {
      const first = (await get("/v1/budgets?limit=1", t.regulator)).json<BudgetPage>();
      expect(first.items.map((b) => b.period)).to.deep.equal([period]);
      const second = (
        await get(`/v1/budgets?limit=1&cursor=${encodeURIComponent(first.nextCursor!)}`, t.regulator)
      ).json<BudgetPage>();
      expect(second.items.map((b: Budget) => [b.period, b.amount, b.adjustments])).to.deep.equal([
        [period + 1, "1", []],
      ]);
      expect(second.nextCursor).to.equal(null);
    });

    it("shows another hospital's accounts none of it, whatever they filter by", async function () {
      for (const url of ["/v1/budgets", `/v1/budgets?hospital=${hospital()}`]) {
        const res = await get(url, t.receiver2);
        expect(res.statusCode, res.body).to.equal(200);
        expect(res.json<BudgetPage>().items).to.deep.equal([]);
      }
    });

    it("shows a regulator every hospital's, filtered as asked", async function () {
      const all = (
        await get(`/v1/budgets?hospital=${hospital()}&category=${STENTS}`, t.regulator)
      ).json<BudgetPage>();
      expect(all.items.map((b) => b.period)).to.deep.equal([period, period + 1]);
    });

    it("refuses suppliers (403) and the anonymous (401)", async function () {
      expectError(await get("/v1/budgets", t.supplier), 403, "FORBIDDEN");
      expectError(await get("/v1/budgets"), 401, "UNAUTHORIZED");
    });

    it("refuses a malformed filter or cursor with a 400", async function () {
      expect(
        expectInvalidField(await get("/v1/budgets?period=abc", t.regulator), "querystring.period"),
      ).to.match(/integer/);
      expectInvalidField(await get("/v1/budgets?period=1969", t.regulator), "querystring.period");
      expectInvalidField(await get("/v1/budgets?category=C0401", t.regulator), "querystring.category");
      const forged = Buffer.from(JSON.stringify(["0x", "0x", "abc"])).toString("base64url");
      expect((await get(`/v1/budgets?cursor=${forged}`, t.regulator)).statusCode).to.equal(200);
      expectError(await get("/v1/budgets?cursor=%25%25", t.regulator), 400, "CURSOR_INVALID");
    });
  });

  describe("an order's trail", function () {
    const trailOf = async (orderId: bigint): Promise<Trail> => {
      const res = await get(`/v1/trail/orders/${orderId}`, t.regulator);
      expect(res.statusCode, res.body).to.equal(200);
      return res.json<Trail>();
    };
    const budgetSteps = (trail: Trail): TrailStep[] => trail.steps.filter((s) => s.kind === "budget");

    it("carries the charge, the return, and the budget's setting and adjustment", async function () {
      const trail = await trailOf(overBudget);
      const steps = budgetSteps(trail);
      expect(steps.map((s) => s.onChain?.event)).to.deep.equal([
        "BudgetSet",
        "BudgetAdjusted",
        "BudgetCharged",
        "BudgetReturned",
      ]);
      const adjusted = steps[1];
      const { approver, approver2, hospital } = chain.cast;
      expect(adjusted.data).to.deep.equal({
        adjustmentId: String(applied),
        hospital: hospital.address.toLowerCase(),
        category: STENTS,
        period,
        delta: "100000",
        newAmount: "250000",
        reasonCode: REASON,
        proposer: approver.address.toLowerCase(),
        confirmer: approver2.address.toLowerCase(),
      });
      expect(adjusted.summary).to.equal(
        `Approver ${approver.address.toLowerCase()} proposed and approver ${approver2.address.toLowerCase()} ` +
          `confirmed changing hospital ${hospital.address.toLowerCase()}'s ${period} budget for C0401-DES by ` +
          `100000 to 250000 (reason ${REASON})`,
      );
      expect(steps[2].data).to.include({ orderId: String(overBudget), amount: "100000", spent: "200000" });
      expect(steps[3].data).to.include({ orderId: String(overBudget), amount: "100000", spent: "100000" });
      // The confirming approver acted for the hospital: its membership is in the trail.
      const members = trail.steps.filter(
        (s) =>
          s.onChain?.event === "HospitalMemberChanged" && s.data.member === approver2.address.toLowerCase(),
      );
      expect(members).to.have.lengthOf(1);
    });

    it("leaves out adjustments made after the order's last step", async function () {
      const steps = budgetSteps(await trailOf(funded));
      expect(steps.map((s) => s.onChain?.event)).to.deep.equal(["BudgetSet", "BudgetCharged"]);
    });

    it("verifies against the chain", async function () {
      for (const orderId of [funded, overBudget, stack.p.orderId]) {
        const res = await get(`/v1/trail/orders/${orderId}/verify`, t.regulator);
        expect(res.statusCode, res.body).to.equal(200);
        const v = res.json<Verification>();
        expect(v.mismatches, `order ${orderId}`).to.deep.equal([]);
        expect(v.verified).to.equal(true);
      }
    });

    it("reports an adjustment the gateway's database lost as missing from the trail", async function () {
      const { rows } = await engine.db.query<Record<string, unknown>>(
        `DELETE FROM chain_events WHERE event = 'BudgetAdjusted' AND args->>'adjustmentId' = $1 RETURNING *`,
        [String(applied)],
      );
      const [row] = rows;
      try {
        const res = await get(`/v1/trail/orders/${overBudget}/verify`, t.regulator);
        expect(res.statusCode, res.body).to.equal(200);
        // With the adjustment goes its confirmer's part in the trail: its membership too.
        const approver2 = chain.cast.approver2.address.toLowerCase();
        expect(
          res.json<Verification>().mismatches.map((m) => [m.step.split("@")[0], m.event, m.problem]),
        ).to.deep.equal([
          [
            `member:${chain.cast.hospital.address.toLowerCase()}:${approver2}:invited`,
            "MemberInvited",
            "missing from the trail",
          ],
          [
            `member:${chain.cast.hospital.address.toLowerCase()}:${approver2}`,
            "HospitalMemberChanged",
            "missing from the trail",
          ],
          [`budget-adjustment:${applied}`, "BudgetAdjusted", "missing from the trail"],
        ]);
        const missing = res.json<Verification>().mismatches[2];
        expect([missing.txHash, missing.blockNumber, missing.logIndex]).to.deep.equal([
          row.tx_hash,
          Number(row.block_number),
          Number(row.log_index),
        ]);
      } finally {
        const columns = Object.keys(row);
        await engine.db.query(
          `INSERT INTO chain_events (${columns.join(", ")}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(", ")})`,
          columns.map((c) => (c === "args" ? JSON.stringify(row[c]) : row[c])),
        );
      }
      expect(budgetSteps(await trailOf(overBudget))).to.have.lengthOf(4);
    });

    it("has no budget step for an order funded before the budget was set", async function () {
      expect(budgetSteps(await trailOf(stack.p.orderId))).to.deep.equal([]);
    });
  });
});
