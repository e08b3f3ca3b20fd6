import type { JsonRpcProvider } from "ethers";
import type { Db } from "../../../../server/db";
import { LedgerEventDecoder, type EventArgs } from "../../../../ledger/events";
import type { DeploymentRecord, Ledger } from "../../../../ledger/contracts";
import { ORDER_STATUS, TRACE_STEPS } from "../../../../ledger/enums";
import { acceptedUnits, fundedVolume } from "../../support/agreement-volumes";

/**
 * Writes the chain's ledger events into `chain_events` and the projections the trail reads
 * (orders, approvals, agreements and their hospitals' volumes, shipments, trace events,
 * settlements, recalls), taking the state columns from the contracts' views — so the trail
 * service can be tested on a database that holds exactly what the chain does, without the
 * indexer. Only the columns the trail reads are chosen; the rest get fixed placeholders.
 */
export async function projectChain(
  db: Db,
  provider: JsonRpcProvider,
  ledger: Ledger,
  deployment: DeploymentRecord,
): Promise<void> {
  const decoder = new LedgerEventDecoder(deployment.contracts);
  const logs = await provider.getLogs({
    address: decoder.addresses,
    fromBlock: deployment.deploymentBlock,
    toBlock: await provider.getBlockNumber(),
  });
  const blockTimes = new Map<number, Date>();
  const traceCount = new Map<string, number>();
  const recalls = new Map<string, { tx: string; log: number }>();

  for (const log of logs) {
    const decoded = decoder.decode(log);
    if (!decoded) continue;
    if (!blockTimes.has(log.blockNumber)) {
      blockTimes.set(log.blockNumber, new Date((await provider.getBlock(log.blockNumber))!.timestamp * 1000));
    }
    const at = blockTimes.get(log.blockNumber)!.toISOString();
    const pos = { tx: log.transactionHash.toLowerCase(), block: log.blockNumber, log: log.index };
    const a = decoded.args;
    await db.query(
      `INSERT INTO chain_events (block_number, block_hash, block_time, tx_hash, tx_index, log_index, contract, address,
         event, args)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        log.blockNumber,
        log.blockHash,
        at,
        pos.tx,
        log.transactionIndex,
        log.index,
        decoded.contract,
        decoded.address,
        decoded.event,
        JSON.stringify(a),
      ],
    );
    const key = `${decoded.contract}.${decoded.event}`;
    if (key in PROJECTIONS) await PROJECTIONS[key](db, a, at, pos, { traceCount, recalls });
  }

  // The state columns, as the contracts hold them now.
  const { rows: orders } = await db.query<{ id: string }>(`SELECT id FROM orders`);
  for (const { id } of orders) {
    const o = await ledger.orderBook.order(id);
    await db.query(
      `UPDATE orders SET status = $2, shipped = $3, accepted = $4, cancelled = $5, escrow = $6, excess_consented = $7,
         late_shipment_allowed = $8, funding_expires_at = $9 WHERE id = $1`,
      [
        id,
        ORDER_STATUS[Number(o.status)],
        o.shipped.toString(),
        o.accepted.toString(),
        o.cancelled.toString(),
        o.escrow.toString(),
        o.excessConsented,
        o.lateShipmentAllowed,
        iso(o.fundingExpiresAt),
      ],
    );
  }
  const { rows: shipments } = await db.query<{ id: string }>(`SELECT id FROM shipments`);
  for (const { id } of shipments) {
    const s = await ledger.trace.shipmentState(id);
    const disputedUnits = await ledger.orderBook.disputedUnits(id);
    await db.query(
      `UPDATE shipments SET arrived_at = $2, chain_received_at = $3, excursion = $4, excursion_waived = $5,
         confirmed = $6, disputed_units = $7 WHERE id = $1`,
      [
        id,
        s.arrivedAt === 0n ? null : iso(s.arrivedAt),
        s.receivedAt === 0n ? null : iso(s.receivedAt),
        s.excursion,
        s.excursionWaived,
        s.confirmed,
        disputedUnits.toString(),
      ],
    );
  }
  const { rows: volumes } = await db.query<{ agreement_id: string; hospital: string }>(
    `SELECT agreement_id, hospital FROM agreement_hospitals`,
  );
  for (const v of volumes) {
    const h = await ledger.agreements.hospitalVolume(v.agreement_id, v.hospital);
    const a = await ledger.agreements.agreement(v.agreement_id);
    await db.query(
      `UPDATE agreement_hospitals SET ordered = $3, accepted = $4 WHERE agreement_id = $1 AND hospital = $2`,
      [
        v.agreement_id,
        v.hospital,
        h.funded.toString(),
        (await acceptedUnits(ledger, v.agreement_id, v.hospital)).toString(),
      ],
    );
    await db.query(`UPDATE agreements SET funded_volume = $2, accepted_volume = $3 WHERE id = $1`, [
      v.agreement_id,
      (await fundedVolume(ledger, v.agreement_id)).toString(),
      a.acceptedVolume.toString(),
    ]);
  }
}

interface Position {
  tx: string;
  block: number;
  log: number;
}

type Projection = (
  db: Db,
  a: EventArgs,
  at: string,
  pos: Position,
  memo: { traceCount: Map<string, number>; recalls: Map<string, { tx: string; log: number }> },
) => Promise<void>;

const s = (v: unknown) => String(v);
const iso = (seconds: bigint | unknown) => new Date(Number(seconds) * 1000).toISOString();
const obj = (v: unknown) => v as Record<string, unknown>;

const PROJECTIONS: Record<string, Projection> = {
  "agreements.AgreementCreated": async (db, a, _at, pos) => {
    await db.query(
      `INSERT INTO agreements (id, tender_id, supplier, category, start_at, end_at, tiers, lead_time_days,
         penalty_bps_per_day, penalty_cap_bps, last_tx, last_block)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0, 0, $8, $9)`,
      [
        s(a.agreementId),
        s(a.tenderId),
        s(a.supplier),
        s(a.category),
        iso(a.start),
        iso(a.end),
        "[]",
        pos.tx,
        pos.block,
      ],
    );
    const hospitals = a.hospitals as string[];
    const volumes = a.volumes as string[];
    for (const [i, hospital] of hospitals.entries()) {
      await db.query(
        `INSERT INTO agreement_hospitals (agreement_id, hospital, committed) VALUES ($1, $2, $3)`,
        [s(a.agreementId), hospital, volumes[i]],
      );
    }
  },
  "orderBook.OrderPlaced": async (db, a, at, pos) => {
    await db.query(
      `INSERT INTO orders (id, agreement_id, hospital, supplier, placed_by, quantity, value, requested_delivery,
         delivery_deadline, funding_expires_at, order_ref, status, placed_at, last_tx, last_block)
       SELECT $1, $2, $3, a.supplier, $4, $5, 0, $6, $7, $8, $9, 'placed', $10, $11, $12
       FROM agreements a WHERE a.id = $2`,
      [
        s(a.orderId),
        s(a.agreementId),
        s(a.hospital),
        s(a.placedBy),
        s(a.quantity),
        iso(a.requestedDelivery),
        iso(a.deliveryDeadline),
        iso(a.fundingExpiresAt),
        s(a.orderRef),
        at,
        pos.tx,
        pos.block,
      ],
    );
  },
  "orderBook.OrderApproved": async (db, a, at, pos) => {
    await db.query(
      `INSERT INTO order_approvals (order_id, approver, approvals, required, approved_at, tx_hash, block_number, log_index)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [s(a.orderId), s(a.approver), a.approvals, a.required, at, pos.tx, pos.block, pos.log],
    );
  },
  "orderBook.OrderFunded": async (db, a) => {
    await db.query(`UPDATE orders SET value = $2 WHERE id = $1`, [s(a.orderId), s(a.amount)]);
  },
  "trace.ShipmentCreated": async (db, a, _at, pos) => {
    const r = obj(a.record);
    await db.query(
      `INSERT INTO shipments (id, order_id, supplier, hospital, lot_key, gtin, lot, expiry, quantity, serial_root,
         notice_hash, created_at, last_tx, last_block)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [
        s(a.shipmentId),
        s(r.orderId),
        s(a.supplier),
        s(r.hospital),
        s(a.lotKey),
        s(r.gtin).padStart(14, "0"),
        s(r.lot),
        iso(r.expiry),
        s(r.quantity),
        s(r.serialRoot),
        s(r.noticeHash),
        iso(r.createdAt),
        pos.tx,
        pos.block,
      ],
    );
  },
  "trace.TraceEventRecorded": async (db, a, at, pos, memo) => {
    const index = (memo.traceCount.get(s(a.shipmentId)) ?? 0) + 1;
    memo.traceCount.set(s(a.shipmentId), index);
    await db.query(
      `INSERT INTO trace_events (shipment_id, event_index, step, actor, location, event_time, sensor_digest, excursion,
         tx_hash, block_number, log_index, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        s(a.shipmentId),
        index,
        TRACE_STEPS[Number(a.step)],
        s(a.actor),
        s(a.location),
        iso(a.eventTime),
        s(a.sensorDigest),
        a.excursion,
        pos.tx,
        pos.block,
        pos.log,
        at,
      ],
    );
  },
  "orderBook.ShipmentSettled": async (db, a, at, pos) => {
    const c = obj(a.confirmation);
    const p = obj(a.payout);
    await db.query(
      `INSERT INTO settlements (shipment_id, order_id, supplier, settled_by, accepted, rejected, delivered_at,
         receipt_hash, gross, penalty, paid, days_late, paid_at, tx_hash, block_number, log_index)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
      [
        s(a.shipmentId),
        s(a.orderId),
        s(a.supplier),
        s(a.settledBy),
        s(c.accepted),
        s(c.rejected),
        iso(p.deliveredAt),
        s(c.receiptHash),
        s(p.gross),
        s(p.penalty),
        s(p.paid),
        Number(p.daysLate),
        at,
        pos.tx,
        pos.block,
        pos.log,
      ],
    );
  },
  "trace.LotRecalled": async (db, a, at, pos, memo) => {
    await db.query(
      `INSERT INTO recalls (lot_key, gtin, lot, scope, recalled_by, reason_code, recalled_at, tx_hash, block_number,
         log_index)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        s(a.lotKey),
        s(a.gtin).padStart(14, "0"),
        s(a.lot),
        s(a.scope),
        s(a.by),
        Number(a.reasonCode),
        at,
        pos.tx,
        pos.block,
        pos.log,
      ],
    );
    memo.recalls.set(`${s(a.lotKey)}/${s(a.scope)}`, { tx: pos.tx, log: pos.log });
  },
  "trace.RecallLifted": async (db, a, at, pos, memo) => {
    const recall = memo.recalls.get(`${s(a.lotKey)}/${s(a.scope)}`)!;
    await db.query(
      `UPDATE recalls SET lifted_at = $3, lifted_by = $4, lift_reason_code = $5, lift_tx_hash = $6,
         lift_block_number = $7, lift_log_index = $8
       WHERE tx_hash = $1 AND log_index = $2`,
      [recall.tx, recall.log, at, s(a.regulator), Number(a.reasonCode), pos.tx, pos.block, pos.log],
    );
  },
};
