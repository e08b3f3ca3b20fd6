import { Type, type Static } from "typebox";
import { shipmentRecordHash } from "../contracts";
import {
  AccountFigure,
  DecimalFigure,
  GtinFigure,
  LotFigure,
  TimeFigure,
  WordFigure,
  type Figures,
} from "./figures";

/** A ShipmentRecord in the trail's canonical form: what DeliveryTrace stores the hash of. */
export const ShipmentRecordView = Type.Object(
  {
    orderId: DecimalFigure,
    supplier: AccountFigure,
    hospital: AccountFigure,
    gtin: GtinFigure,
    expiry: TimeFigure,
    quantity: DecimalFigure,
    createdAt: TimeFigure,
    serialRoot: WordFigure,
    noticeHash: WordFigure,
    lot: LotFigure,
  },
  {
    additionalProperties: false,
    description: "the shipment's record (its ShipmentCreated log's) in the trail's canonical form",
  },
);
export type ShipmentRecordView = Static<typeof ShipmentRecordView>;

/** The record's fields out of a ShipmentCreated step's figures. */
export function recordOf(f: Figures): ShipmentRecordView {
  return {
    orderId: String(f.orderId),
    supplier: String(f.supplier),
    hospital: String(f.hospital),
    gtin: String(f.gtin),
    expiry: String(f.expiry),
    quantity: String(f.quantity),
    createdAt: String(f.createdAt),
    serialRoot: String(f.serialRoot),
    noticeHash: String(f.noticeHash),
    lot: String(f.lot),
  };
}

/** The record as the contract's calldata: what `verifySerial` and the acts on a shipment take. */
export function recordStruct(r: ShipmentRecordView) {
  const seconds = (iso: string) => BigInt(Math.floor(Date.parse(iso) / 1000));
  return {
    orderId: BigInt(r.orderId),
    supplier: r.supplier,
    hospital: r.hospital,
    gtin: BigInt(r.gtin),
    expiry: seconds(r.expiry),
    quantity: BigInt(r.quantity),
    createdAt: seconds(r.createdAt),
    serialRoot: r.serialRoot,
    noticeHash: r.noticeHash,
    lot: r.lot,
  };
}

/** keccak256(abi.encode(record)): what `DeliveryTrace.shipmentHash(id)` must return. */
export function recordHash(r: ShipmentRecordView): string {
  return shipmentRecordHash(recordStruct(r));
}
