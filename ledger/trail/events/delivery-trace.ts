import { Type } from "typebox";
import { TRACE_STEPS } from "../../enums";
import { pos, spec } from "../event-spec";
import {
  AccountFigure,
  DecimalFigure,
  dec,
  GtinFigure,
  gtin14,
  hex,
  int,
  LotFigure,
  obj,
  scopeLabel,
  SmallFigure,
  time,
  TimeFigure,
  WordFigure,
} from "../figures";

/** DeliveryTrace's events as trail steps: shipments, their trace events and waivers, recalls. */
export const DELIVERY_TRACE_SPECS = [
  spec({
    contract: "trace",
    event: "ShipmentCreated",
    kind: "shipment",
    fields: {
      shipmentId: DecimalFigure,
      orderId: DecimalFigure,
      supplier: AccountFigure,
      hospital: AccountFigure,
      lotKey: WordFigure,
      gtin: GtinFigure,
      lot: LotFigure,
      expiry: TimeFigure,
      quantity: DecimalFigure,
      createdAt: TimeFigure,
      serialRoot: Type.With(WordFigure, {
        description: "the Merkle root of the serial numbers (0 for none)",
      }),
      noticeHash: Type.With(WordFigure, { description: "the hash of the despatch advice" }),
    },
    figures: (a) => {
      const r = obj(a.record);
      return {
        shipmentId: dec(a.shipmentId),
        orderId: dec(r.orderId),
        supplier: hex(a.supplier),
        hospital: hex(r.hospital),
        lotKey: hex(a.lotKey),
        gtin: gtin14(r.gtin),
        lot: String(r.lot),
        expiry: time(r.expiry),
        quantity: dec(r.quantity),
        createdAt: time(r.createdAt),
        serialRoot: hex(r.serialRoot),
        noticeHash: hex(r.noticeHash),
      };
    },
    id: (f) => `shipment:${f.shipmentId}`,
    summary: (f) =>
      `Shipment ${f.shipmentId} against order ${f.orderId} by ${f.supplier} to ${f.hospital}: ${f.quantity} × ` +
      `GTIN ${f.gtin} lot ${f.lot}, expiry ${f.expiry}`,
  }),
  spec({
    contract: "trace",
    event: "TraceEventRecorded",
    kind: "trace",
    fields: {
      shipmentId: DecimalFigure,
      step: Type.String({ description: `the trace step: ${TRACE_STEPS.join(", ")}` }),
      actor: AccountFigure,
      location: Type.With(WordFigure, { description: "a GLN packed as bytes32 text, or a location's hash" }),
      eventTime: TimeFigure,
      sensorDigest: Type.With(WordFigure, { description: "the hash of the sensor readings (0 for none)" }),
      excursion: Type.Boolean(),
    },
    // `eventIndex` is not in the event: it is the step's place among the shipment's trace
    // events in chain order (block, log), which the verifier counts itself.
    stepFields: {
      eventIndex: Type.Integer({
        minimum: 1,
        description: "the step's place (1, 2, …) among the shipment's trace events in chain order",
      }),
    },
    figures: (a) => ({
      shipmentId: dec(a.shipmentId),
      step: TRACE_STEPS[int(a.step)] ?? dec(a.step),
      actor: hex(a.actor),
      location: hex(a.location),
      eventTime: time(a.eventTime),
      sensorDigest: hex(a.sensorDigest),
      excursion: a.excursion === true,
    }),
    id: (f, at) => `trace:${f.shipmentId}:${f.eventIndex ?? pos(at)}`,
    summary: (f) =>
      `Shipment ${f.shipmentId} ${f.step} (trace event ${f.eventIndex}) recorded by ${f.actor}` +
      (f.excursion ? "; temperature excursion reported" : ""),
    timeFigure: "eventTime",
  }),
  spec({
    contract: "trace",
    event: "ShipmentDeemedReceived",
    kind: "trace",
    fields: { shipmentId: DecimalFigure, receivedAt: TimeFigure },
    figures: (a) => ({ shipmentId: dec(a.shipmentId), receivedAt: time(a.receivedAt) }),
    id: (f, at) => `deemed:${f.shipmentId}${pos(at)}`,
    summary: (f) =>
      `Shipment ${f.shipmentId} counts as received at ${f.receivedAt}: the hospital recorded no receipt ` +
      `within its receiving window after the supplier's arrival, and the supplier claimed`,
  }),
  spec({
    contract: "trace",
    event: "ExcursionWaived",
    kind: "waiver",
    fields: { shipmentId: DecimalFigure, approver: AccountFigure, reasonCode: SmallFigure },
    figures: (a) => ({
      shipmentId: dec(a.shipmentId),
      approver: hex(a.approver),
      reasonCode: int(a.reasonCode),
    }),
    id: (f, at) => `waiver:${f.shipmentId}${pos(at)}`,
    summary: (f) =>
      `${f.approver} accepted shipment ${f.shipmentId} despite its temperature excursion (reason ${f.reasonCode})`,
  }),
  spec({
    contract: "trace",
    event: "LotRecalled",
    kind: "recall",
    fields: {
      lotKey: WordFigure,
      gtin: GtinFigure,
      lot: LotFigure,
      scope: Type.With(AccountFigure, {
        description:
          "the zero address for a regulator's recall of every supplier's shipments, else the supplier's",
      }),
      by: AccountFigure,
      reasonCode: SmallFigure,
      recalledAt: TimeFigure,
    },
    figures: (a) => ({
      lotKey: hex(a.lotKey),
      gtin: gtin14(a.gtin),
      lot: String(a.lot),
      scope: hex(a.scope),
      by: hex(a.by),
      reasonCode: int(a.reasonCode),
      recalledAt: time(a.recalledAt),
    }),
    // A lot may be recalled, lifted and recalled again, in more than one scope.
    id: (f, at) => `recall:${f.gtin}:${f.lot}${pos(at)}`,
    summary: (f) =>
      `Lot ${f.lot} of GTIN ${f.gtin} recalled by ${f.by} (reason ${f.reasonCode}), covering ${scopeLabel(f.scope)}`,
  }),
  spec({
    contract: "trace",
    event: "RecallLifted",
    kind: "recall",
    fields: {
      lotKey: WordFigure,
      gtin: GtinFigure,
      lot: LotFigure,
      scope: AccountFigure,
      regulator: AccountFigure,
      reasonCode: SmallFigure,
    },
    figures: (a) => ({
      lotKey: hex(a.lotKey),
      gtin: gtin14(a.gtin),
      lot: String(a.lot),
      scope: hex(a.scope),
      regulator: hex(a.regulator),
      reasonCode: int(a.reasonCode),
    }),
    id: (f, at) => `lift:${f.gtin}:${f.lot}${pos(at)}`,
    summary: (f) =>
      `Regulator ${f.regulator} lifted the recall of lot ${f.lot} of GTIN ${f.gtin} covering ${scopeLabel(f.scope)} ` +
      `(reason ${f.reasonCode})`,
  }),
];
