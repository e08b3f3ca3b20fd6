import { expect } from "chai";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { ethers, type HDNodeWallet } from "ethers";
import type {
  ConsignedStockPage,
  ConsignmentMovementPage,
  ConsumptionBatchPage,
} from "../../../../api/consignment";
import type { OrderPage } from "../../../../api/orders";
import * as act from "../../../../ledger/acts";
import { enqueueBatch } from "../../../../server/modules/payments/settlement.repository";
import { forEachEngine } from "../../helpers/engines";
import { DAY, GTIN, LOT } from "../../support/chain";
import {
  bearer,
  enrolSecondHospital,
  expectError,
  loginAll,
  placedOrder,
  signForward,
  startApi,
  stopApi,
  type ApiStack,
} from "../../support/api-fixtures";

/**
 * /v1/consignment: the supplier offers its agreement on consignment and the approver elects an
 * order (both relayed), the shipment of 5 is confirmed into custody (paying nothing), one unit is
 * paid by a batch, one returned by the hospital (relayed); a second batch waits in the outbox.
 * Each party sees its own stock, batches and movements (another hospital nothing, a regulator
 * everything), paged with cursors; the relay refuses consignment acts to the wrong role.
 */

const PRICE = 10_000n;

forEachEngine((engine) => {
  let stack: ApiStack;
  let app: FastifyInstance;
  let chain: ApiStack["chain"];
  let t: Record<"regulator" | "hospital" | "approver" | "receiver2" | "supplier", string>;
  let shipmentId: bigint;
  let orderId: bigint;
  let consignment: string;
  const paidBatch = ethers.id("routes batch 1");
  const waitingBatch = ethers.id("routes batch 2");

  const get = (url: string, token?: string) =>
    app.inject({ method: "GET", url, headers: token ? bearer(token) : {} });

  async function relay(signer: HDNodeWallet, data: string, token: string): Promise<LightMyRequestResponse> {
    const request = await signForward(chain, signer, consignment, data);
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
    consignment = await ledger.consignment.getAddress();
    await enrolSecondHospital(chain, [{ wallet: cast.receiver2, roles: act.HOSPITAL_ROLES.receiver }]);
    t = await loginAll(app, {
      regulator: cast.regulator,
      hospital: cast.hospital,
      approver: cast.approver,
      receiver2: cast.receiver2,
      supplier: cast.supplier,
    });
    const i = ledger.consignment.interface;
    await relayed(
      cast.supplier,
      i.encodeFunctionData("offerConsignment", [stack.p.agreementId, false]),
      t.supplier,
    );
    orderId = await placedOrder(chain, stack.p, 5);
    await relayed(cast.approver, i.encodeFunctionData("electConsignment", [orderId]), t.approver);
    await act.approveOrder(ledger, cast.approver, orderId);
    ({ shipmentId } = await act.createShipment(ledger, cast.supplier, {
      orderId,
      gtin: GTIN,
      lot: LOT,
      expiry: (await chain.now()) + 365 * DAY,
      serials: ["K1", "K2", "K3", "K4", "K5"],
      notice: "DESADV-K",
    }));
    await act.confirmShipment(ledger, cast.settler, shipmentId, {
      accepted: 5,
      rejected: 0,
      receiptHash: ethers.id("GR-K"),
    });
    await act.confirmConsumption(ledger, cast.settler, paidBatch, [{ shipmentId, units: 1 }]);
    await relayed(cast.hospital, i.encodeFunctionData("returnStock", [shipmentId, 1, 401]), t.hospital);
    await relayed(cast.supplier, i.encodeFunctionData("confirmReturn", [shipmentId]), t.supplier);
    await engine.db.transaction((tx) =>
      enqueueBatch(tx, {
        batchId: waitingBatch,
        hospital: cast.hospital.address.toLowerCase(),
        supplier: cast.supplier.address.toLowerCase(),
        lines: [{ shipmentId: shipmentId.toString(), units: 2 }],
        usageIds: [],
      }),
    );
    await app.indexer.catchUp();
  });

  after(() => stopApi(stack));

  it("shows the hospital its consigned stock: received, used, returned, on hand, held and paid", async function () {
    const res = await get("/v1/consignment/stock", t.hospital);
    expect(res.statusCode, res.body).to.equal(200);
    const [s, ...rest] = res.json<ConsignedStockPage>().items;
    expect(rest).to.deep.equal([]);
    expect(s).to.include({
      shipmentId: shipmentId.toString(),
      gtin: GTIN,
      lot: LOT,
      received: 5,
      used: 1,
      returned: 1,
      expired: 0,
      onHand: 3,
      value: (5n * PRICE).toString(),
      held: (3n * PRICE).toString(),
      paid: PRICE.toString(),
      refunded: PRICE.toString(),
    });
  });

  it("splits the consigned order's settled value on the orders routes: paid on use, held, refunded", async function () {
    const split = { paidOnUse: PRICE.toString(), held: (3n * PRICE).toString(), refunded: PRICE.toString() };
    for (const token of [t.supplier, t.hospital]) {
      const one = await get(`/v1/orders/${orderId}`, token);
      expect(one.statusCode, one.body).to.equal(200);
      // The whole delivery's settlement went into the book, not to the supplier.
      expect(one.json()).to.deep.include({ paid: (5n * PRICE).toString(), consignment: split });
      const listed = await get(`/v1/orders?supplier=${chain.cast.supplier.address}`, token);
      expect(listed.statusCode, listed.body).to.equal(200);
      const items = listed.json<OrderPage>().items;
      expect(items.find((o) => o.id === orderId.toString())?.consignment).to.deep.equal(split);
    }
  });

  it("shows each party only its own: the supplier its stock, another hospital nothing, a regulator all", async function () {
    const ids = async (token: string) =>
      (await get("/v1/consignment/stock", token)).json<ConsignedStockPage>().items.map((s) => s.shipmentId);
    expect(await ids(t.supplier)).to.deep.equal([shipmentId.toString()]);
    expect(await ids(t.receiver2)).to.deep.equal([]);
    expect(await ids(t.regulator)).to.deep.equal([shipmentId.toString()]);
    // A filter outside the caller's scope is overridden by the scope.
    const other = chain.cast.receiver2.address;
    const scoped = await get(`/v1/consignment/stock?hospital=${other}`, t.hospital);
    expect(scoped.json<ConsignedStockPage>().items).to.have.lengthOf(1);
  });

  it("lists the batches, paid and waiting, with their lines, amount and transaction, one page at a time", async function () {
    const first = await get("/v1/consignment/batches?limit=1", t.supplier);
    expect(first.statusCode, first.body).to.equal(200);
    const page1 = first.json<ConsumptionBatchPage>();
    expect(page1.items).to.have.lengthOf(1);
    expect(page1.nextCursor).to.be.a("string");
    const page2 = (
      await get(`/v1/consignment/batches?limit=1&cursor=${page1.nextCursor}`, t.supplier)
    ).json<ConsumptionBatchPage>();
    const batches = [...page1.items, ...page2.items];
    const paid = batches.find((b) => b.batchId === paidBatch)!;
    const waiting = batches.find((b) => b.batchId === waitingBatch)!;
    expect(paid).to.include({ status: "confirmed", units: 1, amount: PRICE.toString() });
    expect(paid.lines).to.deep.equal([{ shipmentId: shipmentId.toString(), units: 1 }]);
    expect(paid.txHash).to.match(/^0x[0-9a-f]{64}$/);
    expect(waiting).to.include({ status: "pending", units: 2, amount: null, txHash: null });
    expect(waiting.lines).to.deep.equal([{ shipmentId: shipmentId.toString(), units: 2 }]);
  });

  it("lists the movements in chain order: the consumption line, then the return and the supplier's confirmation", async function () {
    const res = await get("/v1/consignment/movements", t.regulator);
    const moves = res.json<ConsignmentMovementPage>().items;
    expect(moves.map((m) => [m.kind, m.units, m.amount, m.toSupplier, m.reasonCode])).to.deep.equal([
      ["consumption", 1, PRICE.toString(), true, null],
      ["return-requested", 1, PRICE.toString(), false, 401],
      ["return-confirmed", 1, PRICE.toString(), false, 401],
    ]);
    const { cast } = chain;
    expect(moves.slice(1).map((m) => m.actor)).to.deep.equal([
      cast.hospital.address.toLowerCase(),
      cast.supplier.address.toLowerCase(),
    ]);
  });

  it("answers 401 without a token and 400 for a forged cursor", async function () {
    expectError(await get("/v1/consignment/stock"), 401, "UNAUTHORIZED");
    expectError(await get("/v1/consignment/movements?cursor=forged", t.hospital), 400, "CURSOR_INVALID");
  });

  it("names the consignment book's refusal: returning more than is on hand is ConsignmentExceedsOnHand", async function () {
    const s = await chain.ledger.consignment.stock(shipmentId);
    const onHand = s.received - s.used - s.returned - s.expired;
    const data = chain.ledger.consignment.interface.encodeFunctionData("returnStock", [
      shipmentId,
      1000,
      403,
    ]);
    const body = expectError(
      await relay(chain.cast.hospital, data, t.hospital),
      400,
      "RELAY_CALL_REVERTED",
      "ConsignmentExceedsOnHand",
    );
    expect(body.details).to.deep.equal({
      error: "ConsignmentExceedsOnHand",
      args: { shipmentId: shipmentId.toString(), units: "1000", onHand: onHand.toString() },
    });
  });

  it("keeps a hospital's return pending and off the shelf until the supplier answers; refused, its unit is on hand again", async function () {
    const { cast } = chain;
    const i = chain.ledger.consignment.interface;
    await relayed(cast.approver, i.encodeFunctionData("returnStock", [shipmentId, 1, 403]), t.approver);
    const requestedAt = (await chain.now()) * 1000;
    await app.indexer.catchUp();
    const [pending] = (await get("/v1/consignment/stock", t.supplier)).json<ConsignedStockPage>().items;
    expect(pending).to.include({ returned: 1, onHand: 2, held: (2n * PRICE).toString() });
    expect(pending.pendingReturn).to.deep.equal({
      units: 1,
      value: PRICE.toString(),
      reasonCode: 403,
      requestedBy: cast.approver.address.toLowerCase(),
      requestedAt: new Date(requestedAt).toISOString(),
      answerBy: new Date(requestedAt + 14 * DAY * 1000).toISOString(),
      txHash: pending.pendingReturn!.txHash,
    });
    expect(pending.pendingReturn!.txHash).to.match(/^0x[0-9a-f]{64}$/);

    // The hospital may not confirm its own return while the supplier may still answer…
    const early = expectError(
      await relay(cast.approver, i.encodeFunctionData("confirmReturn", [shipmentId]), t.approver),
      400,
      "RELAY_CALL_REVERTED",
      "ConsignmentReturnAnswerDue",
    );
    expect(early.details).to.deep.include({ error: "ConsignmentReturnAnswerDue" });
    // …nor refuse it: the supplier's answer.
    expectError(
      await relay(cast.hospital, i.encodeFunctionData("refuseReturn", [shipmentId, 411]), t.hospital),
      403,
      "RELAY_FUNCTION_NOT_ALLOWED",
      "consignment.refuseReturn only for supplier; you have hospital-admin",
    );
    await relayed(cast.supplier, i.encodeFunctionData("refuseReturn", [shipmentId, 411]), t.supplier);
    await app.indexer.catchUp();
    const [after] = (await get("/v1/consignment/stock", t.hospital)).json<ConsignedStockPage>().items;
    expect(after).to.include({ returned: 1, onHand: 3, held: (3n * PRICE).toString(), pendingReturn: null });
    const moves = (await get("/v1/consignment/movements", t.hospital)).json<ConsignmentMovementPage>().items;
    expect(moves.slice(-2).map((m) => [m.kind, m.units, m.amount, m.actor, m.reasonCode])).to.deep.equal([
      ["return-requested", 1, PRICE.toString(), cast.approver.address.toLowerCase(), 403],
      ["return-refused", 1, PRICE.toString(), cast.supplier.address.toLowerCase(), 411],
    ]);
  });

  it("refuses relaying a consignment election for a supplier", async function () {
    const data = chain.ledger.consignment.interface.encodeFunctionData("electConsignment", [1n]);
    expectError(
      await relay(chain.cast.supplier, data, t.supplier),
      403,
      "RELAY_FUNCTION_NOT_ALLOWED",
      "consignment.electConsignment only for hospital-admin, hospital-approver; you have supplier",
    );
  });
});
