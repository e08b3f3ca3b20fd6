import type { SerialProof } from "../../../api/shipments";
import type { TrailStep, TrailSubject } from "../../../api/trail";
import { visible } from "../auth/auth.plugin";
import type { Db } from "../../db";
import { appError } from "../../plugins/error-catalogue";
import { ManifestService } from "../shipments/manifest.service";
import { chainSteps } from "./trail.chain-steps";
import { offChainSteps } from "./trail.offchain-steps";
import { qualificationOf } from "./trail.qualification";
import * as repo from "./trail.repository";
import { distinctLots, str, unique } from "./trail.rows";
import { trailState } from "./trail.state";
import type { TrailContext, TrailData } from "./trail.types";
import { usageSteps } from "./trail.usage-steps";

/**
 * Reads everything a trail is made of in one snapshot (a trail never mixes two indexer states):
 * the subject's orders and shipments within the caller's scope, the on-chain steps
 * (trail.chain-steps.ts), what the gateway holds itself (trail.offchain-steps.ts,
 * trail.usage-steps.ts), a serial's proofs, the supplier's qualification at each moment the
 * ledger checked it, and the ledger's state as the projections hold it.
 */
export async function loadTrail(
  db: Db,
  ctx: TrailContext,
  subject: TrailSubject,
  scope: repo.TrailScope,
): Promise<TrailData> {
  return repo.inSnapshot(db, async (db) => {
    const { orders, shipments, serialRows } = await subjectRows(db, subject, scope);
    const onChain = await chainSteps(db, ctx, orders, shipments);
    const serials = await repo.manifestSerialsOf(
      db,
      shipments.map((s) => str(s.id)),
    );
    const offChain = await offChainSteps(db, subject, scope, shipments, onChain.settlements);
    const steps: TrailStep[] = [
      ...onChain.steps,
      ...offChain.steps,
      ...(await usageSteps(db, subject, scope, orders, shipments, serials)),
    ];

    let proofs: SerialProof[] | undefined;
    if (subject.type === "serial") {
      proofs = [];
      const manifests = new ManifestService(db);
      for (const s of serialRows) proofs.push(await manifests.proof(str(s.id), subject.serial));
      if (shipments.length === 0 && steps.length === 0) {
        throw appError(
          "SERIAL_NOT_FOUND",
          `serial ${subject.serial} of GTIN ${subject.gtin} is in no manifest, receipt or usage visible to you`,
        );
      }
    }

    steps.sort(byTime);
    const agreementIds = onChain.agreements.map((a) => str(a.id));
    const hospitals = unique(orders.map((o) => o.hospital));
    const volumes = await repo.agreementHospitals(db, agreementIds, hospitals);
    return {
      subject,
      scope,
      orders,
      shipments,
      lots: distinctLots(shipments),
      steps,
      qualification: qualificationOf(steps, onChain.tenderEvents, onChain.agreements, orders),
      state: trailState(shipments, orders, onChain.agreements, volumes, onChain.recalls),
      proofs,
      serials,
      created: onChain.created,
      receipts: offChain.receipts,
      settlements: onChain.settlements,
      traces: onChain.traces,
      recalls: onChain.recalls,
    };
  });
}

/** The subject's orders and shipments within the caller's scope; 404 when there are none. */
async function subjectRows(
  db: Db,
  subject: TrailSubject,
  scope: repo.TrailScope,
): Promise<{
  orders: repo.OrderRow[];
  shipments: repo.ShipmentRow[];
  serialRows: (repo.ShipmentRow & { leaf_index: number })[];
}> {
  if (subject.type === "order") {
    const [order] = await repo.ordersById(db, [subject.orderId]);
    if (!order || !visible(scope, order)) {
      throw appError("ORDER_NOT_FOUND", `no order ${subject.orderId} visible to you`);
    }
    return { orders: [order], shipments: await repo.shipmentsOfOrder(db, subject.orderId), serialRows: [] };
  }
  if (subject.type === "lot") {
    const shipments = await repo.shipmentsOfLot(db, subject, scope);
    if (shipments.length === 0) {
      throw appError(
        "LOT_NOT_FOUND",
        `no shipment of GTIN ${subject.gtin} lot ${subject.lot} visible to you`,
      );
    }
    const orders = await repo.ordersById(db, unique(shipments.map((s) => str(s.order_id))));
    return { orders, shipments, serialRows: [] };
  }
  const serialRows = await repo.shipmentsOfSerial(db, subject.gtin, subject.serial, scope);
  const orders = await repo.ordersById(db, unique(serialRows.map((s) => str(s.order_id))));
  return { orders, shipments: serialRows, serialRows };
}

/**
 * Time order. Within one instant the gateway's steps come first: it dates them at the end of the
 * latest block's second (`ledgerTime`), so a block stamped with that same second was mined after
 * them. Among themselves, in the order one delivery makes them (a resolution before the payment it
 * queues); then chain order (block, log), and ids.
 */
export function byTime(a: TrailStep, b: TrailStep): number {
  return (
    Date.parse(a.at) - Date.parse(b.at) ||
    rank(a) - rank(b) ||
    (a.onChain?.blockNumber ?? 0) - (b.onChain?.blockNumber ?? 0) ||
    (a.onChain?.logIndex ?? 0) - (b.onChain?.logIndex ?? 0) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** Off-chain steps in the order a delivery makes them; every on-chain step after them. */
const OFF_CHAIN_ORDER = ["manifest", "receipt", "match", "exception", "resolution", "payment", "usage"];

function rank(s: TrailStep): number {
  if (s.source === "chain") return OFF_CHAIN_ORDER.length;
  const i = OFF_CHAIN_ORDER.indexOf(s.kind);
  return i === -1 ? OFF_CHAIN_ORDER.length - 1 : i;
}
