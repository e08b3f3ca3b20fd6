import { expect } from "chai";
import { ethers } from "ethers";
import type { FastifyInstance } from "fastify";
import { REASONS, reasonOf } from "../../../ledger/reasons";
import { buildApp } from "../../../server/app";
import { HospitalsRepository } from "../../../server/modules/hospitals/hospitals.repository";
import { migrate, openPglite, type Db } from "../../../server/db";
import { connectLedger } from "../../../ledger/contracts";
import { devWallet } from "../../../scripts/lib/anvil";
import { demoCast } from "../../../scripts/lib/stack/accounts";
import { EAST_CAMPUS, MAIN_CAMPUS, SHORT_DATED_LOT } from "../../../scripts/demo-steps/campuses";
import { MA_DEVICE_IDENTIFIER } from "../../../scripts/demo-steps/udi";
import { KNEE_ESCROW, STENT_PREPAYMENT } from "../../../scripts/demo-steps/fund";
import { productKeyOf } from "../../../ledger/product-key";
import { CARDIA_GTIN, runDemo, type DemoSummary } from "../../../scripts/demo";
import { testConfig } from "../helpers/config";
import { startChain, type ChainStack } from "../support/chain";
import { login } from "../support/gateway";
import type { Verification } from "../../../api/trail";
import type { ReconciliationReport } from "../../../api/reconciliation";

/**
 * The demo scenario end to end: a running gateway (background indexer and payment worker, as
 * `npm start` runs it) on a real Anvil node, driven only through the ledger and the HTTP API.
 * Its summary is checked against the chain, and the year's v2 facts — bonds, forfeits, excess
 * consent, the late penalty, the claim, scoped and lifted recalls — are read back from events.
 */
describe("demo scenario", function () {
  let chain: ChainStack;
  let db: Db;
  let app: FastifyInstance;
  let summary: DemoSummary;
  const lines: string[] = [];
  const cast = demoCast();
  const address = (name: string) => cast.find((m) => m.name === name)!.address;
  const [acme, boreal, cardia, delta] = [2, 3, 4, 5].map((i) => cast[i].address);
  const general = address("City General Hospital");
  const childrens = address("Children's Hospital");
  const riverside = address("Riverside Hospital");

  before(async function () {
    this.timeout(600_000);
    chain = await startChain();
    db = await openPglite();
    await migrate(db);
    const settler = devWallet(10, chain.provider);
    const config = testConfig({
      CONFIRMATIONS: "0",
      INDEXER_POLL_MS: "100",
      CONSUMPTION_BATCH_INTERVAL_MS: "1000",
      PAYMENTS_ENABLED: "true",
      SETTLER_KEY: settler.privateKey,
      AUTH_SECRET: "demo-test-secret".padEnd(40, "x"),
      PATIENT_REF_SALT: "demo-test-patient-salt".padEnd(32, "x"),
    });
    app = buildApp(config, {
      db,
      ledger: {
        chain: {
          provider: chain.provider,
          deployment: chain.deployment,
          chainId: chain.deployment.chainId,
          ledger: connectLedger(chain.deployment, chain.provider),
          settler,
          // The demo relays one permit; dev wallet 19 is the cast's spare account, funded here.
          relayer: devWallet(19, chain.provider),
        },
      },
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = app.server.address() as { port: number };
    summary = await runDemo({
      gatewayUrl: `http://127.0.0.1:${port}`,
      rpcUrl: chain.node.url,
      deployment: chain.deployment,
      log: (line) => lines.push(line),
    });
  });

  after(async () => {
    await app?.close();
    await db?.close();
    await chain?.stop();
  });

  const settlements = () =>
    chain.ledger.orderBook.queryFilter(chain.ledger.orderBook.filters.ShipmentSettled());

  it("settles ten deliveries (one consigned, one MA-coded) through City General's gateway and two supplier claims; the summary's money is the chain's", async function () {
    const settled = await settlements();
    expect(summary.settlements).to.equal(12);
    expect(settled).to.have.length(12);
    // The consigned receipt's confirmation is no payment: /v1/payments leaves it out.
    expect(summary.payments).to.equal(9);
    expect(summary.claims).to.equal(2);
    expect(summary.consignedSettlements).to.equal(1);
    const byGateway = settled.filter((e) => e.args.settledBy === devWallet(10).address);
    expect(byGateway).to.have.length(10);
    // The consigned delivery's value went to the consignment book; its suppliers were paid by use.
    const { consignment } = chain.ledger;
    const consigned = (await consignment.queryFilter(consignment.filters.StockConsigned())).map(
      (e) => e.args.shipmentId,
    );
    const batches = await consignment.queryFilter(consignment.filters.ConsumptionBatchConfirmed());
    expect(summary.paid).to.equal(
      (
        settled
          .filter((e) => !consigned.includes(e.args.shipmentId))
          .reduce((sum, e) => sum + e.args.payout.paid, 0n) +
        batches.reduce((sum, e) => sum + e.args.amount, 0n)
      ).toString(),
    );
    expect(summary.penalties).to.equal(
      settled.reduce((sum, e) => sum + e.args.payout.penalty, 0n).toString(),
    );
  });

  it("forfeits the cover bidder's unrevealed bond to the knee tender's hospitals, 60/40 by volume", async function () {
    const tenders = chain.ledger.tenders;
    const [forfeit] = await tenders.queryFilter(tenders.filters.BondsForfeited());
    expect([...forfeit.args.bidders]).to.deep.equal([delta]);
    expect(forfeit.args.amount).to.equal(500_000n);
    const claims = await tenders.queryFilter(tenders.filters.ForfeitClaimed(forfeit.args.tenderId));
    expect(claims.map((e) => [e.args.hospital, e.args.amount])).to.deep.equal([
      [general, 300_000n],
      [riverside, 200_000n],
    ]);
    expect([summary.forfeited, summary.forfeitsClaimed]).to.deep.equal(["500000", "500000"]);
    // Every bond that was revealed came back.
    const revealed = await tenders.queryFilter(tenders.filters.BidRevealed());
    expect(revealed.map((e) => e.args.bondReturned)).to.deep.equal(revealed.map(() => 500_000n));
  });

  it("funds Riverside's order beyond its commitment only after Boreal's consent", async function () {
    const [consent] = await chain.ledger.orderBook.queryFilter(
      chain.ledger.orderBook.filters.ExcessVolumeConsented(),
    );
    expect(consent.args.supplier).to.equal(boreal);
    const order = await chain.ledger.orderBook.order(consent.args.orderId);
    expect([order.hospital, order.quantity, order.status]).to.deep.equal([riverside, 50n, 2n]);
    expect(lines.join("\n")).to.match(
      /Riverside funds 50 knees without Boreal's consent: refused by the ledger with AgreementExceedsCommitment\(agreementId=3, hospital=0x[0-9a-fA-F]{40}, quantity=50, remaining=40\)/,
    );
  });

  it("deducts the late penalty from the knee delivery: 4 days late at 0.5 % a day", async function () {
    const [allowed] = await chain.ledger.orderBook.queryFilter(
      chain.ledger.orderBook.filters.LateShipmentAllowed(),
    );
    const late = (await settlements()).find((e) => e.args.orderId === allowed.args.orderId)!;
    const { gross, penalty, paid, daysLate } = late.args.payout;
    expect(gross).to.equal(10n * 480_000n);
    expect(daysLate).to.equal(4n);
    expect(penalty).to.equal((gross * 200n) / 10_000n);
    expect(paid).to.equal(gross - penalty);
    expect(lines.join("\n")).to.match(
      /Boreal ships after the deadline: refused by the ledger with OrderShipmentLate\(/,
    );
  });

  it("holds on the ledger the units City General's held receipts did not take in, until its officer decided", async function () {
    const ob = chain.ledger.orderBook;
    const holds = (await ob.queryFilter(ob.filters.ShipmentDisputed())).filter(
      (e) => e.args.reasonCode === BigInt(REASONS.receipt_held.code),
    );
    const units = holds.reduce((n, e) => n + e.args.units, 0n);
    // The short delivery (15 of 20 scanned), the wrong lot's one unit, the unlisted serial's.
    expect(holds.map((e) => e.args.units)).to.deep.equal([5n, 1n, 1n]);
    expect(lines.join("\n")).to.include(
      `the gateway disputes on the ledger the ${units} units 3 held receipts did not take in (GR-0002, GR-0004, GR-0005), until the officer decides`,
    );
  });

  it("lets Cardia claim the undisputed units of Children's delivery once the regulator lifted its recall", async function () {
    const ob = chain.ledger.orderBook;
    // Children's own dispute of damaged units (the gateway's holds of held receipts give 34).
    const disputes = await ob.queryFilter(ob.filters.ShipmentDisputed());
    const [dispute, ...more] = disputes.filter(
      (e) => e.args.reasonCode === BigInt(REASONS.units_damaged.code),
    );
    expect(more).to.deep.equal([]);
    expect(dispute.args.units).to.equal(2n);
    const claim = (await settlements()).find((e) => e.args.shipmentId === dispute.args.shipmentId)!;
    expect(claim.args.settledBy).to.equal(cardia);
    expect([claim.args.confirmation.accepted, claim.args.confirmation.rejected]).to.deep.equal([18n, 2n]);
    expect(claim.args.payout.paid).to.equal(18n * 78_000n);
    const trace = chain.ledger.trace;
    const [lifted] = await trace.queryFilter(trace.filters.RecallLifted());
    expect([lifted.args.lot, lifted.args.scope]).to.deep.equal(["CV2611", ethers.ZeroAddress]);
    expect(lifted.blockNumber).to.be.lessThan(claim.blockNumber);
    expect(await trace.isRecalled(lifted.args.gtin, "CV2611", cardia)).to.equal(false);
    expect(lines.join("\n")).to.match(
      /Cardia claims payment while its lot is recalled: refused by the ledger with SettlementLotRecalled\(/,
    );
  });

  it("lets Cardia claim the delivery Children's never recorded receiving: received at the end of the receiving window after its arrival, paid in full and on time", async function () {
    const { orderBook, trace } = chain.ledger;
    const deemed = await trace.queryFilter(trace.filters.ShipmentDeemedReceived());
    expect(deemed).to.have.length(1);
    const shipmentId = deemed[0].args.shipmentId;
    const steps = await trace.queryFilter(trace.filters.TraceEventRecorded(shipmentId));
    // Shipping, departing (with Cardia's logger's excursion), arriving: no receiving.
    expect(steps.map((e) => [Number(e.args.step), e.args.excursion])).to.deep.equal([
      [0, false],
      [1, true],
      [2, false],
    ]);
    // Nobody waived the excursion, and the claim was paid all the same (docs/security.md, 22).
    expect(await trace.queryFilter(trace.filters.ExcursionWaived(shipmentId))).to.deep.equal([]);
    const arrival = await steps[2].getBlock();
    expect(deemed[0].args.receivedAt).to.equal(BigInt(arrival.timestamp + 24 * 3600));
    const [settled] = await orderBook.queryFilter(orderBook.filters.ShipmentSettled(shipmentId));
    expect(settled.args.settledBy).to.equal(cardia);
    expect(settled.blockNumber).to.equal(deemed[0].blockNumber);
    expect([settled.args.confirmation.accepted, settled.args.confirmation.rejected]).to.deep.equal([5n, 0n]);
    expect(settled.args.payout.deliveredAt).to.equal(BigInt(arrival.timestamp));
    expect(settled.args.payout.daysLate).to.equal(0n);
    expect(settled.args.payout.paid).to.equal(5n * 78_000n);
    expect(lines.join("\n")).to.match(
      /Cardia claims them a day before the windows end: refused by the ledger with SettlementClaimTooEarly\(/,
    );
  });

  it("flags Children's use of a stent from the delivery whose temperature excursion nobody waived", async function () {
    const { trace } = chain.ledger;
    const [deemed] = await trace.queryFilter(trace.filters.ShipmentDeemedReceived());
    const shipmentId = deemed.args.shipmentId;
    const [excursion] = (await trace.queryFilter(trace.filters.TraceEventRecorded(shipmentId))).filter(
      (e) => e.args.excursion,
    );
    const token = await login(app, devWallet(1, chain.provider));
    const res = await app.inject({
      method: "GET",
      url: `/v1/reconciliation?gtin=${CARDIA_GTIN}&lot=CV2612`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode, res.body).to.equal(200);
    expect(res.json<ReconciliationReport>().rows.map((r) => [r.hospital, r.used, r.flags])).to.deep.equal([
      [
        childrens.toLowerCase(),
        "1",
        [
          {
            code: "USED_AFTER_EXCURSION",
            evidence: {
              shipmentId: shipmentId.toString(),
              excursionAt: new Date(Number(excursion.args.eventTime) * 1000).toISOString(),
              txHash: excursion.transactionHash,
              usageIds: ["CH-U-2002"],
            },
          },
        ],
      ],
    ]);
  });

  it("verifies the trail of City General's stent lot against the chain, its consigned stents counted when used (the regulator's command npm start suggests)", async function () {
    const token = await login(app, devWallet(1, chain.provider));
    const res = await app.inject({
      method: "GET",
      url: "/v1/trail/lots/09520123456788/DES2611A/verify",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode, res.body).to.equal(200);
    const verification = res.json<Verification>();
    expect(verification.mismatches).to.deep.equal([]);
    expect(verification.verified).to.equal(true);
  });

  it("lets Children's Hospital cap its order book allowance by a permit the relayer sent; its order drew on it", async function () {
    const { token, orderBook } = chain.ledger;
    const book = await orderBook.getAddress();
    const approvals = await token.queryFilter(token.filters.Approval(childrens, book));
    const permitted = approvals.filter((e) => e.args.value === 100_000_000n);
    expect(permitted).to.have.length(1);
    expect((await permitted[0].getTransaction()).from).to.equal(devWallet(19).address);
    expect(lines.join("\n")).to.include(
      "Children's Hospital caps what the order book may draw at ¥1,000,000.00: a permit the gateway relays",
    );
    const funded = await orderBook.queryFilter(orderBook.filters.OrderFunded(undefined, childrens));
    expect(funded).to.have.length(1);
    expect(await token.allowance(childrens, book)).to.equal(100_000_000n - funded[0].args.amount);
  });

  it("scopes Acme's own recall to Acme's shipments of the lot", async function () {
    const trace = chain.ledger.trace;
    const recalls = await trace.queryFilter(trace.filters.LotRecalled());
    const own = recalls.find((e) => e.args.lot === "DES2611B")!;
    expect([own.args.scope, own.args.by]).to.deep.equal([acme, acme]);
    expect(await trace.isRecalled(own.args.gtin, "DES2611B", acme)).to.equal(true);
    expect(await trace.isRecalled(own.args.gtin, "DES2611B", cardia)).to.equal(false);
  });

  it("raises each receipt problem as an exception with its reason", function () {
    expect(summary.exceptionsByReason).to.deep.include({
      SHORT_DELIVERY: 1,
      OVER_DELIVERY: 1,
      LOT_MISMATCH: 1,
      // The foreign serial, and the over-delivery's two surplus serials.
      SERIAL_NOT_IN_MANIFEST: 3,
      EXCURSION_HOLD: 1,
    });
  });

  it("shows the regulator each planted billing problem", function () {
    expect(Object.keys(summary.flags).sort(), lines.join("\n")).to.include.members([
      "PHANTOM_USE",
      "PRICE_MARKUP",
      "RESOLD",
      "SERIAL_REUSED",
      "USED_AFTER_EXCURSION",
      "USED_FROM_RECALLED_LOT",
    ]);
  });

  // U-1004's ¥900.00; the lot's other stents were billed at ¥750.00, what its deliveries were settled at
  // (order 1 was funded at ¥745.00 a stent on average, expecting its last 20 at the next tier).
  it("flags as markup only the stent billed above what City General paid for it", function () {
    const markups = summary.risk.hospitals.flatMap((h) => h.lines).filter((l) => l.code === "PRICE_MARKUP");
    expect(markups.map((l) => [l.hospital, l.count, l.usages, l.units, l.amount])).to.deep.equal([
      [general.toLowerCase(), 1, 1, 1, "90000"],
    ]);
  });

  it("reports every tender hospital's commitment under each agreement: committed, funded and accepted units", function () {
    const row = (agreementId: string, hospital: string) =>
      summary.fulfilment.find((f) => f.agreementId === agreementId && f.hospital === hospital);
    expect(summary.fulfilment).to.have.length(3 + 3 + 2);
    // 150 funded in the spring, 10 consigned stents, then the order suggested by replenishment,
    // of which 10 short-dated stents were accepted; 4 MA-coded stents. Of the 10 consigned stents
    // only the 4 used count as accepted: the 2 returned and the 4 on the shelf were never bought.
    expect(row("1", general)).to.include({
      committed: "240",
      funded: String(164 + summary.replenishment.suggestion.quantity),
      accepted: "91",
    });
    // Cardia's 18 undisputed stents and the 5 Children's never recorded receiving.
    expect(row("2", childrens)).to.include({ committed: "100", funded: "40", accepted: "23" });
    expect(row("3", general)).to.include({ committed: "60", funded: "20", accepted: "10" });
    expect(row("3", riverside)).to.include({ committed: "40", funded: "50", accepted: "0" });
  });

  // Valued at the orders' locked unit prices: order 1's 120 stents were funded at 100 × ¥750 + 20 × ¥720
  // (¥745.00 a stent), order 2's 30 at ¥750.
  it("leaves one of City General's departments in warning and one over its stent budget, at the locked prices", function () {
    expect(
      summary.departmentBudgets.map((b) => [b.department, b.budget, b.consumed, b.percent, b.status]),
    ).to.deep.equal([
      ["Cardiology", "350000", "298000", 85.1, "warning"],
      ["Interventional radiology", "120000", "150000", 125, "over"],
    ]);
    expect(lines.join("\n")).to.include(
      "City General's dept budgets: Cardiology 85.1 % of ¥3,500.00 (warning), Interventional radiology 125.0 % of ¥1,200.00 (over)",
    );
  });

  it("finds the one cath-lab case billed two stents above its DRG group's 95th percentile, and nothing else", function () {
    const { groups, outliers, minGroupCases } = summary.claimAudit;
    const fm19 = groups.filter((g) => g.caseGroup === "FM19");
    const cases = fm19.reduce((n, g) => n + g.cases, 0);
    expect(cases, "the cath lab's cases").to.be.at.least(minGroupCases);
    expect(fm19.every((g) => g.hospital === general.toLowerCase())).to.equal(true);
    expect(outliers).to.have.length(1);
    const [outlier] = outliers;
    expect(outlier).to.include({
      hospital: general.toLowerCase(),
      caseGroup: "FM19",
      units: 2,
      groupCases: cases,
    });
    expect(outlier.caseId).to.match(/^IP-CL-\d{4}-\d{2}-\d{2}-1$/);
    // Two stents at the single-stent cases' price, which is the group's 95th percentile.
    expect(BigInt(outlier.cost)).to.equal(2n * BigInt(outlier.groupP95));
    expect(lines.join("\n")).to.include(
      `claim audit (DRG FM19):      ${cases} cases; above the group's 95th percentile: case ${outlier.caseId}, 2 stents`,
    );
  });

  it("pays City General's consigned stents by use: 4 used and paid in a batch, 2 returned and confirmed by Acme, 4 on the shelf unpaid", async function () {
    const price = 75_000n; // agreement 1's first tier: its accepted volume stayed below 100
    expect(summary.consignment).to.deep.equal({
      received: 10,
      used: 4,
      returned: 2,
      onHand: 4,
      paid: String(4n * price),
      batches: 1,
      refunded: String(2n * price),
    });
    const { consignment, token } = chain.ledger;
    const [batch] = await consignment.queryFilter(consignment.filters.ConsumptionBatchConfirmed());
    expect([batch.args.hospital, batch.args.supplier, batch.args.units, batch.args.amount]).to.deep.equal([
      general,
      acme,
      4n,
      4n * price,
    ]);
    expect(await token.balanceOf(await consignment.getAddress())).to.equal(4n * price);
    // The hospital's return waited for Acme, who confirmed it has the 2 stents.
    const [requested] = await consignment.queryFilter(consignment.filters.ConsignedReturnRequested());
    const [confirmed] = await consignment.queryFilter(consignment.filters.ConsignedStockReturned());
    expect([requested.args.units, requested.args.value, requested.args.reasonCode]).to.deep.equal([
      2n,
      2n * price,
      403n,
    ]);
    expect([confirmed.args.by, confirmed.args.units, confirmed.args.refund]).to.deep.equal([
      acme,
      2n,
      2n * price,
    ]);
    expect(lines.join("\n")).to.include(
      "consignment (City General):  10 stents received, 4 used and paid ¥3,000.00 in 1 batch(es), 2 returned and confirmed by the supplier (¥1,500.00 back), 4 on hand unpaid",
    );
  });

  // The cath lab billed 3 stents a week and 4 every third week from the first receipts; the
  // stock falls below the par level's minimum (12) over Acme's 10-day lead time.
  it("places City General's suggested stent order as the suggestion gave it, and an approver funds it", async function () {
    const r = summary.replenishment;
    expect(r.backtest, "a backtest needs six weeks of history").to.not.equal(null);
    expect(r.historyDays).to.be.greaterThan(6 * 7);
    const s = r.suggestion;
    expect(s).to.include({ status: "order", leadTimeDays: 10, onOrder: 0 });
    expect(s.quantity).to.equal(r.max - s.onHand + s.demandOverLeadTime);
    expect(s.onHand - s.demandOverLeadTime).to.be.below(r.min);
    // Room is left in the commitment (240; 150 funded in the spring, 10 consigned, 4 MA-coded) for
    // the console tests' order of 20, whatever the weekday (on some the suggestion is 23).
    expect(s.quantity).to.be.at.most(240 - 164 - 20);
    expect(s.agreement!.exceedsCommitment).to.equal(false);
    const order = await chain.ledger.orderBook.order(BigInt(r.orderId));
    expect(order.status).to.equal(2n); // funded
    expect([order.agreementId, order.quantity, order.hospital]).to.deep.equal([
      1n,
      BigInt(s.quantity),
      general,
    ]);
    const [placed] = await chain.ledger.orderBook.queryFilter(
      chain.ledger.orderBook.filters.OrderPlaced(BigInt(r.orderId)),
    );
    expect(placed.args.orderRef).to.equal(s.place!.orderRef);
    const [funded] = await chain.ledger.orderBook.queryFilter(
      chain.ledger.orderBook.filters.OrderFunded(BigInt(r.orderId)),
    );
    expect(funded.args.amount).to.equal(BigInt(s.price!.value));
    expect(lines.join("\n")).to.match(
      /replenishment \(City General stents\): par 12–20, [0-9.]+ units forecast over 90 days \(4-week backtest WAPE/,
    );
  });

  it("receives and uses Acme's MA-coded stents under the product key of their declared device identifier", async function () {
    const productKey = productKeyOf("MA", MA_DEVICE_IDENTIFIER);
    expect(summary.udi).to.deep.equal({
      deviceIdentifier: MA_DEVICE_IDENTIFIER,
      productKey,
      received: 4,
      accepted: "4",
      used: 1,
    });
    const [declared] = await chain.ledger.registry.queryFilter(
      chain.ledger.registry.filters.DeviceIdentifierDeclared(),
    );
    expect([declared.args.productKey, declared.args.supplier, declared.args.deviceIdentifier]).to.deep.equal([
      BigInt(productKey),
      acme,
      MA_DEVICE_IDENTIFIER,
    ]);
    const shipped = await chain.ledger.trace.queryFilter(chain.ledger.trace.filters.ShipmentCreated());
    expect(shipped.filter((e) => e.args.record.gtin === BigInt(productKey))).to.have.length(1);
    expect(lines.join("\n")).to.include(
      `MA (IDcode) stents:          ${MA_DEVICE_IDENTIFIER} = product key ${productKey}: 4 scanned in, 4 accepted, 1 used`,
    );
  });

  it("publishes the three hospitals' names, each the one it was enrolled under", async function () {
    const { items } = await new HospitalsRepository(db).list({});
    const names = Object.fromEntries(items.map((h) => [h.address, h.name]));
    expect(names).to.deep.equal({
      [general.toLowerCase()]: "City General Hospital",
      [childrens.toLowerCase()]: "Children's Hospital",
      [riverside.toLowerCase()]: "Riverside Hospital",
    });
    for (const h of items) expect(ethers.id(h.name!)).to.equal(h.nameHash);
  });

  it("records only reason codes the catalogue gives for each act", async function () {
    const { registry, trace, orderBook } = chain.ledger;
    const recorded: [string, bigint][] = [
      ...(await registry.queryFilter(registry.filters.SupplierSuspended())).map(
        (e) => ["suspend", e.args.reasonCode] as [string, bigint],
      ),
      ...(await trace.queryFilter(trace.filters.ExcursionWaived())).map(
        (e) => ["waiveExcursion", e.args.reasonCode] as [string, bigint],
      ),
      ...(await orderBook.queryFilter(orderBook.filters.ShipmentDisputed())).map(
        (e) => ["disputeShipment", e.args.reasonCode] as [string, bigint],
      ),
      ...(await trace.queryFilter(trace.filters.LotRecalled())).map(
        (e) => ["recall", e.args.reasonCode] as [string, bigint],
      ),
      ...(await trace.queryFilter(trace.filters.RecallLifted())).map(
        (e) => ["liftRecall", e.args.reasonCode] as [string, bigint],
      ),
    ];
    // Each kind once: the gateway disputes every held receipt's withheld units (receipt_held).
    const kinds = new Set(recorded.map(([act, code]) => `${act} ${reasonOf(Number(code))?.key}`));
    expect([...kinds]).to.have.members([
      "suspend safety_investigation",
      "waiveExcursion excursion_within_stability",
      "disputeShipment units_damaged",
      "disputeShipment receipt_held",
      "recall field_safety_notice",
      "recall quality_defect",
      "liftRecall field_action_completed",
    ]);
    for (const [act, code] of recorded) expect(reasonOf(Number(code))!.acts, act).to.include(act);
  });

  it("holds City General's knee order to its knee budget until two of its approvers raise it", async function () {
    const b = chain.ledger.budgets;
    const KNEES = ethers.encodeBytes32String("C1402-KNEE");
    const [adjusted] = await b.queryFilter(b.filters.BudgetAdjusted());
    const [proposer, confirmer] = [7, 8].map((i) => cast[i].address);
    const a = adjusted.args;
    expect([
      a.hospital,
      a.category,
      a.delta,
      a.newAmount,
      a.reasonCode,
      a.proposer,
      a.confirmer,
    ]).to.deep.equal([general, KNEES, 2_000_000n, 10_000_000n, 301n, proposer, confirmer]);
    const period = a.period;
    expect(lines.join("\n")).to.include(
      `City General funds 20 knees past its knee budget: refused by the ledger with BudgetExceeded(hospital=${general}, ` +
        `category=${KNEES}, period=${period}, value=9600000, remaining=8000000)`,
    );
    // Funded after the adjustment; the late delivery's penalty went back to the budget.
    const [charge] = await b.queryFilter(b.filters.BudgetCharged());
    expect([charge.args.amount, charge.blockNumber > adjusted.blockNumber]).to.deep.equal([9_600_000n, true]);
    const late = (await settlements()).find((e) => e.args.orderId === charge.args.orderId)!;
    const returned = await b.queryFilter(b.filters.BudgetReturned(charge.args.orderId));
    expect(returned.map((e) => e.args.amount)).to.include(late.args.payout.penalty);
    const spent = 9_600_000n - returned.reduce((sum, e) => sum + e.args.amount, 0n);
    expect((await b.budget(general, KNEES, period)).spent).to.equal(spent);
    expect(summary.budgets).to.deep.equal([
      {
        hospital: general.toLowerCase(),
        category: KNEES,
        period: Number(period),
        amount: "10000000",
        spent: String(spent),
        adjustments: [{ delta: "2000000", reasonCode: 301 }],
      },
    ]);
    expect(lines.join("\n")).to.match(
      new RegExp(
        `City General Hospital C1402-KNEE ${period}: ¥[0-9,]+\\.[0-9]{2} / ¥100,000\\.00; \\+¥20,000\\.00 \\(reason 301\\)`,
      ),
    );
  });

  it("rolls the year's flags up per hospital with the money billed on them: nothing but what the reconciliation and the claim audit found", function () {
    const { risk, claimAudit, flags } = summary;
    const counted: Record<string, number> = {};
    for (const h of risk.hospitals)
      for (const l of h.lines) counted[l.code] = (counted[l.code] ?? 0) + l.count;
    // The claim audit's one outlier and no high-value item on a group that rarely uses it.
    expect(claimAudit.rareHighValue).to.deep.equal([]);
    expect(counted).to.deep.equal({ ...flags, CASE_COST_OUTLIER: 1 });
    const outlier = risk.hospitals.flatMap((h) => h.lines).find((l) => l.code === "CASE_COST_OUTLIER")!;
    expect(outlier.hospital).to.equal(general.toLowerCase());
    const [o] = claimAudit.outliers;
    expect(outlier.amount).to.equal(String(BigInt(o.cost) - BigInt(o.groupP95)));
    for (const h of risk.hospitals)
      expect(BigInt(h.total)).to.equal(
        BigInt(h.flaggedBilled) + BigInt(h.outlierExcess) + BigInt(h.rareHighValueBilled),
      );
    expect(lines.join("\n")).to.match(
      /risk view \(money at risk\): +.*City General Hospital ¥[0-9,]+\.[0-9]{2} \(/,
    );
  });

  it("has the fund prepay City General's stents and settle its knees directly; the statements deduct exactly what it paid", async function () {
    const { orderBook, fund } = chain.ledger;
    const drawn = await fund.queryFilter(fund.filters.FundDrawn());
    expect(drawn.map((e) => [e.args.hospital, e.args.fromPrepayment, e.args.fromEscrow])).to.deep.equal([
      [general, STENT_PREPAYMENT, 0n],
      [general, 0n, 9_600_000n],
    ]);
    // The knee order: the fund paid Boreal, and the late penalty went back to its escrow.
    const kneeOrder = drawn[1].args.orderId;
    const late = (await settlements()).find((e) => e.args.orderId === kneeOrder)!;
    const [kneePaid] = await orderBook.queryFilter(
      orderBook.filters.SettlementFundPaid(late.args.shipmentId),
    );
    expect(kneePaid.args.amount).to.equal(late.args.payout.paid);
    const restored = await fund.queryFilter(fund.filters.FundRestored(kneeOrder));
    expect(restored.map((e) => [e.args.toPrepayment, e.args.toEscrow])).to.deep.equal([
      [0n, late.args.payout.penalty],
    ]);
    const fundPaid = (await orderBook.queryFilter(orderBook.filters.SettlementFundPaid())).reduce(
      (sum, e) => sum + e.args.amount,
      0n,
    );
    expect(fundPaid).to.equal(STENT_PREPAYMENT + late.args.payout.paid);
    const { accounts, statements } = summary.fund;
    expect(accounts.items.map((a) => [a.hospital, a.direct, a.prepaid, a.escrowed])).to.deep.equal([
      [general.toLowerCase(), false, String(STENT_PREPAYMENT), "0"],
      [general.toLowerCase(), true, "0", String(KNEE_ESCROW)],
    ]);
    expect(accounts.items.reduce((t, a) => t + BigInt(a.spent), 0n)).to.equal(fundPaid);
    const { paidIn, drawn: net, returned, held } = accounts.totals;
    expect(BigInt(paidIn)).to.equal(BigInt(net) + BigInt(returned) + BigInt(held));
    expect(BigInt(held)).to.equal(await chain.ledger.token.balanceOf(await fund.getAddress()));
    const deducted = statements
      .flatMap((m) => m.hospitals)
      .reduce((t, h) => t + BigInt(h.reimbursementDeduction), 0n);
    expect(deducted).to.equal(fundPaid);
    expect(lines.join("\n")).to.include(
      "the fund prepays City General ¥20,000.00 of its stents (30 % cover) and escrows ¥100,000.00",
    );
    expect(lines.join("\n")).to.match(
      /insurance fund: +paid in ¥120,000\.00, drawn by orders ¥[0-9,.]+, paid to suppliers ¥[0-9,.]+/,
    );
  });

  it("says what the ledger refused, decoded", function () {
    expect(lines.join("\n"), lines.join("\n")).to.match(
      /Boreal ships after its licence lapsed: refused by the ledger with TraceSupplierNotQualified\(/,
    );
  });

  it("leaves the order book holding exactly the open orders' escrow and the refunds it owes", async function () {
    const held = await chain.ledger.token.balanceOf(await chain.ledger.orderBook.getAddress());
    const owed = await chain.ledger.orderBook.totalRefundsOwed();
    expect(held).to.equal((await chain.ledger.orderBook.totalEscrow()) + owed);
  });

  it("accepts short-dated stents at the east campus knowingly and moves what it would not use in time to the main campus", async function () {
    const n = summary.nearExpiry;
    expect(summary.exceptionsByReason).to.deep.include({ SHELF_LIFE_SHORT: 1 });
    const [created] = (
      await chain.ledger.trace.queryFilter(chain.ledger.trace.filters.ShipmentCreated())
    ).filter((e) => e.args.record.lot === SHORT_DATED_LOT);
    const expiry = new Date(Number(created.args.record.expiry) * 1000).toISOString().slice(0, 10);
    // The east campus used 8 stents in the last 90 days: in the lot's 60 days it would use 5 of 10.
    expect(n).to.deep.equal({
      lot: SHORT_DATED_LOT,
      expiry,
      received: 10,
      moved: 5,
      from: EAST_CAMPUS,
      to: MAIN_CAMPUS,
    });
    const [moved] = await chain.ledger.campusTransfers
      .queryFilter(chain.ledger.campusTransfers.filters.CampusTransferRecorded())
      .then((events) => events.filter((e) => e.args.lot === SHORT_DATED_LOT));
    expect([moved.args.fromGln, moved.args.toGln, moved.args.quantity]).to.deep.equal([
      BigInt(EAST_CAMPUS),
      BigInt(MAIN_CAMPUS),
      5n,
    ]);
    expect(lines.join("\n")).to.include(
      `near-expiry move:            5 of 10 × ${SHORT_DATED_LOT} (expires ${expiry}) ${EAST_CAMPUS} → ${MAIN_CAMPUS} (suggested)`,
    );
  });

  it("moves stents to City General's east campus on the ledger, and covers its shortage from the main campus as suggested", async function () {
    const { campuses } = summary;
    expect(campuses.campuses.map((c) => c.name)).to.deep.equal([
      "City General Main campus",
      "City General East campus",
    ]);
    expect(campuses.transfers[0]).to.deep.equal({
      lot: "DES2611A",
      quantity: 8,
      from: MAIN_CAMPUS,
      to: EAST_CAMPUS,
      suggested: false,
    });
    // East used its 8 (8 in 90 days: a 30-day need of 3); the main campus can spare them.
    const suggested = campuses.transfers.filter((t) => t.suggested);
    expect(suggested.reduce((n, t) => n + t.quantity, 0)).to.equal(3);
    const transfers = await chain.ledger.campusTransfers.queryFilter(
      chain.ledger.campusTransfers.filters.CampusTransferRecorded(),
    );
    // …and, at the end of the year, the near-expiry move.
    expect(transfers.map((e) => [e.args.lot, Number(e.args.quantity)])).to.deep.equal([
      ...campuses.transfers.map((t) => [t.lot, t.quantity]),
      [SHORT_DATED_LOT, summary.nearExpiry.moved],
    ]);
    const east = campuses.stock.filter((r) => r.campus === "City General East campus");
    expect(east.reduce((n, r) => n + Number(r.onHand), 0)).to.equal(3);
    expect(lines.join("\n")).to.match(/campus transfers: +8 × DES2611A 6901234000108 → 6901234000115, /);
  });
});
