import { GLOBAL_RECALL_SCOPE } from "../../../ledger/enums";
import type { Db } from "../../db";
import { appError } from "../../plugins/error-catalogue";
import { isProductKey } from "../../../ledger/product-key";
import { isValidGtin } from "../barcodes";
import { parseInstant } from "../usages/usages.time";
import type { FulfilmentHospital, FulfilmentReport } from "../../../api/fulfilment";
import type { OverduePayment, PaymentHold } from "../../../api/payments";
import type { RecallExposure } from "../../../api/recalls";
import type {
  FlagCode,
  ReconciliationFlag,
  ReconciliationQuery,
  ReconciliationReport,
  ReconciliationRow,
} from "../../../api/reconciliation";
import type { PageQuery } from "../../lib/keyset-list";
import {
  cursorKey,
  cursorValues,
  DEFAULT_LIMIT,
  ID_KEY,
  invalidCursor,
  toPage,
  type Page,
} from "../../lib/pagination";
import * as repo from "./reconciliation.repository";

/**
 * The regulator's purchase–receipt–use comparison: what each hospital ordered, was shipped,
 * accepted and paid for on-chain, against what its billing system says it used, per GTIN and
 * lot — with every discrepancy flagged and backed by the records that show it. Also the
 * volume-commitment fulfilment of an agreement, payments held past the policy limit, and a
 * recalled lot's exposure.
 *
 * Invariants:
 * - Figures are aggregated by SQL (reconciliation.repository.ts); this file only shapes them.
 * - Units and money are decimal strings (NUMERIC in SQL, bigint in arithmetic), never floats.
 * - Every flag carries its evidence: usage ids, receipt numbers, transaction hashes.
 *
 * Attribution of orders to lots: an order is for an agreement (a category), not a GTIN or lot;
 * only its shipments name those. Each shipment's quantity is taken as the share of its order
 * for that GTIN and lot, so per lot "ordered" equals "shipped"; the part of an order not yet
 * shipped has no lot and shows in `fulfilment()` instead.
 *
 * Recalls have a scope: a regulator's covers every supplier's shipments of the lot, a supplier's
 * only its own, so a recall concerns a hospital only when it received the lot from a supplier the
 * recall covers. A lifted recall is in force from its recall to its lift.
 */

// The CSV columns (reconciliation.csv.ts) are typed by the reports' wire types.
export type { FulfilmentHospital, FulfilmentReport, OverduePayment, RecallExposure, ReconciliationRow };

/** Who reads a fulfilment report: a hospital, a supplier, or (neither) a regulator. */
export interface FulfilmentViewer {
  hospital?: string;
  supplier?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_BIGINT = 2n ** 63n - 1n;
const FLAG_ORDER: readonly FlagCode[] = [
  "PHANTOM_USE",
  "SERIAL_REUSED",
  "RESOLD",
  "USED_AFTER_EXPIRY",
  "USED_FROM_RECALLED_LOT",
  "USED_AFTER_EXCURSION",
  "PRICE_MARKUP",
  "WASTE",
];

export class ReconciliationService {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * One row per hospital × GTIN × lot that was shipped to or used at the hospital. Figures are
   * balances as of `to` (default now) — stock is a balance, and comparing use in a period with
   * acceptance in the same period would flag stock bought before it — while `from` only
   * limits which lots are listed, to those with activity since. Without `bothSides` (a
   * hospital's own report) a flag that involves another hospital says so without naming it or
   * its records.
   */
  async report(query: ReconciliationQuery = {}, bothSides = true): Promise<ReconciliationReport> {
    const asOf = query.to === undefined ? this.now() : instant("to", query.to);
    const from = query.from === undefined ? undefined : instant("from", query.from);
    if (from !== undefined && from >= asOf) throw invalid("from", "must be before to");
    const scope: repo.LotScope = { asOf };
    if (query.hospital !== undefined) scope.hospital = address("hospital", query.hospital);
    if (query.gtin !== undefined) scope.gtin = gtin(query.gtin);
    if (query.lot !== undefined) scope.lot = lot(query.lot);
    if (from !== undefined) scope.from = from;
    const after = cursorValues(query.cursor, 3);
    if (after !== null) scope.after = after as unknown as repo.LotKey;
    const limit = query.limit ?? DEFAULT_LIMIT;

    const [balances, findings] = await this.snapshot(async (tx) => {
      const rows = await repo.lotBalances(tx, scope, limit + 1);
      const page = rows.slice(0, limit);
      // The findings of this page's rows only: from the cursor through its last row.
      const last = page[page.length - 1];
      const found = last ? await repo.usageFindings(tx, { ...scope, through: keyOf(last) }) : [];
      return [rows, found] as const;
    });
    const findingsByRow = new Map<string, repo.FindingRow[]>();
    for (const f of findings) {
      const key = rowKey(f);
      const row = findingsByRow.get(key);
      if (row) row.push(f);
      else findingsByRow.set(key, [f]);
    }
    const page = toPage(balances, limit, rowKey, (b) => {
      const row = reportRow(b, findingsByRow.get(rowKey(b)) ?? [], asOf);
      return bothSides ? row : { ...row, flags: row.flags.map((f) => ownSideOf(f, b.hospital)) };
    });
    return {
      asOf: asOf.toISOString(),
      from: from?.toISOString() ?? null,
      rows: page.items,
      nextCursor: page.nextCursor,
    };
  }

  /**
   * `viewer` is who asks: a regulator ({}) sees every hospital, the agreement's supplier too; a
   * hospital sees only its own row. An agreement the viewer is no party to answers exactly like
   * a missing one, so its existence is not revealed either.
   */
  async fulfilment(
    agreementId: string,
    viewer: FulfilmentViewer = {},
    page: PageQuery = {},
  ): Promise<FulfilmentReport> {
    // Agreement ids are BIGINT: anything else could not name one.
    if (!/^[1-9]\d{0,18}$/.test(agreementId) || BigInt(agreementId) > MAX_BIGINT) {
      throw invalid("agreementId", "must be a positive whole number within BIGINT");
    }
    const notFound = () => appError("AGREEMENT_NOT_FOUND", `agreement ${agreementId} is not on the ledger`);
    const agreement = await repo.findAgreement(this.db, agreementId);
    if (!agreement) throw notFound();
    if (viewer.supplier !== undefined && agreement.supplier !== viewer.supplier.toLowerCase())
      throw notFound();
    const now = this.now();
    const msLeft = agreement.end_at.getTime() - now.getTime();
    const daysRemaining = msLeft > 0 ? Math.ceil(msLeft / DAY_MS) : 0;
    const days = BigInt(daysRemaining);
    const own = viewer.hospital?.toLowerCase();
    const hospitals = await repo.fulfilment(this.db, agreementId, own, page);
    // A hospital that is no party to the agreement: its first page has no row of its own.
    if (own !== undefined && page.cursor === undefined && hospitals.items.length === 0) throw notFound();
    return {
      agreementId,
      supplier: agreement.supplier,
      category: agreement.category,
      startAt: agreement.start_at.toISOString(),
      endAt: agreement.end_at.toISOString(),
      asOf: now.toISOString(),
      daysRemaining,
      nextCursor: hospitals.nextCursor,
      hospitals: hospitals.items.map((r) => {
        const committed = BigInt(r.committed);
        const accepted = BigInt(r.accepted);
        const remaining = committed > accepted ? committed - accepted : 0n;
        return {
          hospital: r.hospital,
          committed: r.committed,
          ordered: r.ordered,
          accepted: r.accepted,
          orderedPercent: committed === 0n ? null : percent(BigInt(r.ordered), committed),
          acceptedPercent: committed === 0n ? null : percent(accepted, committed),
          remaining: remaining.toString(),
          // A pace is a minimum: rounded up, so meeting it meets the commitment.
          perDay: days === 0n ? null : hundredthsUp(remaining, days),
          per30Days: days === 0n ? null : hundredthsUp(remaining * 30n, days),
        };
      }),
    };
  }

  /**
   * Accepted shipments still unpaid on-chain more than `days` days after acceptance (national
   * policy: 30), oldest first, each with every reason its payment is held.
   */
  async overduePayments(
    days = 30,
    parties: { hospital?: string; supplier?: string; payer?: string } = {},
    page: PageQuery = {},
  ): Promise<Page<OverduePayment>> {
    if (!Number.isInteger(days) || days < 0 || days > 36_500) {
      throw invalid("days", "must be a whole number of days from 0 to 36500");
    }
    const now = this.now();
    const limit = page.limit ?? DEFAULT_LIMIT;
    const after = cursorValues(page.cursor, 2);
    // Both go into SQL casts: a value this API never issued must not reach them.
    if (after !== null && (!ID_KEY.test(after[1]) || Number.isNaN(Date.parse(after[0]))))
      throw invalidCursor(page.cursor!);
    const rows = await repo.unpaidAcceptedShipments(
      this.db,
      new Date(now.getTime() - days * DAY_MS),
      {
        hospital: parties.hospital === undefined ? undefined : address("hospital", parties.hospital),
        supplier: parties.supplier === undefined ? undefined : address("supplier", parties.supplier),
        payer: parties.payer,
      },
      after === null ? undefined : { acceptedAt: after[0], shipmentId: after[1] },
      limit + 1,
    );
    return toPage(
      rows,
      limit,
      (r) => cursorKey([r.accepted_at.toISOString(), String(r.shipment_id)]),
      (r) => ({
        shipmentId: String(r.shipment_id),
        orderId: String(r.order_id),
        hospital: r.hospital,
        supplier: r.supplier,
        receiptNo: r.receipt_no,
        gtin: r.gtin,
        lot: r.lot,
        accepted: r.accepted,
        acceptedAt: r.accepted_at.toISOString(),
        daysOutstanding: Math.floor((now.getTime() - r.accepted_at.getTime()) / DAY_MS),
        fundShare: r.fund_share,
        holds: holdsOf(r),
      }),
    );
  }

  /**
   * Where a lot went: every hospital that received or used it, its stock, whether a recall in
   * force covers its supply, and use per department.
   */
  async recallExposure(gtinValue: string, lotValue: string): Promise<RecallExposure> {
    const g = gtin(gtinValue);
    const l = lot(lotValue);
    const { expiry, recalls, hospitals, departments } = await this.snapshot(async (tx) => {
      const lotExpiry = await repo.lotExpiry(tx, g, l);
      if (lotExpiry === null) {
        throw appError("LOT_NOT_FOUND", `lot ${l} of GTIN ${g} was never shipped`, { gtin: g, lot: l });
      }
      return {
        expiry: lotExpiry,
        recalls: await repo.recallsOfLot(tx, g, l),
        hospitals: await repo.exposureByHospital(tx, g, l),
        departments: await repo.exposureByDepartment(tx, g, l),
      };
    });
    const active = recalls.filter((r) => r.lifted_at === null);
    const first = [...active].sort((a, b) => a.recalled_at.getTime() - b.recalled_at.getTime())[0];
    return {
      gtin: g,
      lot: l,
      expiry: expiry.toISOString(),
      recall: first
        ? {
            recalledAt: first.recalled_at.toISOString(),
            txHash: first.tx_hash,
            reasonCode: first.reason_code,
            scope: first.scope,
          }
        : null,
      recalls: recalls.map((r) => ({
        scope: r.scope,
        recalledBy: r.recalled_by,
        recalledAt: r.recalled_at.toISOString(),
        txHash: r.tx_hash,
        reasonCode: r.reason_code,
        active: r.lifted_at === null,
        lift:
          r.lifted_at === null
            ? null
            : {
                liftedAt: r.lifted_at.toISOString(),
                liftedBy: r.lifted_by!,
                reasonCode: r.lift_reason_code!,
                txHash: r.lift_tx_hash!,
              },
      })),
      hospitals: hospitals.map((h) => ({
        hospital: h.hospital,
        received: h.received,
        accepted: h.accepted,
        used: h.used,
        returned: h.returned,
        sentOut: h.sent_out,
        onHand: onHandOf(h).toString(),
        receiptNos: h.receipt_nos,
        txHashes: h.tx_hashes,
        suppliers: h.suppliers,
        recalled: active.some((r) => r.scope === GLOBAL_RECALL_SCOPE || h.suppliers.includes(r.scope)),
        departments: departments
          .filter((d) => d.hospital === h.hospital)
          .map((d) => ({
            department: d.department,
            usages: d.usages,
            patients: d.patients,
            used: d.used,
            returned: d.returned,
            usedAfterRecall: d.used_after_recall,
          })),
      })),
    };
  }

  /**
   * Runs a report's queries on one snapshot, so that figures, flags and lists taken by separate
   * queries describe the same moment even while usages and settlements keep arriving.
   */
  private snapshot<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      await tx.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      return fn(tx);
    });
  }
}

/** Units accepted and still held: not used (net of returns from use), not sent out. */
function onHandOf(r: { accepted: string; used: string; returned: string; sent_out: string }): bigint {
  return BigInt(r.accepted) - BigInt(r.used) + BigInt(r.returned) - BigInt(r.sent_out);
}

function reportRow(b: repo.LotBalanceRow, findings: repo.FindingRow[], asOf: Date): ReconciliationRow {
  const onHand = onHandOf(b);
  const flags = findings.map((f) => flagOf(f, b));
  // Units accepted and still on hand when the lot expired can no longer be used: wasted. So are
  // units moved out of the hospital after it expired: they expired in its hands.
  const wasted = onHand + BigInt(b.sent_after_expiry);
  if (b.expiry !== null && b.expiry <= asOf && wasted > 0n) {
    flags.push({
      code: "WASTE",
      evidence: {
        expiry: b.expiry.toISOString(),
        units: wasted.toString(),
        receiptNos: b.receipt_nos,
        txHashes: b.tx_hashes,
      },
    });
  }
  flags.sort((x, y) => FLAG_ORDER.indexOf(x.code) - FLAG_ORDER.indexOf(y.code) || sameCodeOrder(x, y));
  return {
    hospital: b.hospital,
    gtin: b.gtin,
    lot: b.lot,
    expiry: b.expiry?.toISOString() ?? null,
    ordered: b.shipped,
    shipped: b.shipped,
    accepted: b.accepted,
    rejected: b.rejected,
    used: b.used,
    returned: b.returned,
    sentOut: b.sent_out,
    billedQuantity: b.billed_quantity,
    billedAmount: b.billed_amount,
    onHand: onHand.toString(),
    flags,
  };
}

/** Several findings of one code in a row: recalls by when they began, excursions by when they happened. */
function sameCodeOrder(x: ReconciliationFlag, y: ReconciliationFlag): number {
  if (x.code === "USED_FROM_RECALLED_LOT" && y.code === "USED_FROM_RECALLED_LOT")
    return x.evidence.recalledAt.localeCompare(y.evidence.recalledAt);
  if (x.code === "USED_AFTER_EXCURSION" && y.code === "USED_AFTER_EXCURSION")
    return (
      x.evidence.excursionAt.localeCompare(y.evidence.excursionAt) ||
      Number(BigInt(x.evidence.shipmentId) - BigInt(y.evidence.shipmentId))
    );
  return 0;
}

/** A flag as the hospital it concerns may see it: other hospitals and their records left out. */
function ownSideOf(flag: ReconciliationFlag, hospital: string): ReconciliationFlag {
  switch (flag.code) {
    case "RESOLD":
      return { ...flag, evidence: { ...flag.evidence, receivedBy: null, receiptNo: null } };
    case "SERIAL_REUSED":
      return {
        ...flag,
        evidence: {
          ...flag.evidence,
          uses: flag.evidence.uses.map((u) =>
            u.hospital === hospital ? u : { hospital: null, usageId: null },
          ),
        },
      };
    default:
      return flag;
  }
}

function flagOf(f: repo.FindingRow, b: repo.LotBalanceRow): ReconciliationFlag {
  const usageIds = f.usage_ids;
  const detail = f.detail ?? {};
  switch (f.code) {
    case "PHANTOM_USE":
      return {
        code: f.code,
        evidence: {
          accepted: b.accepted,
          sentOut: b.sent_out,
          usedNet: (BigInt(b.used) - BigInt(b.returned)).toString(),
          billedQuantity: b.billed_quantity,
          usageIds,
          receiptNos: b.receipt_nos,
          txHashes: b.tx_hashes,
          sentOutTxHashes: b.sent_out_tx_hashes,
        },
      };
    case "SERIAL_REUSED":
      return {
        code: f.code,
        evidence: {
          serial: f.serial!,
          usageIds,
          uses: detail.uses as { hospital: string; usageId: string }[],
        },
      };
    case "RESOLD":
      return {
        code: f.code,
        evidence: {
          serial: f.serial!,
          usageIds,
          receivedBy: detail.receivedBy as string,
          receiptNo: detail.receiptNo as string,
        },
      };
    case "USED_AFTER_EXPIRY":
      // The finding joined the lot's expiry, so the balance row has it too.
      return { code: f.code, evidence: { expiry: b.expiry!.toISOString(), usageIds } };
    case "USED_FROM_RECALLED_LOT":
      return {
        code: f.code,
        evidence: {
          recalledAt: new Date(detail.recalledAt as string).toISOString(),
          txHash: detail.txHash as string,
          scope: detail.scope as string,
          liftedAt: detail.liftedAt === null ? null : new Date(detail.liftedAt as string).toISOString(),
          usageIds,
        },
      };
    case "USED_AFTER_EXCURSION":
      return {
        code: f.code,
        evidence: {
          shipmentId: detail.shipmentId as string,
          excursionAt: new Date(detail.excursionAt as string).toISOString(),
          txHash: detail.txHash as string,
          usageIds,
        },
      };
    case "PRICE_MARKUP":
      return {
        code: f.code,
        evidence: {
          usageIds,
          billed: detail.billed as { usageId: string; quantity: string; amount: string }[],
          prices: detail.prices as {
            orderId: string;
            shipmentId: string | null;
            quantity: string;
            value: string;
          }[],
        },
      };
  }
}

function holdsOf(r: repo.UnpaidRow): PaymentHold[] {
  const holds: PaymentHold[] = [];
  if (r.open_exception_ids.length > 0) {
    holds.push({
      code: "OPEN_EXCEPTION",
      exceptionIds: r.open_exception_ids,
      reasonCodes: r.open_reason_codes,
    });
  }
  if (r.recalled_at !== null) {
    holds.push({
      code: "LOT_RECALLED",
      recalledAt: r.recalled_at.toISOString(),
      txHash: r.recall_tx!,
      scope: r.recall_scope!,
    });
  }
  switch (r.job_status) {
    case null:
      holds.push({ code: "NO_SETTLEMENT_JOB" });
      break;
    case "failed":
      holds.push({ code: "SETTLEMENT_FAILED", errorName: r.error_name });
      break;
    case "pending":
      holds.push({ code: "SETTLEMENT_PENDING" });
      break;
    case "submitted":
      holds.push({ code: "SETTLEMENT_SUBMITTED", txHash: r.job_tx });
      break;
    case "confirmed":
      holds.push({ code: "SETTLEMENT_NOT_INDEXED", txHash: r.job_tx });
      break;
  }
  return holds;
}

function keyOf(r: { hospital: string; gtin: string; lot: string }): repo.LotKey {
  return [r.hospital, r.gtin, r.lot];
}

function rowKey(r: { hospital: string; gtin: string; lot: string }): string {
  return cursorKey([...keyOf(r)]);
}

/** `part / whole` as a percentage with two decimals, rounded down. */
function percent(part: bigint, whole: bigint): string {
  return hundredths((part * 10_000n) / whole);
}

/** `numerator / denominator` with two decimals, rounded up. */
function hundredthsUp(numerator: bigint, denominator: bigint): string {
  return hundredths((numerator * 100n + denominator - 1n) / denominator);
}

function hundredths(value: bigint): string {
  return `${value / 100n}.${(value % 100n).toString().padStart(2, "0")}`;
}

function invalid(field: string, why: string) {
  return appError("VALIDATION_FAILED", `${field} ${why}`, { field });
}

function address(field: string, value: string): string {
  if (!/^0x[0-9a-fA-F]{40}$/.test(value)) throw invalid(field, "must be a 0x-prefixed 20-byte hex address");
  return value.toLowerCase();
}

/** A GTIN-8/12/13/14, widened to the GTIN-14 the ledger stores, or a product key as it is. */
function gtin(value: string): string {
  if (isProductKey(value)) return value;
  if (!isValidGtin(value))
    throw invalid("gtin", "must be a GTIN-8, -12, -13 or -14 with a correct check digit");
  return value.padStart(14, "0");
}

function lot(value: string): string {
  if (value === "" || value.length > 20) throw invalid("lot", "must be 1 to 20 characters (GS1 AI 10)");
  return value;
}

function instant(field: string, value: string): Date {
  const date = parseInstant(value);
  if (date === null) throw invalid(field, "must be an ISO 8601 date-time with a time zone");
  return date;
}
