/**
 * Invariant test of the order book: long random sequences of every action the ledger allows
 * (place, approve, ship, confirm with a random accepted/rejected split, waive an excursion,
 * cancel, agree to cancel, recall a lot, suspend and reinstate a supplier, let time pass)
 * across several orders under two agreements with two suppliers. Reverts are expected and
 * tolerated as long as they are the ledger's own custom errors (or the token's); a panic, a
 * require string or an empty revert fails the run. After EVERY step it checks:
 *
 * - the order book's token balance == `totalEscrow()` == the sum of every order's `escrow`;
 * - each order: accepted ≤ shipped ≤ quantity − cancelled, and its escrow is exactly
 *   value − grossPaid while funded and zero once placed-only, closed or cancelled; a funded
 *   order is never complete (it would have closed) and, once its cancellation was requested,
 *   has nothing left to ship;
 * - each agreement's cumulative volume == the sum of its orders' quantity − cancelled;
 * - no shipment is settled twice (ShipmentSettled per shipment id);
 * - what each supplier received in the step == the `paid` of its ShipmentSettled events, and
 *   nothing is paid to a supplier that was suspended or unqualified, for a recalled lot, for
 *   goods expired at receipt or for an unwaived excursion (state read just before the step);
 * - each payout is the pro-rata share the locked value owes minus the agreement's penalty;
 * - what the hospital got back == refunds and penalties in the events minus what was funded;
 * - tokens are conserved among the hospital, the suppliers and the order book.
 */
import { loadFixture, takeSnapshot, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { expect } from "chai";
import type {
  ContractTransactionReceipt,
  ContractTransactionResponse,
  Interface,
  LogDescription,
} from "ethers";
import fc from "fast-check";
import { ethers } from "hardhat";
import type { Ledger } from "../../scripts/lib/ledger";
import type { OrderStructOutput } from "../../typechain-types/contracts/OrderBook";
import {
  DAY,
  deployFixture,
  enrolHospital,
  GTIN,
  KNEES,
  qualify,
  runTender,
  STENTS,
  tiers,
} from "./helpers/fixtures";
import { OrderStatus, ORDER_REF, RECEIPT_HASH, SERIAL_ROOT, NOTICE_HASH } from "./helpers/orderBook";

const RUNS = 25;
const MAX_ACTIONS = 40;
const LOTS = ["LOT-0", "LOT-1", "LOT-2", "LOT-3"];
const PANIC = "0x4e487b71";
const ERROR_STRING = "0x08c379a0";

interface AgreementTerms {
  id: bigint;
  supplier: HardhatEthersSigner;
  category: string;
  bpsPerDay: bigint;
  capBps: bigint;
}

/**
 * Two agreements: supplier 0 sells stents (tiers 0→10000, 30→9000, 80→8000 so small orders
 * straddle boundaries; 10 days, 50 bps/day, cap 1000), supplier 1 sells knees (0→7000,
 * 50→6500; 5 days, 100 bps/day, cap 2000). The hospital needs two approvers above 200,000 fen.
 */
async function invariantFixture() {
  const { ledger, actors } = await deployFixture();
  const [s0, s1] = actors.suppliers;
  await qualify(ledger, actors.regulator, s0, [STENTS]);
  await qualify(ledger, actors.regulator, s1, [KNEES]);
  await enrolHospital(ledger, actors, actors.hospital, 10_000_000_000n, 200_000n);
  const stents = await runTender(
    ledger,
    actors.regulator,
    [{ bidder: s0, schedule: tiers([0, 10_000], [30, 9_000], [80, 8_000]), salt: ethers.id("s0") }],
    [actors.hospital.address],
    [1000n],
    { winners: 1 },
  );
  const knees = await runTender(
    ledger,
    actors.regulator,
    [{ bidder: s1, schedule: tiers([0, 7_000], [50, 6_500]), salt: ethers.id("s1") }],
    [actors.hospital.address],
    [1000n],
    {
      category: KNEES,
      winners: 1,
      leadTimeDays: 5,
      penaltyBpsPerDay: 100,
      penaltyCapBps: 2000,
      // Three years, so that long time jumps rarely take this agreement out of its term.
      termSeconds: 3 * 365 * DAY,
    },
  );
  const agreements: AgreementTerms[] = [
    { id: stents.agreementIds[0], supplier: s0, category: STENTS, bpsPerDay: 50n, capBps: 1000n },
    { id: knees.agreementIds[0], supplier: s1, category: KNEES, bpsPerDay: 100n, capBps: 2000n },
  ];
  return { ledger, actors, agreements };
}

type Order = OrderStructOutput;
type Ctx = Awaited<ReturnType<typeof invariantFixture>>;

type Action =
  | { kind: "place"; agreement: number; quantity: number; byApprover: boolean; extraDays: number }
  | { kind: "approve"; order: OrderPick; approver: number }
  | {
      kind: "ship";
      order: OrderPick;
      share: number;
      lot: number;
      expiryDays: number;
      wrongSupplier: boolean;
      excursion: boolean;
    }
  | {
      kind: "confirm";
      shipment: number;
      stale: boolean;
      acceptedShare: number;
      receivedShare: number;
      mismatch: boolean;
    }
  | { kind: "waive"; shipment: number }
  | { kind: "cancel"; order: OrderPick; by: number }
  | { kind: "agree"; order: OrderPick; wrongSupplier: boolean }
  | { kind: "recall"; lot: number; by: number }
  | { kind: "suspend"; supplier: number }
  | { kind: "reinstate"; supplier: number }
  | { kind: "time"; seconds: number };

/** Which order an action targets: one in the state the action needs, or (`any`) any order. */
interface OrderPick {
  i: number;
  any: boolean;
}

const index = fc.nat({ max: 1_000 });
const orderPick: fc.Arbitrary<OrderPick> = fc.record({
  i: index,
  any: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
});
const share = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 2, arbitrary: fc.constant(1000) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 1000 }) },
);
const placeArb = fc.record({
  kind: fc.constant("place" as const),
  agreement: fc.integer({ min: 0, max: 1 }),
  quantity: fc.integer({ min: 1, max: 60 }),
  byApprover: fc.boolean(),
  extraDays: fc.integer({ min: 0, max: 15 }),
});
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: placeArb },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("approve" as const),
      order: orderPick,
      approver: fc.integer({ min: 0, max: 2 }),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("ship" as const),
      order: orderPick,
      share: fc.integer({ min: 1, max: 1200 }),
      lot: fc.integer({ min: 0, max: LOTS.length - 1 }),
      expiryDays: fc.integer({ min: 1, max: 60 }),
      wrongSupplier: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
      excursion: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("confirm" as const),
      shipment: index,
      stale: fc.integer({ min: 0, max: 6 }).map((n) => n === 0),
      acceptedShare: share,
      receivedShare: fc.integer({ min: 0, max: 100 }),
      mismatch: fc.integer({ min: 0, max: 15 }).map((n) => n === 0),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("waive" as const), shipment: index }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("cancel" as const),
      order: orderPick,
      // The hospital or an approver; now and then a stranger.
      by: fc.integer({ min: 0, max: 6 }).map((n) => (n === 6 ? 2 : n % 2)),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("agree" as const),
      order: orderPick,
      wrongSupplier: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("recall" as const),
      lot: index,
      // Mostly the regulator; a supplier may recall only a lot it has shipped.
      by: fc.integer({ min: 0, max: 5 }).map((n) => (n < 4 ? 0 : n - 3)),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("suspend" as const), supplier: fc.integer({ min: 0, max: 1 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("reinstate" as const),
      supplier: fc.integer({ min: 0, max: 1 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("time" as const),
      seconds: fc.oneof(
        fc.integer({ min: 1, max: 6 * DAY }),
        fc.constant(DAY),
        fc.integer({ min: 1, max: 3600 }),
        fc.integer({ min: 5 * DAY, max: 25 * DAY }),
      ),
    }),
  },
);

/** Counts across all runs, so the test can show it exercised what it claims to. */
const stats: Record<string, number> = {};
function count(key: string): void {
  stats[key] = (stats[key] ?? 0) + 1;
}

function revertData(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length) {
    const e = queue.shift();
    if (!e || typeof e !== "object" || seen.has(e)) continue;
    seen.add(e);
    const data = (e as { data?: unknown }).data;
    if (typeof data === "string" && data.startsWith("0x")) return data;
    for (const key of ["error", "info", "cause"]) queue.push((e as Record<string, unknown>)[key]);
  }
  return undefined;
}

/** Accepts a revert only if it is one of the ledger's (or the token's) custom errors. */
function expectLedgerError(ledger: Ledger, err: unknown): string {
  const data = revertData(err);
  if (data === undefined || data === "0x") throw new Error(`unexpected revert without data: ${String(err)}`);
  if (data.startsWith(PANIC)) throw new Error(`panic ${data}: ${String(err)}`);
  if (data.startsWith(ERROR_STRING)) throw new Error(`require string revert: ${String(err)}`);
  const interfaces: Interface[] = [
    ledger.orderBook.interface,
    ledger.trace.interface,
    ledger.registry.interface,
    ledger.tenders.interface,
    ledger.hospitals.interface,
    ledger.token.interface,
  ];
  for (const iface of interfaces) {
    const parsed = iface.parseError(data);
    if (parsed) return parsed.name;
  }
  throw new Error(`unknown revert ${data}: ${String(err)}`);
}

interface ShipmentRecord {
  id: bigint;
  agreement: AgreementTerms;
  lot: string;
}

interface RunState {
  shipments: ShipmentRecord[];
  settled: Set<bigint>;
}

class Runner {
  private readonly book: string;
  private readonly accounts: string[];

  constructor(
    private readonly ctx: Ctx,
    private readonly run: RunState,
    book: string,
  ) {
    this.book = book;
    const { actors, agreements } = ctx;
    this.accounts = [
      agreements[0].supplier.address,
      agreements[1].supplier.address,
      actors.hospital.address,
      book,
    ];
  }

  private get ledger(): Ledger {
    return this.ctx.ledger;
  }

  /** Sends a transaction; a tolerated revert returns null and is counted by error name. */
  private async send(
    kind: string,
    fn: () => Promise<ContractTransactionResponse>,
  ): Promise<ContractTransactionReceipt | null> {
    try {
      const receipt = await (await fn()).wait();
      count(`${kind}:ok`);
      return receipt;
    } catch (err) {
      count(`${kind}:${expectLedgerError(this.ledger, err)}`);
      return null;
    }
  }

  /** Orders as the last invariant check read them (index = id − 1). */
  private orders: Order[] = [];

  private orderId(pick: OrderPick, wanted: (o: Order) => boolean): bigint {
    const all = this.orders.map((_, i) => BigInt(i + 1));
    const fitting = all.filter((id) => wanted(this.orders[Number(id) - 1]));
    const pool = pick.any || fitting.length === 0 ? all : fitting;
    return pool.length === 0 ? 1n : pool[pick.i % pool.length];
  }

  private async agreementOf(orderId: bigint): Promise<AgreementTerms | undefined> {
    if (orderId > (await this.ledger.orderBook.orderCount())) return undefined;
    const agreementId = (await this.ledger.orderBook.order(orderId)).agreementId;
    return this.ctx.agreements.find((a) => a.id === agreementId);
  }

  async step(action: Action): Promise<void> {
    const { ledger, actors, agreements } = this.ctx;
    const before = await Promise.all(this.accounts.map((a) => ledger.token.balanceOf(a)));
    let receipt: ContractTransactionReceipt | null = null;
    let confirmCheck: ((events: LogDescription[]) => void) | undefined;

    switch (action.kind) {
      case "place": {
        const by = action.byApprover ? actors.approvers[0] : actors.hospital;
        const requested = BigInt(await time.latest()) + 3600n + BigInt(action.extraDays * DAY);
        receipt = await this.send("place", () =>
          ledger.orderBook
            .connect(by)
            .placeOrder(agreements[action.agreement].id, action.quantity, requested, ORDER_REF),
        );
        break;
      }
      case "approve": {
        const id = this.orderId(action.order, (o) => o.status === OrderStatus.Placed);
        const approver = action.approver < 2 ? actors.approvers[action.approver] : actors.settler;
        receipt = await this.send("approve", () => ledger.orderBook.connect(approver).approveOrder(id));
        break;
      }
      case "ship": {
        const id = this.orderId(
          action.order,
          (o) =>
            o.status === OrderStatus.Funded && !o.cancelRequested && o.shipped + o.cancelled < o.quantity,
        );
        const agreement = await this.agreementOf(id);
        const other = agreement === agreements[0] ? agreements[1] : agreements[0];
        const supplier = (action.wrongSupplier ? other : (agreement ?? agreements[0])).supplier;
        const remaining =
          id <= (await ledger.orderBook.orderCount()) ? await ledger.orderBook.remainingToShip(id) : 0n;
        const quantity = remaining === 0n ? 1n : (remaining * BigInt(action.share) + 999n) / 1000n;
        const input = {
          orderId: id,
          gtin: GTIN,
          expiry: BigInt(await time.latest()) + BigInt(action.expiryDays * DAY),
          quantity,
          serialRoot: SERIAL_ROOT,
          noticeHash: NOTICE_HASH,
          lot: LOTS[action.lot],
        };
        receipt = await this.send("ship", () => ledger.trace.connect(supplier).createShipment(input));
        if (receipt && agreement) {
          const shipmentId = await ledger.trace.shipmentCount();
          this.run.shipments.push({ id: shipmentId, agreement, lot: input.lot });
          if (action.excursion) {
            const at = await time.latest();
            await this.send("excursion", () =>
              ledger.trace
                .connect(supplier)
                .recordTraceEvent(shipmentId, 1, ethers.ZeroHash, at, ethers.ZeroHash, true),
            );
          }
        }
        break;
      }
      case "confirm": {
        const open = this.run.shipments.filter((s) => !this.run.settled.has(s.id));
        const pool = action.stale ? this.run.shipments : open;
        if (pool.length === 0) {
          count("confirm:skipped");
          break;
        }
        const record = pool[action.shipment % pool.length];
        const s = await ledger.trace.shipment(record.id);
        const latest = BigInt(await time.latest());
        const receivedAt = s.createdAt + ((latest - s.createdAt) * BigInt(action.receivedShare)) / 100n;
        const accepted = (s.quantity * BigInt(action.acceptedShare)) / 1000n;
        const rejected = s.quantity - accepted + (action.mismatch ? 1n : 0n);
        const c = { accepted, rejected, receivedAt, receiptHash: RECEIPT_HASH };

        // The state the payment must be judged against: read just before the confirmation.
        const o = await ledger.orderBook.order(s.orderId);
        const suspended = (await ledger.registry.supplierStatus(s.supplier)) !== 1n;
        const qualified = await ledger.registry.isQualified(
          s.supplier,
          record.agreement.category,
          latest + 1n,
        );
        const recalled = await ledger.trace.isRecalled(s.gtin, s.lot);
        const excursionOpen = s.excursion && !s.excursionWaived;
        const wasSettled = this.run.settled.has(record.id);

        receipt = await this.send("confirm", () =>
          ledger.orderBook.connect(actors.settler).confirmShipment(record.id, c),
        );
        if (receipt && accepted > 0n) count("confirm:paid");
        if (receipt && accepted === 0n) count("confirm:rejected-all");
        confirmCheck = (events) => {
          const settled = events.filter((e) => e.name === "ShipmentSettled");
          if (!receipt) return;
          expect(wasSettled, `shipment ${record.id} confirmed a second time`).to.equal(false);
          expect(settled).to.have.length(1);
          const [, , , conf, payout] = settled[0].args as unknown as [
            bigint,
            bigint,
            string,
            [bigint, bigint, bigint, string],
            [bigint, bigint, bigint, bigint],
          ];
          const [gross, penalty, paid, daysLate] = payout;
          expect(conf[0]).to.equal(accepted);
          if (gross > 0n || paid > 0n) {
            expect(suspended, "paid a suspended supplier").to.equal(false);
            expect(qualified, "paid an unqualified supplier").to.equal(true);
            expect(recalled, "paid for a recalled lot").to.equal(false);
            expect(s.expiry > receivedAt, "paid for goods expired at receipt").to.equal(true);
            expect(excursionOpen, "paid despite an unwaived excursion").to.equal(false);
          }
          // The pro-rata share of the locked value, the last unit paying the exact remainder.
          const acceptedTotal = o.accepted + accepted;
          const owed = acceptedTotal === o.quantity ? o.value : (acceptedTotal * o.value) / o.quantity;
          expect(gross).to.equal(owed - o.grossPaid);
          const day = BigInt(DAY);
          const expectedDays =
            receivedAt > o.deliveryDeadline ? (receivedAt - o.deliveryDeadline + day - 1n) / day : 0n;
          expect(daysLate).to.equal(expectedDays);
          let bps = expectedDays * record.agreement.bpsPerDay;
          if (bps > record.agreement.capBps) bps = record.agreement.capBps;
          expect(penalty).to.equal((gross * bps) / 10_000n);
          expect(paid).to.equal(gross - penalty);
          if (penalty > 0n) count("confirm:penalty");
        };
        break;
      }
      case "waive": {
        if (this.run.shipments.length === 0) break;
        const record = this.run.shipments[action.shipment % this.run.shipments.length];
        receipt = await this.send("waive", () =>
          ledger.trace.connect(actors.approvers[0]).waiveExcursion(record.id, 1),
        );
        break;
      }
      case "cancel": {
        // Two times in three a partly shipped order, with or without units in flight: the
        // partial-cancellation paths (stay funded, or close at once).
        const inFlight = (o: Order) => o.status === OrderStatus.Funded && o.shipped > o.accepted;
        const settled = (o: Order) =>
          o.status === OrderStatus.Funded && o.shipped > 0n && o.shipped === o.accepted;
        const open = (o: Order) => o.status === OrderStatus.Placed || o.status === OrderStatus.Funded;
        const id = this.orderId(action.order, [inFlight, settled, open][action.order.i % 3]);
        const by = [actors.hospital, actors.approvers[1], actors.stranger][action.by];
        receipt = await this.send("cancel", () => ledger.orderBook.connect(by).cancelOrder(id));
        break;
      }
      case "agree": {
        const id = this.orderId(action.order, (o) => o.status === OrderStatus.Funded && o.shipped > 0n);
        const agreement = (await this.agreementOf(id)) ?? agreements[0];
        const other = agreement === agreements[0] ? agreements[1] : agreements[0];
        const supplier = (action.wrongSupplier ? other : agreement).supplier;
        receipt = await this.send("agree", () => ledger.orderBook.connect(supplier).agreeToCancel(id));
        break;
      }
      case "recall": {
        // Mostly a lot that an unconfirmed shipment carries, so the recall can matter.
        const open = this.run.shipments.filter((s) => !this.run.settled.has(s.id));
        const lot =
          open.length > 0 && action.lot % 4 !== 0
            ? open[action.lot % open.length].lot
            : LOTS[action.lot % LOTS.length];
        const by = [actors.regulator, agreements[0].supplier, agreements[1].supplier][action.by];
        receipt = await this.send("recall", () => ledger.trace.connect(by).recall(GTIN, lot, 1));
        break;
      }
      case "suspend": {
        receipt = await this.send("suspend", () =>
          ledger.registry.connect(actors.regulator).suspend(agreements[action.supplier].supplier.address, 1),
        );
        break;
      }
      case "reinstate": {
        // Reinstate a suspended supplier if there is one, so suspensions do not end every run.
        let supplier = agreements[action.supplier].supplier.address;
        for (const a of agreements) {
          if ((await ledger.registry.supplierStatus(a.supplier.address)) === 2n)
            supplier = a.supplier.address;
        }
        receipt = await this.send("reinstate", () =>
          ledger.registry.connect(actors.regulator).reinstate(supplier, 2),
        );
        break;
      }
      case "time": {
        await time.increase(action.seconds);
        break;
      }
    }

    const events = this.orderBookEvents(receipt);
    confirmCheck?.(events);
    await this.checkInvariants(before, events);
  }

  private orderBookEvents(receipt: ContractTransactionReceipt | null): LogDescription[] {
    if (!receipt) return [];
    const out: LogDescription[] = [];
    for (const log of receipt.logs) {
      if (log.address !== this.book) continue;
      const parsed = this.ledger.orderBook.interface.parseLog(log);
      if (parsed) out.push(parsed);
    }
    return out;
  }

  private async checkInvariants(before: bigint[], events: LogDescription[]): Promise<void> {
    const { ledger, agreements } = this.ctx;

    // No shipment settles twice.
    for (const e of events.filter((x) => x.name === "ShipmentSettled")) {
      const id = e.args[0] as bigint;
      expect(this.run.settled.has(id), `ShipmentSettled twice for shipment ${id}`).to.equal(false);
      this.run.settled.add(id);
      expect((await ledger.trace.shipment(id)).confirmed).to.equal(true);
    }

    // Escrow: token balance == totalEscrow == Σ order escrow; per-order quantities and escrow.
    const n = await ledger.orderBook.orderCount();
    let sumEscrow = 0n;
    const volume = new Map<bigint, bigint>();
    this.orders = [];
    for (let id = 1n; id <= n; id++) {
      const o = await ledger.orderBook.order(id);
      this.orders.push(o);
      sumEscrow += o.escrow;
      volume.set(o.agreementId, (volume.get(o.agreementId) ?? 0n) + o.quantity - o.cancelled);
      expect(o.accepted <= o.shipped, `order ${id}: accepted > shipped`).to.equal(true);
      expect(o.shipped <= o.quantity - o.cancelled, `order ${id}: shipped > quantity − cancelled`).to.equal(
        true,
      );
      expect(o.grossPaid <= o.value, `order ${id}: paid more than its value`).to.equal(true);
      if (o.status === OrderStatus.Funded) {
        expect(o.escrow, `order ${id}: funded escrow`).to.equal(o.value - o.grossPaid);
        // An order with every unit accepted or cancelled must have closed and refunded.
        expect(o.accepted + o.cancelled < o.quantity, `order ${id}: complete but not closed`).to.equal(true);
        // Once cancellation is requested nothing is left to ship: rejected units are cancelled.
        if (o.cancelRequested) {
          expect(o.shipped + o.cancelled, `order ${id}: shippable after cancellation`).to.equal(o.quantity);
        }
      } else {
        expect(o.escrow, `order ${id}: escrow held in status ${o.status}`).to.equal(0n);
      }
      if (o.status === OrderStatus.Closed) {
        expect(o.accepted + o.cancelled, `order ${id}: closed while incomplete`).to.equal(o.quantity);
      }
      if (o.status === OrderStatus.Cancelled) {
        expect([o.shipped, o.accepted, o.grossPaid], `order ${id}: cancelled after delivery`).to.deep.equal([
          0n,
          0n,
          0n,
        ]);
      }
    }
    const balance = await ledger.token.balanceOf(this.book);
    const total = await ledger.orderBook.totalEscrow();
    expect(balance, "order book balance vs totalEscrow").to.equal(total);
    expect(sumEscrow, "Σ order escrow vs totalEscrow").to.equal(total);

    // Volume: what agreements count as ordered is what orders still want.
    for (const a of agreements) {
      expect((await ledger.tenders.agreement(a.id)).cumulativeVolume, `agreement ${a.id} volume`).to.equal(
        volume.get(a.id) ?? 0n,
      );
    }

    // Money moved only as the events say.
    const after = await Promise.all(this.accounts.map((a) => ledger.token.balanceOf(a)));
    const paidTo = new Map<string, bigint>();
    let penalties = 0n;
    let funded = 0n;
    let closedRefunds = 0n;
    let cancelRefunds = 0n;
    let cancelled = false;
    for (const e of events) {
      if (e.name === "ShipmentSettled") {
        const supplier = e.args[2] as string;
        const payout = e.args[4] as unknown as bigint[];
        paidTo.set(supplier, (paidTo.get(supplier) ?? 0n) + payout[2]);
        penalties += payout[1];
      } else if (e.name === "OrderFunded") funded += e.args[2] as bigint;
      else if (e.name === "OrderClosed") closedRefunds += e.args[1] as bigint;
      else if (e.name === "OrderCancelled") {
        count(`cancelled→${["None", "Placed", "Funded", "Closed", "Cancelled"][Number(e.args[4])]}`);
        cancelled = true;
        cancelRefunds += e.args[3] as bigint;
      }
    }
    for (const [i, a] of agreements.entries()) {
      expect(after[i] - before[i], `supplier ${i} received`).to.equal(paidTo.get(a.supplier.address) ?? 0n);
    }
    const refunds = cancelled ? cancelRefunds : closedRefunds;
    expect(after[2] - before[2], "hospital balance change").to.equal(refunds + penalties - funded);
    const sum = (xs: bigint[]) => xs.reduce((x, y) => x + y, 0n);
    expect(sum(after), "tokens conserved").to.equal(sum(before));
  }
}

describe("OrderBook: invariants under random action sequences", function () {
  this.timeout(180_000);

  it(`hold after every step of ${RUNS} random runs of up to ${MAX_ACTIONS} actions`, async function () {
    const ctx = await loadFixture(invariantFixture);
    const book = await ctx.ledger.orderBook.getAddress();
    await fc.assert(
      fc.asyncProperty(
        fc.array(placeArb, { minLength: 2, maxLength: 5 }),
        fc.array(actionArb, { minLength: 20, maxLength: MAX_ACTIONS, size: "max" }),
        async (prelude, actions) => {
          const snapshot = await takeSnapshot();
          try {
            const runner = new Runner(ctx, { shipments: [], settled: new Set() }, book);
            // A few orders, each approved until funded (alternating approvers), so the random
            // part starts with something to ship, confirm and cancel; every step is checked.
            for (const place of prelude) await runner.step(place);
            for (let k = 0; k < 2 * prelude.length; k++) {
              await runner.step({ kind: "approve", order: { i: 0, any: false }, approver: k % 2 });
            }
            for (const action of actions) await runner.step(action);
          } finally {
            await snapshot.restore();
          }
        },
      ),
      // A failure shrinks for at most the time limit, then reports the smallest case found.
      { numRuns: RUNS, interruptAfterTimeLimit: 100_000, markInterruptAsFailure: true },
    );

    if (process.env.INVARIANT_STATS) console.log(stats);
    // The runs must have reached the interesting paths, or the invariants held vacuously.
    for (const key of [
      "place:ok",
      "approve:ok",
      "ship:ok",
      "confirm:ok",
      "confirm:paid",
      "confirm:rejected-all",
    ]) {
      expect(stats[key] ?? 0, `no successful ${key}`).to.be.greaterThan(0);
    }
    expect((stats["cancel:ok"] ?? 0) + (stats["agree:ok"] ?? 0), "no cancellation").to.be.greaterThan(0);
  });
});
