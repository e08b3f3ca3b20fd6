/**
 * GS1 EPCIS 2.0 export of a lot's or an order's ledger trail: a pure function from the trail (as the
 * trail module reads it) to an EPCISDocument in JSON-LD. No database, no chain, no clock: the same input
 * always gives the same document, so a regulator can re-create it and compare.
 *
 * Every event is an ObjectEvent with action OBSERVE. The ledger never sees goods being made — the
 * supplier ships goods that already exist — and EPCIS's ADD means the objects are commissioned by the
 * event. So there is no ADD event and no `ilmd` (which EPCIS allows only with ADD); a lot's number and
 * expiry date go into the document header as CBV master data of the lot class (EPCClass vocabulary,
 * attributes `urn:epcglobal:cbv:mda#lotNumber` and `#itemExpirationDate`), and each shipping event also
 * states the expiry its shipment declared (`sl:declaredExpiry`), so conflicting declarations stay visible.
 *
 * Mapping (bizStep / disposition are CBV 2.0 bare words):
 * - shipment created (ShipmentCreated) → shipping / in_transit, supplier → hospital as owning parties;
 * - trace event (TraceEventRecorded) → its own step; in_transit for shipping, departing and arriving,
 *   in_progress for receiving, inspecting, holding and storing, conformant for accepting. readPoint is the
 *   recorded location; bizLocation (where the goods stay after the event) too, except for shipping and
 *   departing, after which the goods are on the road. A temperature reading or an excursion becomes a
 *   sensor report (Temperature, CEL; exception ALARM_CONDITION on an excursion); a sensor digest goes in
 *   `sl:sensorDigest`;
 * - goods receipt (the gateway's document, not on chain) → receiving / in_progress with a recadv, at the
 *   time the hospital's warehouse states;
 * - settlement (ShipmentSettled) → two events from its one log: receiving / in_progress at the delivery
 *   time the chain derived (payout.deliveredAt: the supplier's arrival record, or the hospital's
 *   receiving record when the arrival is missing or more than the agreement's receiving window
 *   earlier; see docs/ledger-rules.md) for the whole shipment, and accepting / conformant at the
 *   settlement's block time for the accepted quantity;
 * - recall (LotRecalled) → disposition recalled, and persistentDisposition set recalled, over the whole
 *   lot class. CBV has no recalling step and the ledger records a declaration, not a physical hold, so
 *   the event has no bizStep. `sl:recallScope` says whose shipments it covers: "global" for a
 *   regulator's recall, else the supplier's account (a supplier recalls only its own shipments);
 * - recall lift (RecallLifted) → persistentDisposition unset recalled over the lot class, with the same
 *   scope and the regulator's reason. It states no disposition: lifting says nothing of the goods'
 *   condition;
 * - campus transfer (CampusTransferRecorded) → the units moved, with source and destination of CBV type
 *   location (the two GLNs) and bizLocation the destination, where the goods are after it. It states no
 *   bizStep or disposition: the ledger records that custody moved, not how (CBV's steps describe one
 *   leg of a journey, departing or arriving, and the record is both). The moved serials' Merkle root,
 *   where known, goes in `sl:serialRoot`.
 *
 * What: the items' Digital Link URIs (epcList) when the shipment's serial manifest is known and the
 * event covers all of it; otherwise the lot's Digital Link URI with a count (quantityList, no uom: each).
 *
 * Provenance: every event carries `sl:chainId`, `sl:contract`, `sl:ledgerEvent` and, as far as the trail
 * knows them, `sl:txHash`, `sl:blockNumber` and `sl:logIndex` — enough to find the log on chain. EPCIS
 * admits extension fields whose names are URIs; "sl:…" is a compact URI expanded by the document's own
 * context entry. eventIDs are URNs made of the chain id and the log (tx hash and log index), so they are
 * stable and unique; the CBV's `ni:///sha-256` event hash is not used because this export does not
 * implement the CBV canonicalisation it would claim.
 */
import { decodeBytes32String, encodeBytes32String, getAddress, isHexString } from "ethers";
import { isProductKey } from "../../../ledger/product-key";
import { isValidGln, toDigitalLink } from "../barcodes";
import type {
  EpcisBizStep,
  EpcisBizTransaction,
  EpcisDisposition,
  EpcisDocument,
  EpcisMasterDataAttribute,
  EpcisObjectEvent,
  EpcisSensorElement,
  EpcisSensorReport,
} from "../../../api/epcis";
import type {
  EpcisInput,
  EpcisRecall,
  EpcisRecallLift,
  EpcisShipment,
  EpcisTraceEvent,
  EpcisTransfer,
} from "./epcis.types";

/** GS1's JSON-LD context for EPCIS 2.0 (the current published version). */
export const EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld";
/** Namespace of the project's extension fields, bound to the prefix "sl". */
export const SL_NAMESPACE = "https://sunshine-ledger.example/epcis/";
export const DEFAULT_TIME_ZONE_OFFSET = "+08:00";

const URN = "urn:sunshine-ledger";
const GLN_BASE = "https://id.gs1.org/414/";
const ZERO_BYTES32 = `0x${"0".repeat(64)}`;
const ZERO_ADDRESS = `0x${"0".repeat(40)}`;
/** The pattern the EPCIS schema gives eventTimeZoneOffset. */
const OFFSET_PATTERN = /^([+-])((0[0-9]|1[0-3]):([0-5][0-9])|14:00)$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const MDA = "urn:epcglobal:cbv:mda#";

const TRACE_DISPOSITION: Record<EpcisBizStep, EpcisDisposition> = {
  shipping: "in_transit",
  departing: "in_transit",
  arriving: "in_transit",
  receiving: "in_progress",
  inspecting: "in_progress",
  accepting: "conformant",
  holding: "in_progress",
  storing: "in_progress",
};

/** Steps after which the goods are no longer at the read point, so the event names no bizLocation. */
const LEAVES_LOCATION: ReadonlySet<EpcisBizStep> = new Set<EpcisBizStep>(["shipping", "departing"]);

/** Bad input: the trail is inconsistent or malformed, so no truthful document can be made from it. */
export class EpcisExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EpcisExportError";
  }
}

interface Context {
  deviceIdentifiers: NonNullable<EpcisInput["deviceIdentifiers"]>;
  chainId: number;
  traceContract: string;
  orderBookContract: string;
  offsetMinutes: number;
  offset: string;
}

interface Timed {
  at: number;
  event: EpcisObjectEvent;
}

export function buildEpcisDocument(input: EpcisInput): EpcisDocument {
  const offset = input.timeZoneOffset ?? DEFAULT_TIME_ZONE_OFFSET;
  const ctx: Context = {
    deviceIdentifiers: input.deviceIdentifiers ?? {},
    chainId: checkChainId(input.chainId),
    traceContract: address(input.traceContract, "traceContract"),
    orderBookContract: address(input.orderBookContract, "orderBookContract"),
    offsetMinutes: offsetMinutes(offset),
    offset,
  };

  const timed: Timed[] = [];
  for (const shipment of input.shipments) timed.push(...shipmentEvents(ctx, shipment));
  for (const recall of input.recalls) {
    timed.push(recallEvent(ctx, recall));
    if (recall.lift) timed.push(liftEvent(ctx, recall, recall.lift));
  }
  for (const transfer of input.transfers ?? []) {
    timed.push(transferEvent(ctx, address(input.transferContract ?? "", "transferContract"), transfer));
  }
  // Array.prototype.sort is stable: events at the same instant keep the order they were built in.
  timed.sort((a, b) => a.at - b.at);

  const eventList = timed.map(({ event }) => event);
  const seen = new Set<string>();
  for (const { eventID } of eventList) {
    if (seen.has(eventID)) throw new EpcisExportError(`event ${eventID} appears twice in the trail`);
    seen.add(eventID);
  }

  const document: EpcisDocument = {
    "@context": [EPCIS_CONTEXT, { sl: SL_NAMESPACE }],
    type: "EPCISDocument",
    schemaVersion: "2.0",
    creationDate: formatTime(ctx, instant(input.creationDate, "creationDate")),
    epcisBody: { eventList },
  };
  const masterData = lotMasterData(ctx, input.shipments);
  if (masterData.length > 0) {
    document.epcisHeader = {
      epcisMasterData: {
        vocabularyList: [{ type: "urn:epcglobal:epcis:vtype:EPCClass", vocabularyElementList: masterData }],
      },
    };
  }
  return document;
}

// ---------------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------------

function shipmentEvents(ctx: Context, shipment: EpcisShipment): Timed[] {
  const where = `shipment ${shipment.id}`;
  const quantity = count(shipment.quantity, `${where} quantity`);
  const serials = manifest(ctx, shipment, where);
  const what = (units: number) => whatOf(ctx, shipment, serials, units);
  const supplier = account(ctx, shipment.supplier, `${where} supplier`);
  const hospital = account(ctx, shipment.hospital, `${where} hospital`);
  const transactions: EpcisBizTransaction[] = [
    { type: "po", bizTransaction: `${URN}:${ctx.chainId}:order:${segment(shipment.orderId)}` },
    { type: "desadv", bizTransaction: `${URN}:${ctx.chainId}:shipment:${segment(shipment.id)}` },
  ];
  const events: Timed[] = [];

  const createdAt = instant(shipment.createdAt, `${where} createdAt`);
  events.push({
    at: createdAt,
    event: {
      ...header(ctx, createdAt, logEventId(ctx, shipment.txHash, shipment.logIndex, where)),
      ...what(quantity),
      bizStep: "shipping",
      disposition: "in_transit",
      bizTransactionList: transactions,
      sourceList: [{ type: "owning_party", source: supplier }],
      destinationList: [{ type: "owning_party", destination: hospital }],
      ...provenance(ctx, ctx.traceContract, "ShipmentCreated", shipment, where),
      "sl:shipmentId": shipment.id,
      "sl:orderRef": shipment.orderRef,
      "sl:declaredQuantity": shipment.quantity,
      "sl:declaredExpiry": expiryDate(ctx, shipment.expiry, `${where} expiry`),
      "sl:noticeHash": bytes32(shipment.noticeHash, `${where} noticeHash`),
    },
  });

  const trace = [...shipment.traceEvents].sort((a, b) => a.index - b.index);
  for (const traceEvent of trace) events.push(traceEventOf(ctx, shipment, traceEvent, what(quantity)));

  if (shipment.receipt) {
    const { receipt } = shipment;
    const at = instant(receipt.receivedAt, `${where} receipt receivedAt`);
    const accepted = count(receipt.accepted, `${where} receipt accepted`);
    const rejected = count(receipt.rejected, `${where} receipt rejected`);
    const receiptId = receiptUri(ctx, shipment.id, receipt.receiptNo);
    events.push({
      at,
      event: {
        // Kept by the gateway, not on chain: its id is the receipt's own, and it has no log to point to.
        ...header(ctx, at, receiptId),
        ...what(accepted + rejected),
        bizStep: "receiving",
        disposition: "in_progress",
        bizTransactionList: [...transactions, { type: "recadv", bizTransaction: receiptId }],
        sourceList: [{ type: "owning_party", source: supplier }],
        destinationList: [{ type: "owning_party", destination: hospital }],
        "sl:chainId": ctx.chainId,
        "sl:shipmentId": shipment.id,
        "sl:receiptNo": receipt.receiptNo,
        "sl:acceptedQuantity": receipt.accepted,
        "sl:rejectedQuantity": receipt.rejected,
      },
    });
  }

  if (shipment.settlement) {
    const { settlement } = shipment;
    const paidAt = instant(settlement.paidAt, `${where} settlement paidAt`);
    const deliveredAt = instant(settlement.deliveredAt, `${where} settlement deliveredAt`);
    const settlementId = logEventId(ctx, settlement.txHash, settlement.logIndex, `${where} settlement`);
    const bizTransactionList = [...transactions];
    if (shipment.receipt) {
      const receiptId = receiptUri(ctx, shipment.id, shipment.receipt.receiptNo);
      bizTransactionList.push({ type: "recadv", bizTransaction: receiptId });
    }
    const settled = {
      ...provenance(ctx, ctx.orderBookContract, "ShipmentSettled", settlement, `${where} settlement`),
      "sl:shipmentId": shipment.id,
      "sl:settledBy": address(settlement.settledBy, `${where} settledBy`),
      "sl:supplierClaim":
        address(settlement.settledBy, `${where} settledBy`) ===
        address(shipment.supplier, `${where} supplier`),
    };
    events.push({
      at: deliveredAt,
      event: {
        // The ledger's delivery time: derived on chain from both parties' records, never stated by one.
        ...header(ctx, deliveredAt, `${settlementId}:delivery`),
        ...what(quantity),
        bizStep: "receiving",
        disposition: "in_progress",
        bizTransactionList: transactions,
        sourceList: [{ type: "owning_party", source: supplier }],
        destinationList: [{ type: "owning_party", destination: hospital }],
        ...settled,
        "sl:ledgerDeliveryTime": true,
      },
    });
    events.push({
      at: paidAt,
      event: {
        ...header(ctx, paidAt, settlementId),
        ...what(count(settlement.accepted, `${where} settlement accepted`)),
        bizStep: "accepting",
        disposition: "conformant",
        bizTransactionList,
        ...settled,
        "sl:acceptedQuantity": settlement.accepted,
        "sl:rejectedQuantity": String(count(settlement.rejected, `${where} settlement rejected`)),
      },
    });
  }
  return events;
}

function traceEventOf(
  ctx: Context,
  shipment: EpcisShipment,
  trace: EpcisTraceEvent,
  what: Pick<EpcisObjectEvent, "epcList" | "quantityList">,
): Timed {
  const where = `shipment ${shipment.id} trace event ${trace.index}`;
  const disposition = TRACE_DISPOSITION[trace.step];
  if (disposition === undefined) {
    throw new EpcisExportError(`${where}: unknown step ${JSON.stringify(trace.step)}`);
  }
  const at = instant(trace.eventTime, `${where} eventTime`);
  const event: EpcisObjectEvent = {
    ...header(ctx, at, logEventId(ctx, trace.txHash, trace.logIndex, where)),
    ...what,
    bizStep: trace.step,
    disposition,
  };
  const location = locationUri(trace.location, where);
  if (location !== undefined) {
    event.readPoint = { id: location };
    if (!LEAVES_LOCATION.has(trace.step)) event.bizLocation = { id: location };
  }
  const sensor = sensorElement(trace, where);
  if (sensor) event.sensorElementList = [sensor];
  Object.assign(event, {
    ...provenance(ctx, ctx.traceContract, "TraceEventRecorded", trace, where),
    "sl:shipmentId": shipment.id,
    "sl:traceIndex": trace.index,
    "sl:actor": address(trace.actor, `${where} actor`),
    "sl:excursion": trace.excursion,
  });
  const digest = bytes32(trace.sensorDigest, `${where} sensorDigest`);
  if (digest !== ZERO_BYTES32) event["sl:sensorDigest"] = digest;
  return { at, event };
}

function recallEvent(ctx: Context, recall: EpcisRecall): Timed {
  const where = `recall of ${recall.gtin} lot ${recall.lot}`;
  const at = instant(recall.recalledAt, `${where} recalledAt`);
  return {
    at,
    event: {
      ...header(ctx, at, logEventId(ctx, recall.txHash, recall.logIndex, where)),
      quantityList: [{ epcClass: lotUri(ctx, recall.gtin, recall.lot, where) }],
      disposition: "recalled",
      persistentDisposition: { set: ["recalled"] },
      ...provenance(ctx, ctx.traceContract, "LotRecalled", recall, where),
      "sl:recallScope": recallScope(ctx, recall.scope, where),
      "sl:recalledBy": address(recall.by, `${where} by`),
      "sl:reasonCode": reasonCode(recall.reasonCode, where),
    },
  };
}

function transferEvent(ctx: Context, contract: string, t: EpcisTransfer): Timed {
  const where = `transfer ${t.transferId}`;
  const at = instant(t.at, `${where} at`);
  const from = glnUri(t.fromGln, `${where} fromGln`);
  const to = glnUri(t.toGln, `${where} toGln`);
  const event: EpcisObjectEvent = {
    ...header(ctx, at, logEventId(ctx, t.txHash, t.logIndex, where)),
    quantityList: [
      { epcClass: lotUri(ctx, t.gtin, t.lot, where), quantity: count(t.quantity, `${where} quantity`) },
    ],
    bizLocation: { id: to },
    sourceList: [{ type: "location", source: from }],
    destinationList: [{ type: "location", destination: to }],
    ...provenance(ctx, contract, "CampusTransferRecorded", t, where),
    "sl:transferId": t.transferId,
    "sl:transferredBy": address(t.recordedBy, `${where} recordedBy`),
  };
  const root = bytes32(t.serialRoot, `${where} serialRoot`);
  if (root !== ZERO_BYTES32) event["sl:serialRoot"] = root;
  return { at, event };
}

/** A GLN as its GS1 Digital Link URI, after checking its check digit. */
function glnUri(gln: string, what: string): string {
  if (!isValidGln(gln)) {
    throw new EpcisExportError(`${what}: ${gln} is not a GLN`);
  }
  return `${GLN_BASE}${gln}`;
}

function liftEvent(ctx: Context, recall: EpcisRecall, lift: EpcisRecallLift): Timed {
  const where = `lift of the recall of ${recall.gtin} lot ${recall.lot}`;
  const at = instant(lift.liftedAt, `${where} liftedAt`);
  if (at < instant(recall.recalledAt, `${where} recalledAt`)) {
    throw new EpcisExportError(`${where}: lifted before it was recalled`);
  }
  return {
    at,
    event: {
      ...header(ctx, at, logEventId(ctx, lift.txHash, lift.logIndex, where)),
      quantityList: [{ epcClass: lotUri(ctx, recall.gtin, recall.lot, where) }],
      persistentDisposition: { unset: ["recalled"] },
      ...provenance(ctx, ctx.traceContract, "RecallLifted", lift, where),
      "sl:recallScope": recallScope(ctx, recall.scope, where),
      "sl:liftedBy": address(lift.by, `${where} by`),
      "sl:reasonCode": reasonCode(lift.reasonCode, where),
    },
  };
}

/** "global" for a regulator's recall (the zero address), else the account of the supplier it covers. */
function recallScope(ctx: Context, scope: string, where: string): string {
  const checked = address(scope, `${where} scope`);
  return checked === ZERO_ADDRESS ? "global" : account(ctx, checked, `${where} scope`);
}

function reasonCode(value: number, where: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) {
    throw new EpcisExportError(`${where}: reasonCode must be an integer from 0 to 65535`);
  }
  return value;
}

function header(ctx: Context, at: number, eventID: string) {
  return {
    type: "ObjectEvent" as const,
    eventID,
    eventTime: formatTime(ctx, at),
    eventTimeZoneOffset: ctx.offset,
    action: "OBSERVE" as const,
  };
}

function provenance(
  ctx: Context,
  contract: string,
  ledgerEvent: NonNullable<EpcisObjectEvent["sl:ledgerEvent"]>,
  log: { txHash: string; blockNumber: number; logIndex: number },
  where: string,
) {
  return {
    "sl:chainId": ctx.chainId,
    "sl:contract": contract,
    "sl:ledgerEvent": ledgerEvent,
    "sl:txHash": bytes32(log.txHash, `${where} txHash`),
    "sl:blockNumber": nonNegative(log.blockNumber, `${where} blockNumber`),
    "sl:logIndex": nonNegative(log.logIndex, `${where} logIndex`),
  };
}

/** The goods receipt, numbered by the hospital's gateway: unique within its shipment. */
function receiptUri(ctx: Context, shipmentId: string, receiptNo: string): string {
  return `${URN}:${ctx.chainId}:shipment:${segment(shipmentId)}:receipt:${segment(receiptNo)}`;
}

function logEventId(ctx: Context, txHash: string, logIndex: number, where: string): string {
  const tx = bytes32(txHash, `${where} txHash`);
  return `${URN}:${ctx.chainId}:tx:${tx}:${nonNegative(logIndex, `${where} logIndex`)}`;
}

function sensorElement(trace: EpcisTraceEvent, where: string): EpcisSensorElement | undefined {
  const report: EpcisSensorReport = { type: "Temperature" };
  let figures = 0;
  for (const key of ["value", "minValue", "maxValue"] as const) {
    const figure = trace.temperature?.[key];
    if (figure === undefined) continue;
    if (typeof figure !== "number" || !Number.isFinite(figure)) {
      throw new EpcisExportError(`${where}: temperature ${key} must be a finite number`);
    }
    report[key] = figure;
    figures++;
  }
  if (figures > 0) report.uom = "CEL";
  if (trace.excursion) report.exception = "ALARM_CONDITION";
  return figures > 0 || trace.excursion ? { sensorReport: [report] } : undefined;
}

// ---------------------------------------------------------------------------------------------------
// What: items, lots and their master data
// ---------------------------------------------------------------------------------------------------

function manifest(ctx: Context, shipment: EpcisShipment, where: string): string[] | null {
  if (shipment.serials === null || shipment.serials.length === 0) return null;
  const uris = shipment.serials.map((serial) => itemUri(ctx, shipment.gtin, { serial }, where));
  const seen = new Set<string>();
  for (const [i, uri] of uris.entries()) {
    if (seen.has(uri)) {
      throw new EpcisExportError(`${where}: serial ${shipment.serials[i]} appears twice in the manifest`);
    }
    seen.add(uri);
  }
  return uris;
}

/** Items when the event covers the whole manifest; otherwise how many of the lot. */
function whatOf(
  ctx: Context,
  shipment: EpcisShipment,
  serials: string[] | null,
  units: number,
): Pick<EpcisObjectEvent, "epcList" | "quantityList"> {
  if (serials !== null && serials.length === units) return { epcList: serials };
  return {
    quantityList: [
      { epcClass: lotUri(ctx, shipment.gtin, shipment.lot, `shipment ${shipment.id}`), quantity: units },
    ],
  };
}

function lotUri(ctx: Context, gtin: string, lot: string, where: string): string {
  return itemUri(ctx, gtin, { lot }, where);
}

/**
 * A GTIN's lot or item as its GS1 Digital Link URI; a product key's (another agency's device
 * identifier, which has no GS1 key) as a private URI that names the agency and identifier:
 * urn:sunshine-ledger:udi:<agency>:<identifier>:lot:<lot> (or :ser:<serial>), each part
 * percent-encoded.
 */
function itemUri(ctx: Context, gtin: string, rest: { lot?: string; serial?: string }, where: string): string {
  if (isProductKey(gtin)) {
    const declared = ctx.deviceIdentifiers[gtin];
    if (!declared)
      throw new EpcisExportError(`${where}: product key ${gtin} has no declared device identifier`);
    const base = `${URN}:udi:${declared.agency.toLowerCase()}:${encodeURIComponent(declared.deviceIdentifier)}`;
    return rest.serial === undefined
      ? `${base}:lot:${encodeURIComponent(rest.lot ?? "")}`
      : `${base}:ser:${encodeURIComponent(rest.serial)}`;
  }
  if (!/^\d{14}$/.test(gtin))
    throw new EpcisExportError(`${where}: GTIN ${JSON.stringify(gtin)} must be 14 digits`);
  try {
    return toDigitalLink({ gtin, ...rest });
  } catch (error) {
    throw new EpcisExportError(`${where}: ${(error as Error).message}`);
  }
}

/**
 * One EPCClass element per lot with its number and, when every shipment of the lot declares the same
 * one, its expiry date. Differing declarations are not resolved here: each shows on its own shipping
 * event (`sl:declaredExpiry`).
 */
function lotMasterData(ctx: Context, shipments: EpcisShipment[]) {
  const lots = new Map<string, { lot: string; expiries: Set<string> }>();
  for (const shipment of shipments) {
    const where = `shipment ${shipment.id}`;
    const id = lotUri(ctx, shipment.gtin, shipment.lot, where);
    const entry = lots.get(id) ?? { lot: shipment.lot, expiries: new Set<string>() };
    entry.expiries.add(expiryDate(ctx, shipment.expiry, `${where} expiry`));
    lots.set(id, entry);
  }
  return [...lots].map(([id, { lot, expiries }]) => {
    const attributes: EpcisMasterDataAttribute[] = [{ id: `${MDA}lotNumber`, attribute: lot }];
    if (expiries.size === 1) attributes.push({ id: `${MDA}itemExpirationDate`, attribute: [...expiries][0] });
    return { id, attributes };
  });
}

// ---------------------------------------------------------------------------------------------------
// Where and who
// ---------------------------------------------------------------------------------------------------

/**
 * A location packed as a 13-digit GLN (ASCII, zero-padded bytes32) becomes its GS1 Digital Link URI;
 * anything else is an opaque location hash. The zero word means no location was recorded.
 */
function locationUri(location: string, where: string): string | undefined {
  const word = bytes32(location, `${where} location`);
  if (word === ZERO_BYTES32) return undefined;
  let text: string | undefined;
  try {
    text = decodeBytes32String(word);
  } catch {
    text = undefined; // no null terminator or not UTF-8: a hash
  }
  if (text !== undefined && isValidGln(text) && encodeBytes32String(text).toLowerCase() === word) {
    return `${GLN_BASE}${text}`;
  }
  return `${URN}:location:${word}`;
}

function account(ctx: Context, value: string, what: string): string {
  return `${URN}:${ctx.chainId}:account:${address(value, what)}`;
}

// ---------------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------------

function checkChainId(chainId: number): number {
  if (!Number.isSafeInteger(chainId) || chainId <= 0) {
    throw new EpcisExportError(`chainId must be a positive integer, got ${String(chainId)}`);
  }
  return chainId;
}

function address(value: string, what: string): string {
  try {
    return getAddress(value);
  } catch {
    throw new EpcisExportError(`${what}: ${JSON.stringify(value)} is not an address`);
  }
}

function bytes32(value: string, what: string): string {
  if (!isHexString(value, 32))
    throw new EpcisExportError(`${what}: ${JSON.stringify(value)} is not a bytes32 hex string`);
  return value.toLowerCase();
}

function nonNegative(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new EpcisExportError(`${what} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}

/** A count of trade items, given as a decimal string. */
function count(value: string, what: string): number {
  const units = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(units)) {
    throw new EpcisExportError(`${what}: ${JSON.stringify(value)} is not a whole number of units`);
  }
  return units;
}

/** Makes a value safe inside a URN: anything beyond the URI unreserved characters is percent-encoded. */
function segment(value: string): string {
  if (value === "") throw new EpcisExportError("an identifier in a URN must not be empty");
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function offsetMinutes(offset: string): number {
  const match = OFFSET_PATTERN.exec(offset);
  if (!match) {
    throw new EpcisExportError(
      `timeZoneOffset ${JSON.stringify(offset)} must look like +08:00 (-14:00 to +14:00)`,
    );
  }
  const [hours, minutes] = offset.slice(1).split(":").map(Number);
  return (match[1] === "-" ? -1 : 1) * (hours * 60 + minutes);
}

/** Milliseconds since the epoch of an ISO-8601 timestamp, which must state its offset (or Z). */
function instant(value: string, what: string): number {
  const at = ISO_INSTANT.test(value) && isCalendarDate(value.slice(0, 10)) ? Date.parse(value) : NaN;
  if (Number.isNaN(at)) {
    throw new EpcisExportError(`${what}: ${JSON.stringify(value)} is not an ISO-8601 time with an offset`);
  }
  return at;
}

/** The wall-clock fields of an instant in the document's time zone. */
function local(ctx: Context, at: number): Date {
  const shifted = new Date(at + ctx.offsetMinutes * 60_000);
  const year = shifted.getUTCFullYear();
  if (year < 0 || year > 9999)
    throw new EpcisExportError(`time ${new Date(at).toISOString()} is out of range`);
  return shifted;
}

/** e.g. 2025-03-01T10:00:00.000+08:00: the same instant, written in the document's offset. */
function formatTime(ctx: Context, at: number): string {
  const shifted = local(ctx, at);
  return `${shifted.toISOString().slice(0, 23)}${ctx.offset}`;
}

/** The expiry as a calendar date (YYYY-MM-DD); an instant is read in the document's time zone. */
function expiryDate(ctx: Context, expiry: string, what: string): string {
  if (ISO_DATE.test(expiry)) {
    if (!isCalendarDate(expiry))
      throw new EpcisExportError(`${what}: ${JSON.stringify(expiry)} is not a calendar date`);
    return expiry;
  }
  return local(ctx, instant(expiry, what)).toISOString().slice(0, 10);
}

/** True for a YYYY-MM-DD that names a real day (Date would roll 2025-02-30 over into March). */
function isCalendarDate(text: string): boolean {
  const [year, month, day] = text.split("-").map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
