import type { AgreementState, OrderState, ShipmentState, TrailState } from "../../../api/trail";
import { GLOBAL_SCOPE } from "../../../ledger/trail/figures";
import { recordHash, recordOf } from "../../../ledger/trail/shipment-record";
import { shipmentFigures } from "./trail.chain-steps";
import type * as repo from "./trail.repository";
import { iso, isoOrNull, str } from "./trail.rows";

/**
 * The ledger's state of a trail's shipments, orders and agreements as the gateway's projections
 * hold it: what the verifier reads back from the contracts at the block it checks.
 */
export function trailState(
  shipments: repo.ShipmentRow[],
  orders: repo.OrderRow[],
  agreements: repo.AgreementRow[],
  volumes: repo.AgreementHospitalRow[],
  recalls: repo.RecallRow[],
): TrailState {
  return {
    shipments: shipments.map((s) => shipmentState(s, recalls)),
    orders: orders.map(orderState),
    agreements: agreements.map((a) => agreementState(a, volumes)),
  };
}

function shipmentState(s: repo.ShipmentRow, recalls: repo.RecallRow[]): ShipmentState {
  const record = recordOf(shipmentFigures(s));
  return {
    shipmentId: str(s.id),
    record,
    recordHash: recordHash(record),
    lotKey: s.lot_key,
    arrivedAt: isoOrNull(s.arrived_at),
    receivedAt: isoOrNull(s.chain_received_at),
    excursion: s.excursion,
    excursionWaived: s.excursion_waived,
    confirmed: s.confirmed,
    disputedUnits: s.disputed_units === null ? "0" : str(s.disputed_units),
    recalled: recalls.some(
      (r) =>
        r.gtin === s.gtin &&
        r.lot === s.lot &&
        (r.scope === GLOBAL_SCOPE || r.scope === s.supplier) &&
        r.lifted_at === null,
    ),
  };
}

function orderState(o: repo.OrderRow): OrderState {
  return {
    orderId: str(o.id),
    agreementId: str(o.agreement_id),
    hospital: o.hospital,
    status: o.status,
    quantity: str(o.quantity),
    shipped: str(o.shipped),
    accepted: str(o.accepted),
    cancelled: str(o.cancelled),
    escrow: str(o.escrow),
    excessConsented: o.excess_consented,
    lateShipmentAllowed: o.late_shipment_allowed,
    fundingExpiresAt: iso(o.funding_expires_at),
    deliveryDeadline: iso(o.delivery_deadline),
  };
}

function agreementState(a: repo.AgreementRow, volumes: repo.AgreementHospitalRow[]): AgreementState {
  return {
    agreementId: str(a.id),
    tenderId: str(a.tender_id),
    supplier: a.supplier,
    category: a.category,
    start: iso(a.start_at),
    end: iso(a.end_at),
    fundedVolume: str(a.funded_volume),
    acceptedVolume: str(a.accepted_volume),
    hospitals: volumes
      .filter((v) => str(v.agreement_id) === str(a.id))
      .map((v) => ({
        hospital: v.hospital,
        committed: str(v.committed),
        funded: str(v.ordered),
        accepted: str(v.accepted),
      })),
  };
}
