import { expect } from "chai";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { ethers, type HDNodeWallet } from "ethers";
import type { Trail, TrailStep } from "../../../api/trail";
import * as act from "../../../ledger/acts";
import { devWallet } from "../../../scripts/lib/anvil";
import { GatewayClient, GatewayError } from "../../../scripts/lib/gateway-client";
import { until, untilIndexed } from "../../../scripts/lib/until";
import { buildOnce } from "../helpers/build";
import { postgresSkipped, throwawayDatabase } from "../helpers/postgres";
import { tempDir } from "../helpers/temp-dir";
import { BID_BOND, DAY, GTIN, STENTS, startChain, tenderTerms, type ChainStack } from "../support/chain";
import { startGatewayProcess, type GatewayProcess } from "./gateway-process";

/**
 * The production shape in miniature (docs/deployment.md): ONE chain and ONE deployment of the
 * ledger, and TWO gateways — `node dist/server/main.js`, as operators run it — each kept by its
 * own hospital: its own database (two databases of the run's PostgreSQL server; two PGlite
 * folders under SKIP_POSTGRES=1), its own settler key, its own token key, and HOSPITAL naming the
 * hospital whose back office it keeps.
 *
 * One stent tender awards one agreement to both hospitals; each orders, Acme ships to each, each
 * hospital's dock posts its goods receipt at its own gateway (Children's is short one unit and its
 * approver accepts the rest), each settler pays its own delivery, and both gateways index the
 * same ledger. The cast is the demo's (scripts/lib/stack/accounts.ts): City General with its
 * settler (dev wallet 10), Children's Hospital, which has none in the demo, with dev wallet 19
 * (the cast's spare account) as its settler here.
 */

const ENGINE = postgresSkipped ? "pglite" : "postgres";
const OPS_TOKEN = "topology-ops-token-".padEnd(40, "x");

interface Hospital {
  name: string;
  short: string;
  account: HDNodeWallet;
  approver: HDNodeWallet;
  receiver: HDNodeWallet;
  settler: HDNodeWallet;
  lot: string;
  gateway: GatewayProcess;
  orderId: bigint;
  shipmentId: bigint;
  serials: string[];
  receiptNo: string;
}

/** A client signed in as `who` at `gateway`. */
async function signedIn(gateway: GatewayProcess, who: HDNodeWallet): Promise<GatewayClient> {
  const client = new GatewayClient(gateway.url);
  await client.login(who);
  return client;
}

/** Every item of a paginated list. */
async function all<T>(client: GatewayClient, route: string): Promise<T[]> {
  const items: T[] = [];
  const sep = route.includes("?") ? "&" : "?";
  for await (const page of client.pages<{ items: T[]; nextCursor: string | null }>(`${route}${sep}limit=500`))
    items.push(...page.items);
  return items;
}

/** The gateway's answer to a request that must fail: its status and error code. */
async function refusal(request: Promise<unknown>): Promise<[number, string]> {
  try {
    await request;
  } catch (error) {
    if (error instanceof GatewayError) return [error.status, error.code];
    throw error;
  }
  expect.fail("expected the gateway to refuse the request");
}

/** Retries `fn` while the gateway answers 404 (it has not indexed what `fn` reads yet). */
function yymmdd(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(2, 10).replace(/-/g, "");
}

describe(`two hospitals, two gateways, one ledger (${ENGINE})`, function () {
  this.timeout(120_000);

  let chain: ChainStack;
  const databases: { drop(): Promise<void> }[] = [];
  const hospitals: Hospital[] = [];
  let general: Hospital;
  let childrens: Hospital;
  let regulator: HDNodeWallet;
  let acme: HDNodeWallet;
  let expiry: number;
  const started = Date.now();
  const timings: Record<string, number> = {};

  before(async function () {
    this.timeout(600_000);
    await buildOnce();
    const t0 = Date.now();
    chain = await startChain();
    const deploymentFile = path.join(tempDir("topology"), "deployment.json");
    writeFileSync(deploymentFile, JSON.stringify(chain.deployment));
    const w = (i: number) => devWallet(i, chain.provider);
    regulator = w(1);
    acme = w(2);

    // One gateway per hospital: its own database, settler key, token key and HOSPITAL.
    const gatewayFor = async (short: string, account: HDNodeWallet, settler: HDNodeWallet) => {
      const db: Record<string, string> = { DATA_DIR: tempDir(`topology-${short}`) };
      if (ENGINE === "postgres") {
        const database = await throwawayDatabase(`topology_${short}`);
        databases.push(database);
        db.DATABASE_URL = database.url;
      }
      return startGatewayProcess(short, {
        ...db,
        PORT: "0",
        HOST: "127.0.0.1",
        LOG_LEVEL: "info",
        RPC_URL: chain.node.url,
        DEPLOYMENT_FILE: deploymentFile,
        CONFIRMATIONS: "0",
        INDEXER_POLL_MS: "100",
        HOSPITAL: account.address,
        SETTLER_KEY: settler.privateKey,
        AUTH_SECRET: `${short}-token-key-`.padEnd(48, "k"),
        PATIENT_REF_SALT: `${short}-patient-salt-`.padEnd(32, "s"),
        OPS_TOKEN,
        RATE_LIMIT_SIGN_IN_PER_MINUTE: "600",
        RATE_LIMIT_VERIFY_PER_MINUTE: "600",
      });
    };
    const cast = [
      { name: "City General Hospital", short: "general", indexes: [6, 7, 9, 10], lot: "DES2611G" },
      // Children's has no settler in the demo cast: the spare account (19) is its settler here.
      { name: "Children's Hospital", short: "childrens", indexes: [11, 12, 14, 19], lot: "DES2611K" },
    ];
    const gateways = await Promise.all(
      cast.map((c) => gatewayFor(c.short, w(c.indexes[0]), w(c.indexes[3]))),
    );
    for (const [i, c] of cast.entries()) {
      const [account, approver, receiver, settler] = c.indexes.map(w);
      hospitals.push({
        name: c.name,
        short: c.short,
        account,
        approver,
        receiver,
        settler,
        lot: c.lot,
        gateway: gateways[i],
        orderId: 0n,
        shipmentId: 0n,
        serials: [],
        receiptNo: `GR-${c.short.toUpperCase()}-0001`,
      });
    }
    [general, childrens] = hospitals;
    timings.start = Date.now() - t0;

    const t1 = Date.now();
    await playTheYear();
    timings.flows = Date.now() - t1;
  });

  after(async () => {
    await Promise.all(hospitals.map((h) => h.gateway.stop()));
    await Promise.all(databases.map((d) => d.drop()));
    await chain?.stop();
    console.log(
      `      two-hospital topology on ${ENGINE}: chain and gateways up in ${timings.start} ms, flows ${timings.flows} ms, ${Date.now() - started} ms in all (build included)`,
    );
  });

  /**
   * The ledger side as the demo plays it (ledger/acts.ts, the acts the demo and the CLI send),
   * the back office through each hospital's own gateway.
   */
  async function playTheYear(): Promise<void> {
    const L = chain.ledger;
    const admin = devWallet(0, chain.provider);
    const now = await chain.now();
    await act.registerSupplier(L, acme, "Acme Medical Devices", "91310000ACME");
    await act.qualifySupplier(L, regulator, acme, [STENTS], now - DAY, now + 3 * 365 * DAY);
    await act.registerProducts(L, regulator, acme, {
      gtins: [GTIN],
      categories: [STENTS],
      validFrom: now - DAY,
      validUntil: now + 3 * 365 * DAY,
    });
    await act.sent(L.token.connect(admin).mint(acme.address, BID_BOND));
    const { approver: APPROVER, receiver: RECEIVER, settler: SETTLER } = act.HOSPITAL_ROLES;
    for (const h of hospitals) {
      await act.enrolHospital(
        L,
        regulator,
        h.account,
        h.name,
        [
          { member: h.approver, roles: APPROVER },
          { member: h.receiver, roles: RECEIVER },
          { member: h.settler, roles: SETTLER },
        ],
        10_000_000n,
      );
      await act.sent(L.token.connect(admin).mint(h.account.address, 1_000_000_000n));
    }

    // The tender: both hospitals commit volume; Acme bids, reveals and is awarded.
    const tiers = [
      { threshold: 0n, unitPrice: 10_000n },
      { threshold: 100n, unitPrice: 9_000n },
    ];
    const tenderId = await act.openTender(L, regulator, tenderTerms(now), [
      { hospital: general.account.address, volume: 100n },
      { hospital: childrens.account.address, volume: 100n },
    ]);
    const salt = ethers.id("topology-salt");
    await act.commitBid(L, acme, tenderId, tiers, salt);
    await chain.advance(DAY + 1);
    await act.revealBid(L, acme, tenderId, tiers, salt);
    await chain.advance(DAY + 1);
    const [agreementId] = await act.finalizeTender(L, regulator, tenderId);

    // Each hospital orders ten stents and funds them; Acme ships each its own lot.
    const t = await chain.now();
    expiry = t + 2 * 365 * DAY;
    for (const h of hospitals) {
      h.orderId = await act.placeOrder(L, h.account, {
        agreementId,
        quantity: 10n,
        requestedDelivery: t + 20 * DAY,
        reference: `PO-${h.short}-1`,
      });
      await act.approveOrder(L, h.approver, h.orderId);
      h.serials = Array.from({ length: 10 }, (_, i) => `${h.short.slice(0, 2).toUpperCase()}${1001 + i}`);
      ({ shipmentId: h.shipmentId } = await act.createShipment(L, acme, {
        orderId: h.orderId,
        gtin: GTIN,
        lot: h.lot,
        expiry,
        serials: h.serials,
        notice: `DESADV-${h.short}`,
      }));
      // The manifest is off chain: Acme gives it to the gateway of the hospital it ships to.
      const supplier = await signedIn(h.gateway, acme);
      await untilIndexed(() =>
        supplier.put(`/v1/shipments/${h.shipmentId}/manifest`, { serials: h.serials }),
      );
    }
    await chain.advance(3 * DAY);
    for (const h of hospitals) {
      const at = { location: "GLN:6901234000024", eventTime: await chain.now() };
      await act.recordTrace(L, acme, h.shipmentId, "arriving", at);
      await act.recordTrace(L, h.receiver, h.shipmentId, "receiving", at);
    }

    // Goods receipts, each at its hospital's own gateway: City General's clean, Children's one short.
    const receivedAt = new Date((await chain.now()) * 1000).toISOString();
    for (const h of hospitals) {
      const dock = await signedIn(h.gateway, h.receiver);
      const scanned = h === childrens ? h.serials.slice(0, 9) : h.serials;
      await untilIndexed(() => dock.get(`/v1/shipments/${h.shipmentId}`));
      await dock.post(
        "/v1/receipts",
        {
          receiptNo: h.receiptNo,
          shipmentId: String(h.shipmentId),
          receivedAt,
          lines: scanned.map((serial) => ({
            barcode: `(01)${GTIN}(17)${yymmdd(expiry)}(10)${h.lot}(21)${serial}`,
          })),
        },
        { "idempotency-key": h.receiptNo },
      );
    }
    const officer = await signedIn(childrens.gateway, childrens.approver);
    const [short] = await all<{ id: string; shipmentId: string }>(officer, "/v1/exceptions?status=open");
    expect(short.shipmentId).to.equal(String(childrens.shipmentId));
    await officer.post(`/v1/exceptions/${short.id}/resolve`, {
      action: "accept_part",
      acceptedQuantity: 9,
      note: "one unit missing",
    });

    // Each hospital's settler pays its own delivery.
    for (const h of hospitals) {
      const staff = await signedIn(h.gateway, h.approver);
      await until(
        `${h.name}'s payment`,
        async () => {
          const payments = await all<{ status: string }>(staff, "/v1/payments");
          return payments.length === 1 && payments[0].status === "confirmed" ? true : undefined;
        },
        60_000,
      );
    }

    // An hour later each hospital's billing reports a stent used, at its own gateway.
    await chain.advance(3600);
    const usedAt = new Date(((await chain.now()) - 60) * 1000).toISOString();
    for (const h of hospitals) {
      const billing = await signedIn(h.gateway, h.receiver);
      await billing.post(
        "/v1/usages",
        {
          usageId: `U-${h.short}-1`,
          gtin: GTIN,
          lot: h.lot,
          serial: h.serials[0],
          department: "Cardiology",
          patientRef: `MRN-${h.short}-1`,
          usedAt,
          billingCode: "C0401-DES-PCI",
          billedAmount: "10000",
        },
        { "idempotency-key": `U-${h.short}-1` },
      );
    }

    // Names are published to each gateway (only their hashes are on chain).
    for (const h of hospitals) {
      const directory = await signedIn(h.gateway, regulator);
      for (const named of hospitals)
        await untilIndexed(() =>
          directory.put(`/v1/hospitals/${named.account.address}/name`, { name: named.name }),
        );
    }
    await bothIndexedToHead();
  }

  /** Both gateways have indexed every block of the chain (CONFIRMATIONS=0). */
  async function bothIndexedToHead(): Promise<void> {
    const head = await chain.provider.getBlockNumber();
    for (const h of hospitals) {
      await until(
        `${h.name}'s gateway to index block ${head}`,
        async () => {
          const res = await fetch(`${h.gateway.url}/ready`, { headers: { "x-ops-token": OPS_TOKEN } });
          const body = (await res.json()) as { checks?: { indexer?: { indexedTo: number | null } } };
          return (body.checks?.indexer?.indexedTo ?? -1) >= head ? true : undefined;
        },
        60_000,
      );
    }
  }

  it("pays each delivery once, each by its own hospital's settler, and each gateway's outbox holds only its own", async function () {
    const ob = chain.ledger.orderBook;
    const settled = await ob.queryFilter(ob.filters.ShipmentSettled());
    expect(settled.map((e) => [e.args.shipmentId, e.args.settledBy])).to.have.deep.members(
      hospitals.map((h) => [h.shipmentId, h.settler.address]),
    );
    expect(settled).to.have.length(2);
    for (const e of settled) expect((await e.getTransaction()).from).to.equal(e.args.settledBy);
    const [g, c] = hospitals.map((h) => settled.find((e) => e.args.shipmentId === h.shipmentId)!);
    expect([g.args.confirmation.accepted, g.args.confirmation.rejected]).to.deep.equal([10n, 0n]);
    expect([c.args.confirmation.accepted, c.args.confirmation.rejected]).to.deep.equal([9n, 1n]);
    for (const h of hospitals) {
      // The regulator sees every hospital's rows a gateway holds: here only its own hospital's.
      const payments = await all<{ shipmentId: string; hospital: string; status: string; txHash: string }>(
        await signedIn(h.gateway, regulator),
        "/v1/payments",
      );
      const event = settled.find((e) => e.args.shipmentId === h.shipmentId)!;
      expect(payments.map((p) => [p.shipmentId, p.hospital, p.status, p.txHash])).to.deep.equal([
        [String(h.shipmentId), h.account.address.toLowerCase(), "confirmed", event.transactionHash],
      ]);
    }
  });

  it("keeps each hospital's back office (receipts, exceptions, usages) in its own gateway only", async function () {
    for (const h of hospitals) {
      const reg = await signedIn(h.gateway, regulator);
      const own = h.account.address.toLowerCase();
      const receipts = await all<{ hospital: string; receiptNo: string }>(reg, "/v1/receipts");
      expect(
        receipts.map((r) => [r.hospital, r.receiptNo]),
        h.name,
      ).to.deep.equal([[own, h.receiptNo]]);
      const usages = await all<{ hospital: string; usageId: string }>(reg, "/v1/usages");
      expect(
        usages.map((u) => [u.hospital, u.usageId]),
        h.name,
      ).to.deep.equal([[own, `U-${h.short}-1`]]);
      const exceptions = await all<{ hospital: string; reasons: { code: string }[] }>(reg, "/v1/exceptions");
      expect(
        exceptions.map((e) => [e.hospital, e.reasons.map((r) => r.code)]),
        h.name,
      ).to.deep.equal(h === childrens ? [[own, ["SHORT_DELIVERY"]]] : []);
    }
  });

  it("reconciles every hospital's ordered, shipped and accepted units from the chain at both gateways, but their use only at each hospital's own", async function () {
    type Row = { hospital: string; lot: string; used: string; billedAmount: string } & Record<
      string,
      unknown
    >;
    const reports = await Promise.all(
      hospitals.map(async (h) =>
        (await signedIn(h.gateway, regulator)).get<{ rows: Row[] }>("/v1/reconciliation?limit=500"),
      ),
    );
    const fromChain = ({ hospital, lot, ordered, shipped, accepted, rejected }: Row) => ({
      hospital,
      lot,
      ordered,
      shipped,
      accepted,
      rejected,
    });
    // Rows come in hospital address order.
    const byAddress = [...hospitals].sort((x, y) =>
      x.account.address.toLowerCase().localeCompare(y.account.address.toLowerCase()),
    );
    expect(reports[0].rows.map(fromChain)).to.deep.equal(
      byAddress.map((h) => ({
        hospital: h.account.address.toLowerCase(),
        lot: h.lot,
        ordered: "10",
        shipped: "10",
        accepted: h === childrens ? "9" : "10",
        rejected: h === childrens ? "1" : "0",
      })),
    );
    expect(reports[1].rows.map(fromChain)).to.deep.equal(reports[0].rows.map(fromChain));
    for (const [i, h] of hospitals.entries()) {
      const used = reports[i].rows.map((r) => [r.lot, r.used, r.billedAmount]);
      expect(used, h.name).to.deep.equal(
        byAddress.map((other) => (other === h ? [other.lot, "1", "10000"] : [other.lot, "0", "0"])),
      );
    }
  });

  it("refuses each hospital's back office to the other hospital's staff (403), and its tokens (401)", async function () {
    for (const [h, other] of [
      [general, childrens],
      [childrens, general],
    ]) {
      const stranger = await signedIn(h.gateway, other.receiver);
      for (const route of ["/v1/receipts", "/v1/usages", "/v1/exceptions", `/v1/receipts/${h.receiptNo}`])
        expect(await refusal(stranger.get(route)), `${other.name} at ${h.name}'s ${route}`).to.deep.equal([
          403,
          "FORBIDDEN",
        ]);
      // Not even its own delivery's receipt: that belongs at its own hospital's gateway.
      expect(
        await refusal(
          stranger.post(
            "/v1/receipts",
            {
              receiptNo: "GR-ELSEWHERE",
              shipmentId: String(other.shipmentId),
              receivedAt: new Date((await chain.now()) * 1000).toISOString(),
              lines: [{ barcode: `(01)${GTIN}(17)${yymmdd(expiry)}(10)${other.lot}(21)${other.serials[9]}` }],
            },
            { "idempotency-key": "GR-ELSEWHERE" },
          ),
        ),
      ).to.deep.equal([403, "FORBIDDEN"]);
      // Ledger parties' lists are scoped by the caller's hospital: nothing of the other's here.
      expect(await all(await signedIn(h.gateway, other.approver), "/v1/payments")).to.deep.equal([]);
      // Each gateway signs its tokens with its own key: one's token is worthless at the other.
      const elsewhere = await signedIn(other.gateway, other.receiver);
      const res = await fetch(`${h.gateway.url}/v1/receipts`, {
        headers: { authorization: `Bearer ${(elsewhere as unknown as { token: string }).token}` },
      });
      expect([res.status, ((await res.json()) as { error: string }).error]).to.deep.equal([
        401,
        "UNAUTHORIZED",
      ]);
    }
    // At its own gateway, the other hospital's receipt number is simply not there.
    const dock = await signedIn(childrens.gateway, childrens.receiver);
    expect(await refusal(dock.get(`/v1/receipts/${general.receiptNo}`))).to.deep.equal([
      404,
      "RECEIPT_NOT_FOUND",
    ]);
  });

  it("serves the same public ledger from both gateways: registry, tenders, agreements, orders, shipments, awards, prices", async function () {
    const [a, b] = await Promise.all(hospitals.map((h) => signedIn(h.gateway, regulator)));
    for (const route of [
      "/v1/suppliers",
      "/v1/hospitals",
      "/v1/tenders",
      "/v1/agreements",
      "/v1/orders",
      "/v1/shipments",
      "/v1/sunshine/awards",
    ]) {
      // When a name was published, and by whom, is each gateway's own record.
      const [left, right] = (await Promise.all([all(a, route), all(b, route)])).map((items) =>
        items.map((item) => {
          const { namePublished: _, ...rest } = item as Record<string, unknown>;
          return route === "/v1/hospitals" ? rest : item;
        }),
      );
      expect(left, route).to.not.deep.equal([]);
      expect(right, route).to.deep.equal(left);
    }
    // The public price list, anonymously: what each hospital paid, from the settlements.
    const [pa, pb] = await Promise.all(
      hospitals.map((h) => new GatewayClient(h.gateway.url).get<{ items: unknown[] }>("/v1/sunshine/prices")),
    );
    expect(pa.items).to.have.length(1);
    expect(pb).to.deep.equal(pa);
  });

  it("gives the same on-chain trail of each order at both gateways, verified against the chain at each; the manifest, receipt, match and usage steps only at its hospital's", async function () {
    const [a, b] = await Promise.all(hospitals.map((h) => signedIn(h.gateway, regulator)));
    for (const h of hospitals) {
      const [ta, tb] = await Promise.all([a, b].map((c) => c.get<Trail>(`/v1/trail/orders/${h.orderId}`)));
      const onChain = (t: Trail) => t.steps.filter((s: TrailStep) => s.source === "chain");
      const offChain = (t: Trail) =>
        t.steps.filter((s: TrailStep) => s.source !== "chain").map((s) => s.source);
      expect(onChain(ta).length, h.name).to.be.greaterThan(5);
      expect(onChain(tb), h.name).to.deep.equal(onChain(ta));
      const [own, other] = h === general ? [ta, tb] : [tb, ta];
      const private_ = ["gateway.manifests", "gateway.receipts", "gateway.matches", "gateway.usages"];
      expect(offChain(own), h.name).to.include.members(private_);
      expect(
        offChain(other).filter((source) => private_.includes(source)),
        h.name,
      ).to.deep.equal([]);
      for (const c of [a, b]) {
        const verdict = await c.get<{ verified: boolean }>(`/v1/trail/orders/${h.orderId}/verify`);
        expect(verdict.verified, h.name).to.equal(true);
      }
    }
  });

  it("builds the suppliers' scorecards from the chain alike at both gateways, but counts short deliveries from its own hospital's receipts only", async function () {
    type Card = { supplier: string; shortDeliveries: number; overDeliveries: number } & Record<
      string,
      unknown
    >;
    const [ca, cb] = await Promise.all(
      hospitals.map((h) =>
        new GatewayClient(h.gateway.url).get<{ items: Card[] }>("/v1/sunshine/scorecards"),
      ),
    );
    const acmeOf = (cards: { items: Card[] }) =>
      cards.items.find((c) => c.supplier.toLowerCase() === acme.address.toLowerCase())!;
    const [ga, gb] = [acmeOf(ca), acmeOf(cb)];
    expect([ga.shortDeliveries, gb.shortDeliveries]).to.deep.equal([0, 1]);
    const { shortDeliveries: _a, ...fromChainA } = ga;
    const { shortDeliveries: _b, ...fromChainB } = gb;
    expect(fromChainB).to.deep.equal(fromChainA);
  });
});
