import { readFileSync } from "node:fs";
import path from "node:path";
import { ethers, JsonRpcProvider, NonceManager, Wallet, type Signer } from "ethers";
import * as act from "./lib/actions";
import { GatewayClient, GatewayError } from "./lib/gateway-client";
import { connectLedger, type DeploymentRecord, type Ledger } from "./lib/ledger";
import { decodeRevert, revertDataOf } from "../server/chain/revert";
import type { CastMember } from "./lib/stack-accounts";
import { demoCast } from "./lib/stack-accounts";

/**
 * The demo scenario: a procurement year in miniature, played through the public interfaces
 * only — ledger acts signed by each party (scripts/lib/actions.ts) and the gateway's HTTP API
 * (receipts, manifests, exceptions, usages, reports) — so it doubles as an end-to-end test.
 *
 * Cast (scripts/lib/stack-accounts.ts): a regulator; four suppliers — Acme and Cardia win the
 * stent tender, Boreal the knee tender (its business licence expires mid-year), Cardia is
 * suspended later; three hospitals with approvers and receivers; City General's settler is the
 * gateway's key, so City General's deliveries are the ones this gateway receives and pays.
 */

export interface DemoOptions {
  gatewayUrl: string;
  rpcUrl: string;
  deployment: DeploymentRecord;
  cast?: readonly CastMember[];
  /** Where progress lines go (default: stdout). */
  log?: (line: string) => void;
}

export interface DemoSummary {
  paid: string;
  payments: number;
  exceptionsByReason: Record<string, number>;
  flags: Record<string, number>;
  fulfilment: { agreementId: string; hospital: string; committed: string; ordered: string }[];
}

const DAY = 86_400;
const { approver: APPROVER, receiver: RECEIVER, settler: SETTLER } = act.HOSPITAL_ROLES;
const STENTS = act.categoryCode("C0401-DES");
const KNEES = act.categoryCode("C1402-KNEE");
const STENT_GTIN = "09520123456788";
const KNEE_GTIN = "09501101530003";

export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const log = options.log ?? ((line: string) => console.log(line));
  const provider = new JsonRpcProvider(options.rpcUrl, options.deployment.chainId, {
    cacheTimeout: -1,
    pollingInterval: 100,
    staticNetwork: true,
  });
  try {
    return await new Demo(provider, options, log).run();
  } finally {
    provider.destroy();
  }
}

class Demo {
  private readonly ledger: Ledger;
  private readonly who: (index: number) => Signer;
  private readonly gateway = (signer: Signer) => this.client(signer);
  private readonly clients = new Map<Signer, Promise<GatewayClient>>();

  constructor(
    private readonly provider: JsonRpcProvider,
    private readonly options: DemoOptions,
    private readonly log: (line: string) => void,
  ) {
    this.ledger = connectLedger(options.deployment, provider);
    const cast = options.cast ?? demoCast();
    const signers = new Map<number, Signer>();
    this.who = (index: number) => {
      let s = signers.get(index);
      if (!s) {
        s = new NonceManager(new Wallet(cast[index].privateKey, provider));
        signers.set(index, s);
      }
      return s;
    };
  }

  async run(): Promise<DemoSummary> {
    const [admin, regulator] = [this.who(0), this.who(1)];
    const [acme, boreal, cardia, delta] = [2, 3, 4, 5].map(this.who);
    const general = {
      account: this.who(6),
      approvers: [this.who(7), this.who(8)],
      receiver: this.who(9),
      settler: this.who(10),
    };
    const childrens = {
      account: this.who(11),
      approvers: [this.who(12), this.who(13)],
      receiver: this.who(14),
    };
    const riverside = {
      account: this.who(15),
      approvers: [this.who(16), this.who(17)],
      receiver: this.who(18),
    };
    const L = this.ledger;
    const now = await this.now();

    this.log("  qualifying four suppliers…");
    const names: [Signer, string, string][] = [
      [acme, "Acme Medical Devices", "91310000ACME"],
      [boreal, "Boreal Orthopaedics", "91110000BORE"],
      [cardia, "Cardia Vascular", "91440000CARD"],
      [delta, "Delta Diagnostics", "91320000DELT"],
    ];
    for (const [signer, name, id] of names) await act.registerSupplier(L, signer, name, id);
    await act.qualifySupplier(L, regulator, acme, [STENTS], now - DAY, now + 3 * 365 * DAY);
    await act.qualifySupplier(L, regulator, cardia, [STENTS], now - DAY, now + 3 * 365 * DAY);
    await act.qualifySupplier(L, regulator, delta, [STENTS, KNEES], now - DAY, now + 3 * 365 * DAY);
    // Boreal's business licence runs out after 120 days; its other documents are fine.
    await this.qualifyWithShortLicence(boreal, regulator, now);

    this.log("  enrolling three hospitals…");
    const hospitals = [
      {
        h: general,
        name: "City General Hospital",
        members: [
          ...general.approvers.map((a) => [a, APPROVER] as const),
          [general.receiver, RECEIVER] as const,
          [general.settler, SETTLER] as const,
        ],
      },
      {
        h: childrens,
        name: "Children's Hospital",
        members: [
          ...childrens.approvers.map((a) => [a, APPROVER] as const),
          [childrens.receiver, RECEIVER] as const,
        ],
      },
      {
        h: riverside,
        name: "Riverside Hospital",
        members: [
          ...riverside.approvers.map((a) => [a, APPROVER] as const),
          [riverside.receiver, RECEIVER] as const,
        ],
      },
    ];
    for (const { h, name, members } of hospitals) {
      const list = members.map(([member, roles]) => ({ member, roles }));
      await act.enrolHospital(L, regulator, h.account, name, list, 5_000_000n);
      await act.sent(L.token.connect(admin).mint(await h.account.getAddress(), 100_000_000_000n));
    }
    const [gAddr, cAddr, rAddr] = await Promise.all(
      [general, childrens, riverside].map((h) => h.account.getAddress()),
    );

    this.log("  stent tender: sealed bids with volume tiers, two winners…");
    const stentTender = await act.openTender(L, regulator, this.terms(now, STENTS, 150_000n, 2), [
      { hospital: gAddr, volume: 400n },
      { hospital: cAddr, volume: 200n },
      { hospital: rAddr, volume: 200n },
    ]);
    const stentBids: [Signer, { threshold: bigint; unitPrice: bigint }[]][] = [
      [acme, tiers([0, 75_000], [100, 72_000], [500, 69_000])],
      [cardia, tiers([0, 78_000], [300, 74_000])],
      [delta, tiers([0, 82_000])],
    ];
    this.log("  knee-joint tender…");
    const kneeTender = await act.openTender(L, regulator, this.terms(now, KNEES, 3_000_000n, 1), [
      { hospital: gAddr, volume: 60n },
      { hospital: rAddr, volume: 40n },
    ]);
    const kneeBids: [Signer, { threshold: bigint; unitPrice: bigint }[]][] = [
      [boreal, tiers([0, 480_000], [50, 450_000])],
      [delta, tiers([0, 520_000])],
    ];
    for (const [s, t] of stentBids)
      await act.commitBid(L, s, stentTender, t, ethers.id(`stent-${await s.getAddress()}`));
    for (const [s, t] of kneeBids)
      await act.commitBid(L, s, kneeTender, t, ethers.id(`knee-${await s.getAddress()}`));
    await this.advance(7 * DAY + 1);
    for (const [s, t] of stentBids)
      await act.revealBid(L, s, stentTender, t, ethers.id(`stent-${await s.getAddress()}`));
    for (const [s, t] of kneeBids)
      await act.revealBid(L, s, kneeTender, t, ethers.id(`knee-${await s.getAddress()}`));
    await this.advance(7 * DAY + 1);
    const [acmeAgreement, cardiaAgreement] = await act.finalizeTender(L, regulator, stentTender);
    const [kneeAgreement] = await act.finalizeTender(L, regulator, kneeTender);

    this.log("  orders: one crossing a price tier with two approvers, two with one…");
    const t = await this.now();
    const order1 = await act.placeOrder(L, general.account, {
      agreementId: acmeAgreement,
      quantity: 120n,
      requestedDelivery: t + 14 * DAY,
      reference: "CGH-PO-2026-001",
    });
    for (const a of general.approvers) await act.approveOrder(L, a, order1);
    const order2 = await act.placeOrder(L, general.account, {
      agreementId: acmeAgreement,
      quantity: 30n,
      requestedDelivery: t + 14 * DAY,
      reference: "CGH-PO-2026-002",
    });
    await act.approveOrder(L, general.approvers[0], order2);
    const order3 = await act.placeOrder(L, general.account, {
      agreementId: kneeAgreement,
      quantity: 20n,
      requestedDelivery: t + 21 * DAY,
      reference: "CGH-PO-2026-003",
    });
    for (const a of general.approvers) await act.approveOrder(L, a, order3);
    const order4 = await act.placeOrder(L, childrens.account, {
      agreementId: cardiaAgreement,
      quantity: 40n,
      requestedDelivery: t + 14 * DAY,
      reference: "CH-PO-2026-001",
    });
    await act.approveOrder(L, childrens.approvers[0], order4);

    this.log("  shipments with serial manifests and trace events (one temperature excursion)…");
    const expiry = t + 2 * 365 * DAY;
    const ship = async (
      supplier: Signer,
      orderId: bigint,
      gtin: string,
      lot: string,
      prefix: string,
      n: number,
    ) => {
      const serials = Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(4, "0")}`);
      const { shipmentId } = await act.createShipment(L, supplier, {
        orderId,
        gtin,
        lot,
        expiry,
        serials,
        notice: `DESADV-${prefix}`,
      });
      await act.recordTrace(L, supplier, shipmentId, "shipping", {
        location: "GLN:6901234000017",
        eventTime: await this.now(),
      });
      return { shipmentId, serials, gtin, lot };
    };
    const clean = await ship(acme, order1, STENT_GTIN, "DES2611A", "A1-", 20);
    const short = await ship(acme, order1, STENT_GTIN, "DES2611A", "A2-", 20);
    const over = await ship(acme, order1, STENT_GTIN, "DES2611A", "A3-", 10);
    const wrongLot = await ship(acme, order1, STENT_GTIN, "DES2611A", "A4-", 10);
    const foreign = await ship(acme, order1, STENT_GTIN, "DES2611A", "A5-", 10);
    const cold = await ship(acme, order2, STENT_GTIN, "DES2611B", "B1-", 10);
    const neverReceived = await ship(acme, order2, STENT_GTIN, "DES2611C", "C1-", 10);
    const knees = await ship(boreal, order3, KNEE_GTIN, "KN2611", "K1-", 10);
    await ship(cardia, order4, STENT_GTIN, "CV2611", "V1-", 20);
    await act.recordTrace(L, acme, cold.shipmentId, "departing", {
      location: "GLN:6901234000017",
      eventTime: await this.now(),
      sensorLog: "logger-7731: 2026 max 11.4 C for 47 min",
      excursion: true,
    });
    const uploads: [Signer, typeof clean][] = [
      ...[clean, short, over, wrongLot, foreign, cold, neverReceived].map(
        (x) => [acme, x] as [Signer, typeof clean],
      ),
      [boreal, knees],
    ];
    for (const [supplier, s] of uploads) {
      const client = await this.gateway(supplier);
      // The gateway knows a shipment once it has indexed it.
      await this.waitFor(() => client.put(`/v1/shipments/${s.shipmentId}/manifest`, { serials: s.serials }));
    }

    this.log("  goods receipts: clean, short, over-delivered, wrong lot, foreign serial, excursion…");
    await this.advance(3 * DAY);
    const receiver = await this.gateway(general.receiver);
    const receivedAt = new Date((await this.now()) * 1000).toISOString();
    const scan = (s: { gtin: string; lot: string }, serial: string) => ({
      barcode: `(01)${s.gtin}(17)${yymmdd(expiry)}(10)${s.lot}(21)${serial}`,
    });
    const receipts: [
      string,
      typeof clean,
      { barcode?: string; gtin?: string; lot?: string; quantity?: number }[],
    ][] = [
      ["GR-0001", clean, clean.serials.map((x) => scan(clean, x))],
      ["GR-0002", short, short.serials.slice(0, 15).map((x) => scan(short, x))],
      [
        "GR-0003",
        over,
        [...over.serials.map((x) => scan(over, x)), { gtin: STENT_GTIN, lot: "DES2611A", quantity: 2 }],
      ],
      [
        "GR-0004",
        wrongLot,
        wrongLot.serials.map((x, i) => scan(i === 0 ? { gtin: STENT_GTIN, lot: "DES2610Z" } : wrongLot, x)),
      ],
      [
        "GR-0005",
        foreign,
        [...foreign.serials.slice(0, 9).map((x) => scan(foreign, x)), scan(foreign, "X9-9999")],
      ],
      ["GR-0006", cold, cold.serials.map((x) => scan(cold, x))],
      ["GR-0007", knees, knees.serials.map((x) => scan(knees, x))],
    ];
    for (const [receiptNo, s, lines] of receipts) {
      await this.waitFor(() => receiver.get(`/v1/shipments/${s.shipmentId}`));
      await receiver.post(
        "/v1/receipts",
        { receiptNo, shipmentId: String(s.shipmentId), receivedAt, lines },
        { "idempotency-key": receiptNo },
      );
    }

    this.log("  a procurement officer resolves the exceptions…");
    await act.sent(L.trace.connect(general.approvers[0]).waiveExcursion(cold.shipmentId, 1));
    const officer = await this.gateway(general.approvers[0]);
    const open = await officer.get<{ items: { id: string; shipmentId: string; proposedAccepted: string }[] }>(
      "/v1/exceptions?status=open",
    );
    const decisions: Record<string, { action: string; acceptedQuantity?: number; note: string }> = {
      [String(short.shipmentId)]: {
        action: "accept_part",
        acceptedQuantity: 15,
        note: "5 units missing: supplier to send replacements",
      },
      [String(over.shipmentId)]: { action: "accept_all", note: "2 surplus units returned to the carrier" },
      [String(wrongLot.shipmentId)]: {
        action: "accept_part",
        acceptedQuantity: 9,
        note: "one unit of another lot returned",
      },
      [String(foreign.shipmentId)]: {
        action: "accept_part",
        acceptedQuantity: 9,
        note: "unlisted serial quarantined",
      },
      [String(cold.shipmentId)]: {
        action: "accept_all",
        note: "excursion reviewed with QA: within stability data",
      },
    };
    for (const e of open.items) {
      const decision = decisions[e.shipmentId];
      if (decision) await officer.post(`/v1/exceptions/${e.id}/resolve`, decision);
    }
    await this.waitForPayments(officer);

    this.log("  mid-year: Boreal's licence lapses, Cardia is suspended, Acme recalls a lot…");
    await this.advance(130 * DAY);
    await this.expectRevert("Boreal ships after its licence lapsed", () =>
      act.createShipment(L, boreal, {
        orderId: order3,
        gtin: KNEE_GTIN,
        lot: "KN2612",
        expiry: expiry + 200 * DAY,
        serials: ["K2-0001"],
        notice: "DESADV-K2",
      }),
    );
    await act.sent(L.registry.connect(regulator).suspend(await cardia.getAddress(), 7));
    await act.sent(L.trace.connect(acme).recall(BigInt(STENT_GTIN), "DES2611B", 2));
    await this.advance(DAY);

    await this.recordUsages(general.receiver, childrens.receiver, { clean, cold, neverReceived });
    return this.summary(officer, [acmeAgreement, cardiaAgreement, kneeAgreement]);
  }

  private async recordUsages(
    generalReceiver: Signer,
    childrensReceiver: Signer,
    s: Record<"clean" | "cold" | "neverReceived", { serials: string[]; gtin: string; lot: string }>,
  ): Promise<void> {
    const billing = await this.gateway(generalReceiver);
    this.log(
      "  usages from billing: normal, a phantom use, a serial used twice, a use after recall, a resale…",
    );
    // Billing reports a use some time after it happened.
    const usedAt = new Date(((await this.now()) - 3600) * 1000).toISOString();
    const usage = (
      id: string,
      item: { gtin: string; lot: string; serial: string },
      dept: string,
      billed: number,
    ) => ({
      usageId: id,
      gtin: item.gtin,
      lot: item.lot,
      serial: item.serial,
      department: dept,
      patientRef: `MRN-${id}`,
      usedAt,
      billingCode: "C0401-DES-PCI",
      billedAmount: String(billed),
    });
    const item = (x: { gtin: string; lot: string; serials: string[] }, i: number) => ({
      gtin: x.gtin,
      lot: x.lot,
      serial: x.serials[i],
    });
    const rows = [
      usage("U-1001", item(s.clean, 0), "Cardiology", 75_000),
      usage("U-1002", item(s.clean, 1), "Cardiology", 75_000),
      usage("U-1003", item(s.clean, 1), "Cardiology", 75_000), // the same serial billed again
      usage("U-1004", item(s.clean, 2), "Cardiology", 90_000), // billed above the locked price
      usage("U-1005", item(s.cold, 0), "Cardiology", 72_000), // after the lot's recall
      usage("U-1006", item(s.neverReceived, 0), "Cardiology", 72_000), // never received: phantom
    ];
    for (const r of rows) await billing.post("/v1/usages", r, { "idempotency-key": r.usageId });
    const other = await this.gateway(childrensReceiver);
    const resold = usage("CH-U-2001", item(s.clean, 3), "Paediatric cardiology", 75_000);
    await other.post("/v1/usages", resold, { "idempotency-key": resold.usageId });
  }

  private async summary(client: GatewayClient, agreements: bigint[]): Promise<DemoSummary> {
    const payments = await client.get<{ items: { status: string; paid: string | null }[] }>(
      "/v1/payments?limit=500",
    );
    const paid = payments.items.reduce((sum, p) => sum + BigInt(p.paid ?? 0), 0n);
    const exceptions = await client.get<{ items: { reasons: { code: string }[] }[] }>("/v1/exceptions");
    const exceptionsByReason: Record<string, number> = {};
    for (const e of exceptions.items)
      for (const r of e.reasons) exceptionsByReason[r.code] = (exceptionsByReason[r.code] ?? 0) + 1;
    const regulator = await this.gateway(this.who(1));
    const flags: Record<string, number> = {};
    const report = await regulator.get<{ rows: { flags: { code: string }[] }[] }>("/v1/reconciliation");
    for (const row of report.rows) for (const f of row.flags) flags[f.code] = (flags[f.code] ?? 0) + 1;
    const fulfilment: DemoSummary["fulfilment"] = [];
    for (const id of agreements) {
      const a = await regulator.get<{
        hospitals: { hospital: string; committed: string; ordered: string }[];
      }>(`/v1/agreements/${id}`);
      for (const h of a.hospitals) fulfilment.push({ agreementId: String(id), ...h });
    }
    const summary: DemoSummary = {
      paid: paid.toString(),
      payments: payments.items.length,
      exceptionsByReason,
      flags,
      fulfilment,
    };
    this.print(summary);
    return summary;
  }

  private print(s: DemoSummary): void {
    this.log("");
    this.log(`  money paid to suppliers: ${formatFen(BigInt(s.paid))} in ${s.payments} settlements`);
    this.log(
      `  exceptions by reason:    ${
        Object.entries(s.exceptionsByReason)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ") || "none"
      }`,
    );
    this.log(
      `  regulator's flags:       ${
        Object.entries(s.flags)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ") || "none"
      }`,
    );
    this.log("  commitments (agreement, hospital: ordered / committed):");
    for (const f of s.fulfilment)
      this.log(`    #${f.agreementId} ${f.hospital}: ${f.ordered} / ${f.committed}`);
  }

  private terms(now: number, category: string, reservePrice: bigint, winners: number) {
    return {
      category,
      reservePrice,
      commitDeadline: now + 7 * DAY,
      revealDeadline: now + 14 * DAY,
      termSeconds: 365 * DAY,
      leadTimeDays: 10,
      penaltyBpsPerDay: 50,
      penaltyCapBps: 1000,
      winners,
    };
  }

  private async qualifyWithShortLicence(supplier: Signer, regulator: Signer, now: number): Promise<void> {
    const validity = [now + 120 * DAY, now + 3 * 365 * DAY, now + 3 * 365 * DAY];
    for (let kind = 0; kind < 3; kind++) {
      const id = await act.fileDocument(this.ledger, supplier, {
        kind,
        sha256: ethers.sha256(ethers.toUtf8Bytes(`boreal-${kind}`)),
        validFrom: now - DAY,
        validUntil: validity[kind],
        categories: [KNEES],
      });
      await act.sent(this.ledger.registry.connect(regulator).attestDocument(id));
    }
  }

  private async expectRevert(what: string, fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (error) {
      const revert = decodeRevert(revertDataOf(error));
      this.log(`  ${what}: refused by the ledger with ${revert?.message ?? (error as Error).message}`);
      return;
    }
    throw new Error(`${what}: expected the ledger to refuse it`);
  }

  private client(signer: Signer): Promise<GatewayClient> {
    let c = this.clients.get(signer);
    if (!c) {
      c = (async () => {
        const client = new GatewayClient(this.options.gatewayUrl);
        await client.login(signer);
        return client;
      })();
      this.clients.set(signer, c);
    }
    return c;
  }

  /** Retries until the gateway has indexed what `fn` reads (404 until then). */
  private async waitFor<T>(fn: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await fn();
      } catch (error) {
        if (!(error instanceof GatewayError) || error.status !== 404 || Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  private async waitForPayments(client: GatewayClient, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const page = await client.get<{ items: { status: string }[] }>("/v1/payments?limit=500");
      if (page.items.every((p) => p.status === "confirmed" || p.status === "failed")) return;
      if (Date.now() > deadline) throw new Error("payments did not complete in time");
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  private async now(): Promise<number> {
    return (await this.provider.getBlock("latest"))!.timestamp;
  }

  private async advance(seconds: number): Promise<void> {
    await this.provider.send("evm_increaseTime", [seconds]);
    await this.provider.send("evm_mine", []);
  }
}

function tiers(...pairs: [number, number][]) {
  return pairs.map(([threshold, unitPrice]) => ({
    threshold: BigInt(threshold),
    unitPrice: BigInt(unitPrice),
  }));
}

function yymmdd(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(2, 10).replace(/-/g, "");
}

function formatFen(fen: bigint): string {
  const yuan = fen / 100n;
  return `¥${yuan.toLocaleString("en-US")}.${String(fen % 100n).padStart(2, "0")}`;
}

/** `npm run demo`: plays the scenario against a running stack (DATA_DIR, GATEWAY_URL, RPC_URL). */
async function main(): Promise<void> {
  const dataDir = process.env.DATA_DIR ?? "./data";
  const port = Number(process.env.PORT ?? 8080);
  const deployment = JSON.parse(
    readFileSync(process.env.DEPLOYMENT_FILE ?? path.join(dataDir, "deployment.json"), "utf8"),
  ) as DeploymentRecord;
  await runDemo({
    gatewayUrl: process.env.GATEWAY_URL ?? `http://127.0.0.1:${port}`,
    rpcUrl: process.env.RPC_URL ?? `http://127.0.0.1:${process.env.CHAIN_PORT ?? port + 1}`,
    deployment,
  });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
