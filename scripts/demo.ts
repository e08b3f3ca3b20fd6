import { readFileSync } from "node:fs";
import path from "node:path";
import { ethers, NonceManager, Wallet, type JsonRpcProvider, type Signer } from "ethers";
import type { ClaimsReport, ClaimsRisk } from "../api/claims";
import type { DepartmentBudgetRow, DepartmentBudgetsReport } from "../api/department-budgets";
import type { ConsoleConfig } from "../api/console";
import type { BudgetPage } from "../api/budgets";
import {
  campusesLines,
  nearExpiryLine,
  runCampusesStep,
  runNearExpiryStep,
  type CampusesSummary,
  type NearExpirySummary,
} from "./demo-steps/campuses";
import type { ExceptionList, ResolveRequest } from "../api/exceptions";
import type { PaymentPage } from "../api/payments";
import type { PermitAccepted, PreparedPermit } from "../api/relay";
import type { ReconciliationReport } from "../api/reconciliation";
import * as act from "../ledger/acts";
import { monthOf } from "../server/lib/month-range";
import { LOCAL_NODE } from "./lib/anvil";
import { GatewayClient } from "./lib/gateway-client";
import { until, untilIndexed } from "./lib/until";
import { connectLedger, type DeploymentRecord, type Ledger } from "../ledger/contracts";
import { PERMIT_TYPES } from "../ledger/permit";
import { decodeRevert, revertDataOf } from "../ledger/revert";
import { HeadroomProvider } from "../ledger/gas";
import { acceptedUnits } from "../ledger/volumes";
import type { CastMember } from "./lib/stack/accounts";
import { demoCast } from "./lib/stack/accounts";
import { consignmentYear, type ConsignmentSummary } from "./demo-steps/consignment";
import { fundLines, fundSummary, runFundCoverStep, type FundSummary } from "./demo-steps/fund";
import { replenishmentLine, replenishmentStep, type ReplenishmentSummary } from "./demo-steps/replenishment";
import { runUdiStep, udiLines, type UdiSummary } from "./demo-steps/udi";

/**
 * The demo scenario: a procurement year in miniature on the v2 ledger, played through the public
 * interfaces only — ledger acts signed by each party (scripts/lib/actions.ts) and the gateway's
 * HTTP API (manifests, receipts, exceptions, usages, reports, a relayed permit; the gateway must
 * have a relayer) — so it doubles as an end-to-end test.
 *
 * Cast (scripts/lib/stack/accounts.ts): a regulator; four suppliers — Acme and Cardia win the
 * stent tender, Boreal the knee tender (its business licence expires mid-year), Delta loses the
 * stent tender and never reveals its cover bid for knees (its bond goes to the hospitals), Cardia
 * is suspended later; three hospitals whose members accept their invitations. City General's
 * settler is the gateway's key, so City General's deliveries are the ones this gateway receives
 * and pays; Children's Hospital has no gateway: it receives on chain, disputes, and its supplier
 * claims the undisputed units once the confirmation window has passed. It also caps its order
 * book allowance by a permit the gateway relays, the one act of the year that costs its signer
 * no gas.
 * City General budgets its knees for the year: its knee order exceeds the budget until two
 * approvers raise it.
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
  /**
   * Paid to suppliers on chain, in token base units: every settlement (ShipmentSettled) but a
   * consigned one (its value is held until used), and every consumption batch.
   */
  paid: string;
  /** Late penalties the settlements returned to hospitals. */
  penalties: string;
  /** Settlements on chain: the gateway's confirmations and suppliers' claims. */
  settlements: number;
  /** Settlements a supplier claimed after the hospital's confirmation window. */
  claims: number;
  /** City General's payments its gateway lists as confirmed (its settler's, and suppliers' claims). */
  payments: number;
  /** Settlements of consigned deliveries: confirmed on chain, their suppliers paid by use instead. */
  consignedSettlements: number;
  /** Bid bonds forfeited by bidders that never revealed, and what the hospitals claimed of them. */
  forfeited: string;
  forfeitsClaimed: string;
  exceptionsByReason: Record<string, number>;
  flags: Record<string, number>;
  /** City General's department budgets in warning or over, in the month of its usages. */
  departmentBudgets: DepartmentBudgetRow[];
  /** Per agreement and tender hospital, from the agreement book. */
  fulfilment: {
    agreementId: string;
    hospital: string;
    committed: string;
    funded: string;
    accepted: string;
  }[];
  /** Every hospital's budgets as the gateway indexed them (GET /v1/budgets). */
  budgets: {
    hospital: string;
    category: string;
    period: number;
    amount: string;
    spent: string;
    /** Applied adjustments' changes, with their reason codes. */
    adjustments: { delta: string; reasonCode: number }[];
  }[];
  /** City General's consigned stents (scripts/demo-steps/consignment.ts). */
  consignment: ConsignmentSummary;
  /** City General's campuses, transfers between them and their stock (demo-steps/campuses.ts). */
  campuses: CampusesSummary;
  /** City General's stent par level, forecast and the order placed from its suggestion. */
  replenishment: ReplenishmentSummary;
  /** The east campus's short-dated stents moved to the main campus as suggested. */
  nearExpiry: NearExpirySummary;
  /** Acme's MA-coded stents received and used by City General (demo-steps/udi.ts). */
  udi: UdiSummary;
  /** The claim audit over the cath lab's cases (GET /v1/claims, the last 12 months). */
  claimAudit: ClaimsReport;
  /** The risk view over the same twelve months: each hospital's flags and findings with money. */
  risk: ClaimsRisk;
  /** The insurance fund's accounts and City General's monthly statements, as its payer reads them. */
  fund: FundSummary;
}

const DAY = 86_400;
const { approver: APPROVER, receiver: RECEIVER, settler: SETTLER } = act.HOSPITAL_ROLES;
const STENTS = act.categoryCode("C0401-DES");
const KNEES = act.categoryCode("C1402-KNEE");
const STENT_GTIN = "09520123456788";
export const CARDIA_GTIN = "06940123000010";
const KNEE_GTIN = "09501101530003";
/** ¥5,000.00: what a sealed bid escrows until it is revealed. */
const BID_BOND = 500_000n;
const THRESHOLD = 5_000_000n;
/**
 * ¥1,000,000.00: the order book's allowance Children's Hospital sets in place of the unlimited
 * one enrolment gave, well above the one order it funds this year.
 */
const CHILDRENS_ALLOWANCE = 100_000_000n;
/** ¥80,000.00: City General's knee budget for the year, short of its knee order. */
const KNEE_BUDGET = 8_000_000n;
/** ¥20,000.00 more, recorded by two of its approvers. */
const KNEE_BUDGET_RAISE = 2_000_000n;
/** The reason code of that adjustment: demand above plan. */
const DEMAND_ABOVE_PLAN = 301;

type Tiers = { threshold: bigint; unitPrice: bigint }[];

interface Shipped {
  shipmentId: bigint;
  serials: string[];
  gtin: string;
  lot: string;
}

export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const log = options.log ?? ((line: string) => console.log(line));
  // Every act's gas limit carries headroom: the gateway's settler sends its own transactions
  // while the demo plays, and one landing between an act's estimate and its mining can make the
  // act cost more than the estimate (ledger/gas.ts).
  const provider = new HeadroomProvider(options.rpcUrl, options.deployment.chainId, LOCAL_NODE);
  try {
    return await new Demo(provider, options, log).run();
  } finally {
    provider.destroy();
  }
}

class Demo {
  private readonly ledger: Ledger;
  private readonly cast: readonly CastMember[];
  private readonly who: (index: number) => NonceManager;
  private readonly clients = new Map<Signer, Promise<GatewayClient>>();

  constructor(
    private readonly provider: JsonRpcProvider,
    private readonly options: DemoOptions,
    private readonly log: (line: string) => void,
  ) {
    this.ledger = connectLedger(options.deployment, provider);
    this.cast = options.cast ?? demoCast();
    const signers = new Map<number, NonceManager>();
    this.who = (index: number) => {
      let s = signers.get(index);
      if (!s) {
        s = new NonceManager(new Wallet(this.cast[index].privateKey, provider));
        signers.set(index, s);
      }
      return s;
    };
  }

  async run(): Promise<DemoSummary> {
    const [admin, regulator, payer] = [this.who(0), this.who(1), this.who(21)];
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
    const start = await this.now();

    this.log("  qualifying four suppliers and registering the GTINs they ship…");
    const names: [Signer, string, string][] = [
      [acme, "Acme Medical Devices", "91310000ACME"],
      [boreal, "Boreal Orthopaedics", "91110000BORE"],
      [cardia, "Cardia Vascular", "91440000CARD"],
      [delta, "Delta Diagnostics", "91320000DELT"],
    ];
    for (const [signer, name, id] of names) await act.registerSupplier(L, signer, name, id);
    const years = (n: number) => start + n * 365 * DAY;
    await act.qualifySupplier(L, regulator, acme, [STENTS], start - DAY, years(3));
    await act.qualifySupplier(L, regulator, cardia, [STENTS], start - DAY, years(3));
    await act.qualifySupplier(L, regulator, delta, [STENTS, KNEES], start - DAY, years(3));
    // Boreal's business licence runs out after 120 days; its other documents are fine.
    await this.qualifyWithShortLicence(boreal, regulator, start);
    const products: [Signer, string, string][] = [
      [acme, STENT_GTIN, STENTS],
      [cardia, CARDIA_GTIN, STENTS],
      [boreal, KNEE_GTIN, KNEES],
    ];
    for (const [supplier, gtin, category] of products) {
      await act.registerProducts(L, regulator, supplier, {
        gtins: [gtin],
        categories: [category],
        validFrom: start - DAY,
        validUntil: years(3),
      });
    }

    this.log("  enrolling three hospitals; their members accept the invitations…");
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
      await act.enrolHospital(L, regulator, h.account, name, list, THRESHOLD);
      await act.sent(L.token.connect(admin).mint(await h.account.getAddress(), 100_000_000_000n));
    }
    const [gAddr, cAddr, rAddr] = await Promise.all(
      [general, childrens, riverside].map((h) => h.account.getAddress()),
    );
    // Only the names' hashes are on chain: the regulator gives the gateway the names themselves
    // (it takes each once the hospital is indexed, and only if it hashes to the enrolled one).
    const directory = await this.gateway(regulator);
    for (const [i, address] of [gAddr, cAddr, rAddr].entries())
      await untilIndexed(() => directory.put(`/v1/hospitals/${address}/name`, { name: hospitals[i].name }));
    // Each hospital names its members for its own pages (its back office at the gateway; the
    // chain knows them by address): "Approver 1" rather than 0x14dc…9955.
    for (const { h, name, members } of hospitals) {
      const office = await this.gateway(h.account);
      for (const [member] of members) {
        const address = await member.getAddress();
        const cast = this.cast.find((m) => m.address === address)!.name.slice(`${name}, `.length);
        const label = cast.charAt(0).toUpperCase() + cast.slice(1);
        await untilIndexed(() => office.put(`/v1/members/${address}/name`, { name: label }));
      }
    }
    this.log(
      `  Children's Hospital caps what the order book may draw at ${formatFen(CHILDRENS_ALLOWANCE)}: a permit the gateway relays, no gas…`,
    );
    await this.relayPermit(
      childrens.account,
      this.options.deployment.contracts.orderBook,
      CHILDRENS_ALLOWANCE,
    );

    this.log("  stent tender (two winners) and knee tender: sealed bids, each escrowing a ¥5,000.00 bond…");
    const stentTender = await act.openTender(L, regulator, this.terms(start, STENTS, 150_000n, 2), [
      // 240 for each winner: room for the order replenishment suggests, whatever the weekday the
      // demo runs on, and for the console tests' order of 20 after it.
      { hospital: gAddr, volume: 480n },
      { hospital: cAddr, volume: 200n },
      { hospital: rAddr, volume: 200n },
    ]);
    const kneeTender = await act.openTender(L, regulator, this.terms(start, KNEES, 3_000_000n, 1), [
      { hospital: gAddr, volume: 60n },
      { hospital: rAddr, volume: 40n },
    ]);
    const stentBids: [Signer, Tiers][] = [
      [acme, tiers([0, 75_000], [100, 72_000], [500, 69_000])],
      [cardia, tiers([0, 78_000], [300, 74_000])],
      [delta, tiers([0, 82_000])],
    ];
    const kneeBids: [Signer, Tiers][] = [
      [boreal, tiers([0, 480_000], [50, 450_000])],
      [delta, tiers([0, 455_000])], // a cover bid: Delta never reveals it
    ];
    const salt = async (tender: string, s: Signer) => ethers.id(`${tender}-${await s.getAddress()}`);
    // On this development chain the bidders are simply minted their bonds.
    for (const [s] of [...stentBids, ...kneeBids])
      await act.sent(L.token.connect(admin).mint(await s.getAddress(), BID_BOND));
    for (const [s, t] of stentBids) await act.commitBid(L, s, stentTender, t, await salt("stent", s));
    for (const [s, t] of kneeBids) await act.commitBid(L, s, kneeTender, t, await salt("knee", s));
    await this.advance(7 * DAY + 1);
    for (const [s, t] of stentBids) await act.revealBid(L, s, stentTender, t, await salt("stent", s));
    await act.revealBid(L, boreal, kneeTender, kneeBids[0][1], await salt("knee", boreal));
    await this.advance(7 * DAY + 1);
    const [acmeAgreement, cardiaAgreement] = await act.finalizeTender(L, regulator, stentTender);
    const [kneeAgreement] = await act.finalizeTender(L, regulator, kneeTender);
    const shares: string[] = [];
    for (const [h, name] of [
      [general.account, "City General"],
      [riverside.account, "Riverside"],
    ] as const) {
      const receipt = await act.sent(L.tenders.connect(h).claimForfeit(kneeTender));
      const [claimed] = act.eventsOf(receipt, L.tenders, "ForfeitClaimed");
      shares.push(`${name} ${formatFen(claimed.amount as bigint)}`);
    }
    this.log(`  Delta never revealed its knee bid: its bond went to the hospitals (${shares.join(", ")})`);
    await runFundCoverStep({
      ledger: L,
      log: this.log,
      admin,
      regulator,
      payer,
      hospital: gAddr,
      stentTender,
      kneeTender,
      stentAgreement: acmeAgreement,
      kneeAgreement,
      yuan: formatFen,
    });

    const period = Number(await L.budgets.currentPeriod());
    this.log(`  City General budgets ${formatFen(KNEE_BUDGET)} for knees in ${period}…`);
    await act.setBudget(L, general.account, { category: KNEES, period, amount: KNEE_BUDGET });

    this.log(
      "  orders, funded at the agreement's accepted-volume prices; above the threshold two approvers…",
    );
    const t = await this.now();
    const order = async (
      h: { account: Signer; approvers: Signer[] },
      agreementId: bigint,
      quantity: bigint,
      delivery: number,
      reference: string,
      approvers: number,
    ) => {
      const id = await act.placeOrder(L, h.account, {
        agreementId,
        quantity,
        requestedDelivery: delivery,
        reference,
      });
      for (const a of h.approvers.slice(0, approvers)) await act.approveOrder(L, a, id);
      return id;
    };
    // The first crosses Acme's 100-unit tier; the second passes the 30-day threshold with it.
    const order1 = await order(general, acmeAgreement, 120n, t + 14 * DAY, "CGH-PO-2026-001", 2);
    const order2 = await order(general, acmeAgreement, 30n, t + 14 * DAY, "CGH-PO-2026-002", 2);
    // 20 knees at ¥4,800.00 exceed the knee budget: the funding approval is refused until two
    // approvers record an adjustment.
    const order3 = await order(general, kneeAgreement, 20n, t + 21 * DAY, "CGH-PO-2026-003", 1);
    const [proposer, confirmer] = general.approvers;
    await this.expectRevert("City General funds 20 knees past its knee budget", confirmer, () =>
      act.approveOrder(L, confirmer, order3),
    );
    const adjustment = await act.proposeBudgetAdjustment(L, proposer, {
      category: KNEES,
      period,
      delta: KNEE_BUDGET_RAISE,
      reasonCode: DEMAND_ABOVE_PLAN,
    });
    const raised = await act.confirmBudgetAdjustment(L, confirmer, adjustment);
    this.log(
      `  two approvers raise the knee budget by ${formatFen(KNEE_BUDGET_RAISE)} to ${formatFen(raised)}…`,
    );
    await act.approveOrder(L, confirmer, order3);
    const order4 = await order(childrens, cardiaAgreement, 40n, t + 14 * DAY, "CH-PO-2026-001", 1);

    this.log(
      "  Riverside orders 50 knees against a 40-unit commitment: only Boreal can agree to the excess…",
    );
    const order5 = await act.placeOrder(L, riverside.account, {
      agreementId: kneeAgreement,
      quantity: 50n,
      requestedDelivery: t + 30 * DAY,
      reference: "RH-PO-2026-001",
    });
    await act.approveOrder(L, riverside.approvers[0], order5);
    await this.expectRevert("Riverside funds 50 knees without Boreal's consent", riverside.approvers[1], () =>
      act.approveOrder(L, riverside.approvers[1], order5),
    );
    await act.sent(L.orderBook.connect(boreal).consentToExcess(order5));
    await act.approveOrder(L, riverside.approvers[1], order5);

    this.log("  shipments with serial manifests and trace events (two temperature excursions)…");
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
    const vascular = await ship(cardia, order4, CARDIA_GTIN, "CV2611", "V1-", 20);
    // Children's Hospital will never record receiving this one.
    const unanswered = await ship(cardia, order4, CARDIA_GTIN, "CV2612", "W1-", 5);
    await act.recordTrace(L, acme, cold.shipmentId, "departing", {
      location: "GLN:6901234000017",
      eventTime: await this.now(),
      sensorLog: "logger-7731: 2026 max 11.4 C for 47 min",
      excursion: true,
    });
    // Cardia's own logger reports one too; Children's Hospital never decides it (below).
    await act.recordTrace(L, cardia, unanswered.shipmentId, "departing", {
      location: "GLN:6940123000003",
      eventTime: await this.now(),
      sensorLog: "logger-2208: max 9.8 C for 26 min",
      excursion: true,
    });
    const acmeShipments = [clean, short, over, wrongLot, foreign, cold, neverReceived];
    for (const s of acmeShipments) await this.uploadManifest(acme, s);

    this.log("  three days later: the suppliers record arrival, the hospitals record receipt…");
    await this.advance(3 * DAY);
    const received = [clean, short, over, wrongLot, foreign, cold];
    for (const s of [...acmeShipments, vascular, unanswered])
      await act.recordTrace(L, acmeShipments.includes(s) ? acme : cardia, s.shipmentId, "arriving", {
        location: "GLN:6901234000024",
        eventTime: await this.now(),
      });
    for (const s of received) await this.receiveOnChain(general.receiver, s);
    await this.receiveOnChain(childrens.receiver, vascular);

    this.log("  goods receipts: clean, short, over-delivered, wrong lot, foreign serial, excursion…");
    const receiver = await this.gateway(general.receiver);
    const receivedAt = new Date((await this.now()) * 1000).toISOString();
    const scan = (s: { gtin: string; lot: string }, serial: string) => ({
      barcode: `(01)${s.gtin}(17)${yymmdd(expiry)}(10)${s.lot}(21)${serial}`,
    });
    const receipts: [
      string,
      Shipped,
      { barcode?: string; gtin?: string; lot?: string; quantity?: number }[],
    ][] = [
      ["GR-0001", clean, clean.serials.map((x) => scan(clean, x))],
      ["GR-0002", short, short.serials.slice(0, 15).map((x) => scan(short, x))],
      [
        "GR-0003",
        over,
        // Two surplus units: their serials are not on the shipment's manifest.
        [...over.serials.map((x) => scan(over, x)), scan(over, "X8-0001"), scan(over, "X8-0002")],
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
    ];
    for (const [receiptNo, s, lines] of receipts)
      await this.postReceipt(receiver, receiptNo, s, receivedAt, lines);

    // Until the officer decides, each held receipt disputes on the ledger the units it did not
    // take in, so a supplier's claim after the confirmation window cannot be paid for them.
    const officer = await this.gateway(general.approvers[0]);
    const holding = await until("the held receipts' disputes on the ledger", async () => {
      const { items } = await officer.get<ExceptionList>("/v1/exceptions?status=open");
      const held = items.filter((e) => e.ledgerHold !== null);
      return held.every((e) => e.ledgerHold!.status === "confirmed") ? held : undefined;
    });
    const heldUnits = holding.reduce((n, e) => n + Number(e.ledgerHold!.units), 0);
    this.log(
      `  the gateway disputes on the ledger the ${heldUnits} units ${holding.length} held receipts did not take in (${holding.map((e) => e.receiptNo).join(", ")}), until the officer decides…`,
    );

    this.log("  a procurement officer resolves the exceptions…");
    await act.sent(
      L.trace
        .connect(general.approvers[0])
        .waiveExcursion(cold.shipmentId, await act.shipmentRecord(L, cold.shipmentId), 1),
    );
    const open = await officer.get<ExceptionList>("/v1/exceptions?status=open");
    const decisions: Record<string, ResolveRequest> = {
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

    this.log("  Children's Hospital disputes 2 damaged units of Cardia's delivery and never confirms it…");
    await act.sent(
      L.orderBook
        .connect(childrens.approvers[0])
        .disputeShipment(vascular.shipmentId, await act.shipmentRecord(L, vascular.shipmentId), 2, 31),
    );
    this.log("  the regulator recalls Cardia's lot CV2611 on a field safety notice…");
    await act.sent(L.trace.connect(regulator).recall(BigInt(CARDIA_GTIN), vascular.lot, 41));
    await this.advance(7 * DAY + 1);
    const claim = () =>
      act
        .shipmentRecord(L, vascular.shipmentId)
        .then((r) => act.sent(L.orderBook.connect(cardia).claimSettlement(vascular.shipmentId, r)));
    await this.expectRevert("Cardia claims payment while its lot is recalled", cardia, claim);
    await act.sent(
      L.trace.connect(regulator).liftRecall(BigInt(CARDIA_GTIN), vascular.lot, ethers.ZeroAddress, 42),
    );
    const [claimed] = act.eventsOf(await claim(), L.orderBook, "ShipmentSettled");
    const claimedPayout = claimed.payout as { paid: bigint };
    const claimedUnits = claimed.confirmation as { accepted: bigint; rejected: bigint };
    this.log(
      `  the recall is lifted; after the confirmation window Cardia claims the ${claimedUnits.accepted} undisputed units (${formatFen(claimedPayout.paid)}), ${claimedUnits.rejected} disputed ones rejected`,
    );

    // Silence is no way to keep a supplier's money: with no receipt recorded, the claim opens the
    // receiving and confirmation windows after the supplier's arrival.
    this.log(
      "  Children's never records receiving Cardia's 5 stents of lot CV2612, nor decides their excursion…",
    );
    const claimUnanswered = () =>
      act
        .shipmentRecord(L, unanswered.shipmentId)
        .then((r) => act.sent(L.orderBook.connect(cardia).claimSettlement(unanswered.shipmentId, r)));
    await this.expectRevert("Cardia claims them a day before the windows end", cardia, claimUnanswered);
    await this.advance(DAY);
    const deemedReceipt = await claimUnanswered();
    const [deemed] = act.eventsOf(deemedReceipt, L.trace, "ShipmentDeemedReceived");
    const [unansweredPaid] = act.eventsOf(deemedReceipt, L.orderBook, "ShipmentSettled");
    this.log(
      `  Cardia claims them: received as of ${new Date(Number(deemed.receivedAt) * 1000).toISOString().slice(0, 10)} (its arrival and the 1-day receiving window), paid ${formatFen((unansweredPaid.payout as { paid: bigint }).paid)}`,
    );

    this.log("  Boreal misses the knee deadline; City General allows the late delivery…");
    const { deliveryDeadline } = await L.orderBook.order(order3);
    await this.advanceTo(Number(deliveryDeadline) + DAY);
    await this.expectRevert("Boreal ships after the deadline", boreal, () =>
      ship(boreal, order3, KNEE_GTIN, "KN2611", "K1-", 10),
    );
    await act.sent(L.orderBook.connect(general.approvers[0]).allowLateShipment(order3));
    const knees = await ship(boreal, order3, KNEE_GTIN, "KN2611", "K1-", 10);
    await this.uploadManifest(boreal, knees);
    // It arrives 3 days 23 hours after the deadline: 4 days late (lateness rounds up), with an
    // hour to spare so the seconds the steps take cannot make it 5.
    await this.advanceTo(Number(deliveryDeadline) + 4 * DAY - 3600);
    await act.recordTrace(L, boreal, knees.shipmentId, "arriving", {
      location: "GLN:6901234000024",
      eventTime: await this.now(),
    });
    await this.receiveOnChain(general.receiver, knees);
    await this.postReceipt(
      receiver,
      "GR-0007",
      knees,
      new Date((await this.now()) * 1000).toISOString(),
      knees.serials.map((x) => scan(knees, x)),
    );
    await this.waitForPayments(officer);
    const [late] = await L.orderBook.queryFilter(L.orderBook.filters.ShipmentSettled(knees.shipmentId));
    if (late) {
      const p = late.args.payout;
      this.log(
        `  the knees arrived ${p.daysLate} days late: the fund paid Boreal directly, ${formatFen(p.penalty)} of ${formatFen(p.gross)} back to the fund's escrow`,
      );
    }

    this.log("  mid-year: Boreal's licence lapses, Cardia is suspended, Acme recalls one of its lots…");
    await this.advanceTo(start + 130 * DAY);
    await this.expectRevert("Boreal ships after its licence lapsed", boreal, () =>
      ship(boreal, order3, KNEE_GTIN, "KN2612", "K2-", 10),
    );
    await act.sent(L.registry.connect(regulator).suspend(await cardia.getAddress(), 7));
    // A supplier's recall covers its own shipments of the lot only.
    await act.sent(L.trace.connect(acme).recall(BigInt(STENT_GTIN), "DES2611B", 2));
    await this.advance(DAY);

    const usedAt = await this.recordUsages(general.receiver, childrens.receiver, {
      clean,
      cold,
      neverReceived,
      unanswered,
    });
    const budgets = await this.setDepartmentBudgets(general.approvers[0], usedAt);
    const consignment = await consignmentYear({
      ledger: L,
      supplier: acme,
      hospital: general,
      agreementId: acmeAgreement,
      gateway: (signer) => this.gateway(signer),
      deliver: (orderId, lot, prefix, n) => this.deliver(acme, general.receiver, orderId, lot, prefix, n),
      now: () => this.now(),
      log: this.log,
    });
    const campuses = await runCampusesStep({
      ledger: L,
      log: this.log,
      gateway: (signer) => this.gateway(signer),
      account: general.account,
      receiver: general.receiver,
      lot: clean,
      usedAt,
    });
    const udi = await runUdiStep({
      ledger: L,
      log: this.log,
      gateway: (signer: Signer) => this.gateway(signer),
      now: () => this.now(),
      supplier: acme,
      regulator,
      hospital: general,
      agreementId: acmeAgreement,
      category: STENTS,
    });
    const replenishment = await replenishmentStep({
      ledger: L,
      gateway: (s) => this.gateway(s),
      log: this.log,
      now: await this.now(),
      hospital: general,
      gtin: STENT_GTIN,
      lot: clean.lot,
      // Lot DES2611A's units City General accepted and billing has not used yet.
      serials: [
        clean.serials.slice(4, 10), // the rest of it went to the east campus
        short.serials.slice(0, 15),
        over.serials,
        wrongLot.serials.slice(1),
        foreign.serials.slice(0, 9),
      ].flat(),
      receivedAt,
      billedAmount: 75_000,
    });
    const nearExpiry = await runNearExpiryStep({
      ledger: L,
      log: this.log,
      gateway: (signer) => this.gateway(signer),
      receiver: general.receiver,
      approver: general.approvers[0],
      lot: clean,
      // The first 10 stents of the order replenishment suggested.
      deliver: (lot, prefix, n, opts) =>
        this.deliver(acme, general.receiver, BigInt(replenishment.orderId), lot, prefix, n, opts),
      paymentsDone: async () => this.waitForPayments(await this.gateway(general.approvers[0])),
    });
    return this.summary(
      officer,
      [acmeAgreement, cardiaAgreement, kneeAgreement],
      budgets,
      consignment,
      campuses,
      replenishment,
      nearExpiry,
      udi,
      await this.gateway(payer),
      start,
    );
  }

  /**
   * `owner` sets `spender`'s allowance of the settlement token to `value` without gas: the
   * gateway prepares the EIP-2612 permit, `owner` signs it and the gateway's relayer sends it.
   */
  private async relayPermit(owner: Signer, spender: string, value: bigint): Promise<void> {
    const client = await this.gateway(owner);
    const { permit, domain } = await client.post<PreparedPermit>("/v1/relay/permits/prepare", {
      spender,
      value: value.toString(),
    });
    const signature = await owner.signTypedData(domain, PERMIT_TYPES, permit);
    const { txHash } = await client.post<PermitAccepted>("/v1/relay/permits", { ...permit, signature });
    const receipt = await this.provider.waitForTransaction(txHash);
    if (receipt?.status !== 1) throw new Error(`the relayed permit ${txHash} did not succeed`);
  }

  /**
   * Ships `n` stents of `lot` against `orderId`, then the hospital receives them as every
   * delivery: manifest, arrival, receiving on chain and a goods receipt scanning each serial.
   */
  private async deliver(
    supplier: Signer,
    receiver: Signer,
    orderId: bigint,
    lot: string,
    prefix: string,
    n: number,
    opts: { expiryDays?: number; campus?: string } = {},
  ): Promise<Shipped> {
    const expiry = (await this.now()) + (opts.expiryDays ?? 2 * 365) * DAY;
    const serials = Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(4, "0")}`);
    const { shipmentId } = await act.createShipment(this.ledger, supplier, {
      orderId,
      gtin: STENT_GTIN,
      lot,
      expiry,
      serials,
      notice: `DESADV-${prefix}`,
    });
    const s = { shipmentId, serials, gtin: STENT_GTIN, lot };
    await this.uploadManifest(supplier, s);
    await act.recordTrace(this.ledger, supplier, shipmentId, "arriving", {
      location: "GLN:6901234000024",
      eventTime: await this.now(),
    });
    await this.receiveOnChain(receiver, s);
    const lines = serials.map((x) => ({
      barcode: `(01)${STENT_GTIN}(17)${yymmdd(expiry)}(10)${lot}(21)${x}`,
    }));
    const receivedAt = new Date((await this.now()) * 1000).toISOString();
    // The serials' prefix ("A1-") names the receipt too, without its dash: GR-A1.
    const receiptNo = `GR-${prefix.replace(/-$/, "")}`;
    await this.postReceipt(await this.gateway(receiver), receiptNo, s, receivedAt, lines, opts.campus);
    return s;
  }

  /** The hospital's first receiving step on chain: from now on the shipment is in its custody. */
  private async receiveOnChain(receiver: Signer, s: Shipped): Promise<void> {
    await act.recordTrace(this.ledger, receiver, s.shipmentId, "receiving", {
      location: "GLN:6901234000024",
      eventTime: await this.now(),
    });
  }

  private async uploadManifest(supplier: Signer, s: Shipped): Promise<void> {
    const client = await this.gateway(supplier);
    // The gateway knows a shipment once it has indexed it.
    await untilIndexed(() => client.put(`/v1/shipments/${s.shipmentId}/manifest`, { serials: s.serials }));
  }

  private async postReceipt(
    receiver: GatewayClient,
    receiptNo: string,
    s: Shipped,
    receivedAt: string,
    lines: unknown[],
    campus?: string,
  ): Promise<void> {
    await untilIndexed(() => receiver.get(`/v1/shipments/${s.shipmentId}`));
    await receiver.post(
      "/v1/receipts",
      { receiptNo, shipmentId: String(s.shipmentId), receivedAt, lines, ...(campus && { campus }) },
      { "idempotency-key": receiptNo },
    );
  }

  private async recordUsages(
    generalReceiver: Signer,
    childrensReceiver: Signer,
    s: Record<
      "clean" | "cold" | "neverReceived" | "unanswered",
      { serials: string[]; gtin: string; lot: string }
    >,
  ): Promise<string> {
    const billing = await this.gateway(generalReceiver);
    this.log(
      "  usages from billing: normal, a phantom use, a serial used twice, a use after recall, a resale, a use after an excursion…",
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
      usage("U-1004", item(s.clean, 2), "Cardiology", 90_000), // billed above the agreement's price
      // after Acme recalled the lot
      usage("U-1005", item(s.cold, 0), "Interventional radiology", 72_000),
      // never received: phantom
      usage("U-1006", item(s.neverReceived, 0), "Interventional radiology", 72_000),
    ];
    for (const r of rows) await billing.post("/v1/usages", r, { "idempotency-key": r.usageId });
    const other = await this.gateway(childrensReceiver);
    const resold = usage("CH-U-2001", item(s.clean, 3), "Paediatric cardiology", 75_000);
    // A stent of the delivery whose temperature excursion nobody waived; billed at what it was paid.
    const unwaived = usage("CH-U-2002", item(s.unanswered, 0), "Paediatric cardiology", 78_000);
    for (const r of [resold, unwaived]) await other.post("/v1/usages", r, { "idempotency-key": r.usageId });
    return usedAt;
  }

  /**
   * City General's approver sets its departments' stent budgets for the month of the usages:
   * Cardiology used four stents of order 1, locked at ¥745.00 each (¥2,980.00 of ¥3,500.00:
   * warning), Interventional radiology two of order 2 at ¥750.00 (¥1,500.00 of ¥1,200.00: over).
   * Returns those two rows.
   */
  private async setDepartmentBudgets(approver: Signer, usedAt: string): Promise<DepartmentBudgetRow[]> {
    const client = await this.gateway(approver);
    const { timeZone } = await client.get<ConsoleConfig>("/v1/console/config");
    const month = monthOf(new Date(usedAt), timeZone);
    this.log("  City General sets its departments' stent budgets for the month…");
    for (const [department, amount] of [
      ["Cardiology", "350000"],
      ["Interventional radiology", "120000"],
    ])
      await client.put("/v1/department-budgets", { department, category: STENTS, month, amount });
    const report = await client.get<DepartmentBudgetsReport>(
      `/v1/department-budgets?from=${month}&status=warning,over`,
    );
    return report.rows;
  }

  /**
   * What the year left: money, settlements, forfeits and fulfilment read from the chain (the
   * facts), the gateway's payments, exceptions and the regulator's flags from its API.
   */
  private async summary(
    client: GatewayClient,
    agreements: bigint[],
    departmentBudgets: DepartmentBudgetRow[],
    consignment: ConsignmentSummary,
    campuses: CampusesSummary,
    replenishment: ReplenishmentSummary,
    nearExpiry: NearExpirySummary,
    udi: UdiSummary,
    payer: GatewayClient,
    start: number,
  ): Promise<DemoSummary> {
    const L = this.ledger;
    const from = this.options.deployment.deploymentBlock;
    const fundPaid = (await L.orderBook.queryFilter(L.orderBook.filters.SettlementFundPaid(), from)).reduce(
      (sum, e) => sum + e.args.amount,
      0n,
    );
    const fund = await fundSummary(payer, start, await this.now(), fundPaid);
    const settled = await L.orderBook.queryFilter(L.orderBook.filters.ShipmentSettled(), from);
    const consigned = new Set(
      (await L.consignment.queryFilter(L.consignment.filters.StockConsigned(), from)).map(
        (e) => e.args.shipmentId,
      ),
    );
    const paid =
      settled
        .filter((e) => !consigned.has(e.args.shipmentId))
        .reduce((sum, e) => sum + e.args.payout.paid, 0n) + BigInt(consignment.paid);
    const penalties = settled.reduce((sum, e) => sum + e.args.payout.penalty, 0n);
    const claims = settled.filter((e) => e.args.settledBy === e.args.supplier).length;
    const consignedSettlements = settled.filter((e) => consigned.has(e.args.shipmentId)).length;
    const forfeited = (await L.tenders.queryFilter(L.tenders.filters.BondsForfeited(), from)).reduce(
      (sum, e) => sum + e.args.amount,
      0n,
    );
    const forfeitsClaimed = (await L.tenders.queryFilter(L.tenders.filters.ForfeitClaimed(), from)).reduce(
      (sum, e) => sum + e.args.amount,
      0n,
    );

    let confirmedPayments = 0;
    for await (const page of client.pages<PaymentPage>("/v1/payments?limit=500"))
      confirmedPayments += page.items.filter((p) => p.status === "confirmed").length;
    const exceptionsByReason: Record<string, number> = {};
    for await (const exceptions of client.pages<ExceptionList>("/v1/exceptions?limit=500"))
      for (const e of exceptions.items)
        for (const r of e.reasons) exceptionsByReason[r.code] = (exceptionsByReason[r.code] ?? 0) + 1;
    const regulator = await this.gateway(this.who(1));
    const period = await this.lastTwelveMonths(regulator);
    const claimAudit = await regulator.get<ClaimsReport>(`/v1/claims?${period}`);
    const risk = await regulator.get<ClaimsRisk>(`/v1/claims/risk?${period}`);
    const flags: Record<string, number> = {};
    for await (const report of regulator.pages<ReconciliationReport>("/v1/reconciliation?limit=500"))
      for (const row of report.rows) for (const f of row.flags) flags[f.code] = (flags[f.code] ?? 0) + 1;

    const fulfilment: DemoSummary["fulfilment"] = [];
    for (const id of agreements) {
      const [created] = await L.agreements.queryFilter(L.agreements.filters.AgreementCreated(id), from);
      for (const hospital of created.args.hospitals) {
        const v = await L.agreements.hospitalVolume(id, hospital);
        fulfilment.push({
          agreementId: String(id),
          hospital,
          committed: String(v.committed),
          funded: String(v.funded),
          // The chain keeps only the agreement's total: the hospital's units from the events.
          accepted: String(await acceptedUnits(L, id, hospital, from)),
        });
      }
    }
    const budgets = (await this.indexedBudgets(regulator)).map((b) => ({
      hospital: b.hospital,
      category: b.category,
      period: b.period,
      amount: b.amount,
      spent: b.spent,
      adjustments: b.adjustments
        .filter((a) => a.status === "applied")
        .map((a) => ({ delta: a.delta, reasonCode: a.reasonCode })),
    }));
    const summary: DemoSummary = {
      paid: paid.toString(),
      penalties: penalties.toString(),
      settlements: settled.length,
      claims,
      payments: confirmedPayments,
      consignedSettlements,
      forfeited: forfeited.toString(),
      forfeitsClaimed: forfeitsClaimed.toString(),
      exceptionsByReason,
      flags,
      departmentBudgets,
      fulfilment,
      budgets,
      consignment,
      campuses,
      replenishment,
      nearExpiry,
      udi,
      claimAudit,
      risk,
      fund,
    };
    this.print(summary);
    return summary;
  }

  private print(s: DemoSummary): void {
    const counts = (record: Record<string, number>) =>
      Object.entries(record)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ") || "none";
    const name = (address: string) => this.cast.find((m) => m.address === address)?.name ?? address;
    this.log("");
    this.log(
      `  paid to suppliers on chain:  ${formatFen(BigInt(s.paid))} in ${s.settlements} settlements (${s.payments} paid by this gateway, ${s.claims} claimed by a supplier, ${s.consignedSettlements} taking consigned stock into custody, paid by use below)`,
    );
    this.log(`  late penalties to hospitals: ${formatFen(BigInt(s.penalties))}`);
    const c = s.consignment;
    this.log(
      `  consignment (City General):  ${c.received} stents received, ${c.used} used and paid ${formatFen(BigInt(c.paid))} in ${c.batches} batch(es), ${c.returned} returned and confirmed by the supplier (${formatFen(BigInt(c.refunded))} back), ${c.onHand} on hand unpaid`,
    );
    this.log(
      `  forfeited bid bonds:         ${formatFen(BigInt(s.forfeited))} (bidders that never revealed), of which the hospitals claimed ${formatFen(BigInt(s.forfeitsClaimed))}`,
    );
    this.log(`  exceptions by reason:        ${counts(s.exceptionsByReason)}`);
    this.log(`  regulator's flags:           ${counts(s.flags)}`);
    const budgets = s.departmentBudgets.map(
      (b) =>
        `${b.department} ${b.percent?.toFixed(1)} % of ${formatFen(BigInt(b.budget ?? 0))} (${b.status})`,
    );
    this.log(`  City General's dept budgets: ${budgets.join(", ") || "none in warning or over"}`);
    this.log("  commitments (agreement, hospital: accepted / funded / committed units):");
    for (const f of s.fulfilment)
      this.log(`    #${f.agreementId} ${name(f.hospital)}: ${f.accepted} / ${f.funded} / ${f.committed}`);
    this.log("  budgets (hospital, category, year: spent / amount; adjustments):");
    for (const b of s.budgets) {
      const adjustments = b.adjustments.map(
        (a) =>
          `${a.delta.startsWith("-") ? "−" : "+"}${formatFen(BigInt(a.delta.replace("-", "")))} (reason ${a.reasonCode})`,
      );
      this.log(
        `    ${name(ethers.getAddress(b.hospital))} ${ethers.decodeBytes32String(b.category)} ${b.period}: ${formatFen(BigInt(b.spent))} / ${formatFen(BigInt(b.amount))}; ${adjustments.join(", ") || "none"}`,
      );
    }
    for (const line of campusesLines(s.campuses)) this.log(line);
    this.log(nearExpiryLine(s.nearExpiry));
    this.log(replenishmentLine(s.replenishment, formatFen));
    for (const line of udiLines(s.udi)) this.log(line);
    const fm19 = s.claimAudit.groups.filter((g) => g.caseGroup === "FM19").reduce((n, g) => n + g.cases, 0);
    const outliers = s.claimAudit.outliers.map(
      (o) =>
        `case ${o.caseId}, ${o.units} stents, ${formatFen(BigInt(o.cost))} (95th percentile ${formatFen(BigInt(o.groupP95))})`,
    );
    this.log(
      `  claim audit (DRG FM19):      ${fm19} cases; above the group's 95th percentile: ${outliers.join("; ") || "none"}`,
    );
    const atRisk = s.risk.hospitals.map(
      (h) =>
        `${name(ethers.getAddress(h.hospital))} ${formatFen(BigInt(h.total))} (${h.lines.map((l) => `${l.code} ${l.count}`).join(", ")})`,
    );
    this.log(`  risk view (money at risk):   ${atRisk.join("; ") || "nothing flagged"}`);
    for (const line of fundLines(s.fund, formatFen)) this.log(line);
  }

  /** `from=…&to=…`: the 12 months up to the ledger's now, in the gateway's time zone. */
  private async lastTwelveMonths(client: GatewayClient): Promise<string> {
    const { timeZone } = await client.get<ConsoleConfig>("/v1/console/config");
    const now = (await this.now()) * 1000;
    return `from=${monthOf(new Date(now - 330 * DAY * 1000), timeZone)}&to=${monthOf(new Date(now), timeZone)}`;
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
      bidBond: BID_BOND,
      fundingWindow: 14 * DAY,
      receivingWindow: DAY,
      confirmWindow: 7 * DAY,
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

  /**
   * Runs an act `signer` sends that the ledger must refuse, and logs the decoded refusal. The
   * signer's nonce manager counted the transaction that was never sent: it starts afresh.
   */
  private async expectRevert(what: string, signer: NonceManager, fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (error) {
      signer.reset();
      const revert = decodeRevert(revertDataOf(error));
      if (!revert) throw error;
      this.log(`  ${what}: refused by the ledger with ${revert.message}`);
      return;
    }
    throw new Error(`${what}: expected the ledger to refuse it`);
  }

  private gateway(signer: Signer): Promise<GatewayClient> {
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

  /** Every budget the gateway serves, once it has indexed the chain's latest amounts and spending. */
  private async indexedBudgets(client: GatewayClient, timeoutMs = 60_000): Promise<BudgetPage["items"]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const budgets: BudgetPage["items"] = [];
      for await (const page of client.pages<BudgetPage>("/v1/budgets?limit=500")) budgets.push(...page.items);
      let current = true;
      for (const b of budgets) {
        const onChain = await this.ledger.budgets.budget(b.hospital, b.category, b.period);
        current &&= b.amount === String(onChain.amount) && b.spent === String(onChain.spent);
      }
      if (current) return budgets;
      if (Date.now() > deadline) throw new Error("the gateway did not index the budgets in time");
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  private async waitForPayments(client: GatewayClient, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let done = true;
      for await (const page of client.pages<PaymentPage>("/v1/payments?limit=500"))
        done &&= page.items.every((p) => p.status === "confirmed" || p.status === "failed");
      if (done) return;
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

  private async advanceTo(time: number): Promise<void> {
    const now = await this.now();
    if (time > now) await this.advance(time - now);
  }
}

function tiers(...pairs: [number, number][]): Tiers {
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
