import Ajv, { ErrorObject, ValidateFunction } from "ajv";
import { productKeyOf } from "../../../../ledger/product-key";
import addFormats from "ajv-formats";
import { expect } from "chai";
import { encodeBytes32String, getAddress, keccak256, toUtf8Bytes } from "ethers";
import fs from "fs";
import path from "path";
import type { EpcisDocument, EpcisObjectEvent } from "../../../../api/epcis";
import {
  buildEpcisDocument,
  EPCIS_CONTEXT,
  EpcisExportError,
  SL_NAMESPACE,
} from "../../../../server/modules/trail/epcis.export";
import type {
  EpcisInput,
  EpcisSettlement,
  EpcisShipment,
} from "../../../../server/modules/trail/epcis.types";

// GS1's official EPCIS 2.0 JSON schema, read in place from the shared folder next to the repository.
// It is never copied into the repository; a clone without that folder runs everything but the schema checks.
const SCHEMA_PATH = path.resolve(__dirname, "../../../../../shared/standards/epcis/EPCIS-JSON-Schema.json");
const EXAMPLES_DIR = path.resolve(__dirname, "../../../../../shared/standards/epcis/examples");

const CHAIN_ID = 31337;
const TRACE = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
const ORDER_BOOK = "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512";
const SUPPLIER = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
const CARRIER = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc";
const HOSPITAL = "0x90f79bf6eb2c4f870365e785982e1f101e93b906";
const NURSE = "0x15d34aaf54267db7d7c367839aaf71a00a2c6a65";
const REGULATOR = "0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc";
const GLOBAL = `0x${"0".repeat(40)}`;

const GTIN = "09520123456788";
const LOT = "A25-0712";
const LOT_URI = `https://id.gs1.org/01/${GTIN}/10/${LOT}`;
const SUPPLIER_GLN = "9520123456788";
const HOSPITAL_GLN = "6901234567892";
const TRUCK = keccak256(toUtf8Bytes("carrier-truck-7"));
const NO_DIGEST = `0x${"0".repeat(64)}`;
const DIGEST_A = keccak256(toUtf8Bytes("readings 1"));
const DIGEST_B = keccak256(toUtf8Bytes("readings 2"));
const DIGEST_C = keccak256(toUtf8Bytes("readings 3"));

const tx = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;
const gln = (code: string) => encodeBytes32String(code);

function traceEvent(
  index: number,
  step: EpcisShipment["traceEvents"][number]["step"],
  actor: string,
  location: string,
  eventTime: string,
  txNo: number,
  extra: Partial<EpcisShipment["traceEvents"][number]> = {},
): EpcisShipment["traceEvents"][number] {
  return {
    index,
    step,
    actor,
    location,
    eventTime,
    sensorDigest: NO_DIGEST,
    excursion: false,
    txHash: tx(txNo),
    blockNumber: 100 + txNo,
    logIndex: 0,
    ...extra,
  };
}

/**
 * Two shipments of one lot against one order: one with a serial manifest, one without; then the
 * supplier recalls its own shipments of the lot, a regulator lifts that recall, and later recalls
 * the lot for every supplier.
 */
function realisticInput(): EpcisInput {
  const serialised: EpcisShipment = {
    id: "11",
    orderId: "7",
    orderRef: "PO-2025-0007",
    supplier: SUPPLIER,
    hospital: HOSPITAL,
    gtin: GTIN,
    lot: LOT,
    expiry: "2027-06-30T00:00:00+08:00",
    quantity: "3",
    noticeHash: keccak256(toUtf8Bytes("despatch advice 11")),
    createdAt: "2025-03-01T01:00:00Z",
    txHash: tx(1),
    blockNumber: 101,
    logIndex: 2,
    serials: ["SN0001", "SN0002", "SN0003"],
    traceEvents: [
      // Deliberately out of order: the export orders by time.
      traceEvent(3, "arriving", CARRIER, gln(HOSPITAL_GLN), "2025-03-02T00:30:00Z", 4, {
        excursion: true,
        sensorDigest: DIGEST_B,
        temperature: { minValue: 2.1, maxValue: 11.4 },
      }),
      traceEvent(1, "shipping", SUPPLIER, gln(SUPPLIER_GLN), "2025-03-01T02:00:00Z", 2),
      traceEvent(2, "departing", CARRIER, TRUCK, "2025-03-01T03:00:00Z", 3, {
        sensorDigest: DIGEST_A,
        temperature: { value: 5.1 },
      }),
      traceEvent(4, "inspecting", NURSE, gln(HOSPITAL_GLN), "2025-03-02T01:00:00Z", 5),
      traceEvent(5, "accepting", NURSE, gln(HOSPITAL_GLN), "2025-03-02T02:00:00Z", 6),
      traceEvent(6, "storing", NURSE, gln(HOSPITAL_GLN), "2025-03-02T03:00:00Z", 7),
    ],
    receipt: { receiptNo: "GR-2025/0001", receivedAt: "2025-03-02T01:30:00Z", accepted: "3", rejected: "0" },
    // Arrival recorded at 00:45 (block time) and received within the receiving window.
    settlement: settlement(8, 3, "2025-03-05T06:00:00Z", "2025-03-02T00:45:00Z", NURSE, "3"),
  };
  const bulk: EpcisShipment = {
    id: "12",
    orderId: "7",
    orderRef: "PO-2025-0007",
    supplier: SUPPLIER,
    hospital: HOSPITAL,
    gtin: GTIN,
    lot: LOT,
    expiry: "2027-06-30T00:00:00+08:00",
    quantity: "50",
    noticeHash: keccak256(toUtf8Bytes("despatch advice 12")),
    createdAt: "2025-03-03T00:00:00Z",
    txHash: tx(9),
    blockNumber: 109,
    logIndex: 1,
    serials: null,
    traceEvents: [
      traceEvent(1, "shipping", SUPPLIER, gln(SUPPLIER_GLN), "2025-03-03T01:00:00Z", 10),
      traceEvent(2, "receiving", NURSE, gln(HOSPITAL_GLN), "2025-03-04T01:00:00Z", 11),
      traceEvent(3, "holding", NURSE, gln(HOSPITAL_GLN), "2025-03-04T02:00:00Z", 12, {
        excursion: true,
        sensorDigest: DIGEST_C,
      }),
    ],
    receipt: { receiptNo: "GR-2025/0002", receivedAt: "2025-03-04T01:30:00Z", accepted: "48", rejected: "2" },
    // No arrival record: delivered when the hospital recorded receiving (block time 01:05).
    settlement: settlement(13, 2, "2025-03-05T07:00:00Z", "2025-03-04T01:05:00Z", NURSE, "48", "2"),
  };
  return {
    chainId: CHAIN_ID,
    traceContract: TRACE,
    orderBookContract: ORDER_BOOK,
    creationDate: "2025-03-07T00:00:00Z",
    shipments: [serialised, bulk],
    recalls: [
      {
        gtin: GTIN,
        lot: LOT,
        scope: SUPPLIER,
        recalledAt: "2025-03-06T00:00:00Z",
        reasonCode: 3,
        by: SUPPLIER,
        txHash: tx(14),
        blockNumber: 114,
        logIndex: 0,
        lift: {
          liftedAt: "2025-03-06T12:00:00Z",
          by: REGULATOR,
          reasonCode: 8,
          txHash: tx(15),
          blockNumber: 115,
          logIndex: 0,
        },
      },
      {
        gtin: GTIN,
        lot: LOT,
        scope: GLOBAL,
        recalledAt: "2025-03-06T18:00:00Z",
        reasonCode: 5,
        by: REGULATOR,
        txHash: tx(16),
        blockNumber: 116,
        logIndex: 0,
        lift: null,
      },
    ],
  };
}

function settlement(
  txNo: number,
  logIndex: number,
  paidAt: string,
  deliveredAt: string,
  settledBy: string,
  accepted: string,
  rejected = "0",
): EpcisSettlement {
  return {
    paidAt,
    deliveredAt,
    settledBy,
    txHash: tx(txNo),
    blockNumber: 100 + txNo,
    logIndex,
    accepted,
    rejected,
  };
}

const logId = (n: number, logIndex = 0) => `urn:sunshine-ledger:${CHAIN_ID}:tx:${tx(n)}:${logIndex}`;
const SETTLED_11 = logId(8, 3);
const SETTLED_12 = logId(13, 2);
const account = (a: string) => `urn:sunshine-ledger:${CHAIN_ID}:account:${getAddress(a)}`;
const ITEMS = ["SN0001", "SN0002", "SN0003"].map((serial) => `https://id.gs1.org/01/${GTIN}/21/${serial}`);

function eventById(doc: EpcisDocument, eventID: string): EpcisObjectEvent {
  const event = doc.epcisBody.eventList.find((candidate) => candidate.eventID === eventID);
  expect(event, `event ${eventID}`).to.not.equal(undefined);
  return event as EpcisObjectEvent;
}

function expectExportError(fn: () => unknown, messagePart: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, "expected an EpcisExportError").to.be.instanceOf(EpcisExportError);
  expect((caught as Error).message).to.include(messagePart);
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

const MA_DI = "MA.156.M0.100761.21234561";
const MA_KEY = productKeyOf("MA", MA_DI);
const MA_URI = `urn:sunshine-ledger:udi:ma:${MA_DI}`;

/** The realistic trail for an MA (IDcode) product: its product key where the GTIN was. */
function maInput(): EpcisInput {
  const input = realisticInput();
  return {
    ...input,
    shipments: input.shipments.map((s) => ({ ...s, gtin: MA_KEY })),
    recalls: input.recalls.map((r) => ({ ...r, gtin: MA_KEY })),
    deviceIdentifiers: { [MA_KEY]: { agency: "MA", deviceIdentifier: MA_DI } },
  };
}

describe("trail: EPCIS 2.0 export", () => {
  const doc = buildEpcisDocument(realisticInput());
  const events = doc.epcisBody.eventList;

  describe("against GS1's EPCIS 2.0 JSON schema", () => {
    let validate: ValidateFunction | undefined;

    function schemaValidator(ctx: Mocha.Context): ValidateFunction {
      if (!fs.existsSync(SCHEMA_PATH)) {
        console.log(`EPCIS schema not found at ${SCHEMA_PATH}: schema validation skipped`);
        ctx.skip();
      }
      if (!validate) {
        const ajv = new Ajv({ strict: false, allErrors: true });
        addFormats(ajv);
        validate = ajv.compile(JSON.parse(fs.readFileSync(SCHEMA_PATH, "utf8")) as object);
      }
      return validate;
    }

    function errorsOf(ctx: Mocha.Context, document: unknown): ErrorObject[] {
      const check = schemaValidator(ctx);
      return check(document) ? [] : (check.errors ?? []);
    }

    const describeErrors = (errors: ErrorObject[]) =>
      errors.map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`).join("\n");

    it("accepts GS1's own ObjectEvent example (the validator is set up as GS1 intends)", function () {
      const check = schemaValidator(this);
      const example = path.join(EXAMPLES_DIR, "Example_9.6.1-ObjectEvent.jsonld");
      if (!fs.existsSync(example)) {
        console.log(`GS1 example not found at ${example}: skipped`);
        this.skip();
      }
      const errors = check(JSON.parse(fs.readFileSync(example, "utf8"))) ? [] : (check.errors ?? []);
      expect(errors, describeErrors(errors)).to.deep.equal([]);
    });

    it("accepts the exported document of two shipments, receipts, settlements, recalls and a lift", function () {
      const errors = errorsOf(this, clone(doc));
      expect(errors, describeErrors(errors)).to.deep.equal([]);
    });

    it("accepts an MA product's trail under its private identifier, for lots and serialised items", function () {
      const input = maInput();
      const document = buildEpcisDocument(input);
      const errors = errorsOf(this, clone(document));
      expect(errors, describeErrors(errors)).to.deep.equal([]);
      const json = JSON.stringify(document);
      expect(json).to.not.include("id.gs1.org/01/");
      expect(json).to.include(`${MA_URI}:lot:${LOT}`);
      expect(json).to.include(`${MA_URI}:ser:SN0001`);
    });

    it("accepts the export of a partial receipt, another time zone and a recall-only trail", function () {
      const partial = realisticInput();
      partial.shipments[0].receipt = {
        receiptNo: "GR 7",
        receivedAt: "2025-03-02T01:30:00Z",
        accepted: "2",
        rejected: "0",
      };
      partial.shipments[0].settlement = settlement(
        8,
        3,
        "2025-03-05T06:00:00Z",
        "2025-03-02T00:45:00Z",
        NURSE,
        "2",
        "1",
      );
      partial.timeZoneOffset = "-05:00";
      const recallOnly = { ...realisticInput(), shipments: [] };
      const empty = { ...realisticInput(), shipments: [], recalls: [] };
      for (const input of [partial, recallOnly, empty]) {
        const errors = errorsOf(this, clone(buildEpcisDocument(input)));
        expect(errors, describeErrors(errors)).to.deep.equal([]);
      }
    });

    describe("rejects a deliberately broken document (so the validator really checks)", () => {
      it("an event without eventTimeZoneOffset", function () {
        const broken = clone(doc) as unknown as { epcisBody: { eventList: Record<string, unknown>[] } };
        delete broken.epcisBody.eventList[0].eventTimeZoneOffset;
        const errors = errorsOf(this, broken);
        expect(errors.map((e) => e.params)).to.deep.include({ missingProperty: "eventTimeZoneOffset" });
      });

      it('an event with action "FOO"', function () {
        const broken = clone(doc) as unknown as { epcisBody: { eventList: Record<string, unknown>[] } };
        broken.epcisBody.eventList[1].action = "FOO";
        const errors = errorsOf(this, broken);
        expect(errors.some((e) => e.instancePath === "/epcisBody/eventList/1/action" && e.keyword === "enum"))
          .to.be.true;
      });

      it("an extension field whose name is not a (compact) URI", function () {
        const broken = clone(doc) as unknown as { epcisBody: { eventList: Record<string, unknown>[] } };
        broken.epcisBody.eventList[2].txHash = tx(1);
        const errors = errorsOf(this, broken);
        expect(errors.some((e) => e.keyword === "propertyNames" && e.params.propertyName === "txHash")).to.be
          .true;
      });

      it("ilmd on an OBSERVE event", function () {
        const broken = clone(doc) as unknown as { epcisBody: { eventList: Record<string, unknown>[] } };
        broken.epcisBody.eventList[0].ilmd = { "cbvmda:lotNumber": LOT };
        expect(errorsOf(this, broken)).to.not.deep.equal([]);
      });

      it("a bizTransaction that is not a URI, and a document without schemaVersion", function () {
        const badTransaction = clone(doc) as unknown as {
          epcisBody: { eventList: { bizTransactionList?: { bizTransaction: string }[] }[] };
        };
        const shipping = badTransaction.epcisBody.eventList.find((e) => e.bizTransactionList);
        (shipping?.bizTransactionList ?? [])[0].bizTransaction = "order 7";
        expect(errorsOf(this, badTransaction).some((e) => e.params.format === "uri")).to.be.true;

        const noVersion = clone(doc) as unknown as Record<string, unknown>;
        delete noVersion.schemaVersion;
        expect(errorsOf(this, noVersion).map((e) => e.params)).to.deep.include({
          missingProperty: "schemaVersion",
        });
      });
    });
  });

  describe("document", () => {
    it("is an EPCISDocument 2.0 with GS1's context and the sl: extension context", () => {
      expect(doc["@context"]).to.deep.equal([EPCIS_CONTEXT, { sl: SL_NAMESPACE }]);
      expect(EPCIS_CONTEXT).to.equal("https://ref.gs1.org/standards/epcis/epcis-context.jsonld");
      expect(doc.type).to.equal("EPCISDocument");
      expect(doc.schemaVersion).to.equal("2.0");
      expect(doc.creationDate).to.equal("2025-03-07T08:00:00.000+08:00");
    });

    it("is deterministic: the same trail gives the same document", () => {
      expect(buildEpcisDocument(realisticInput())).to.deep.equal(doc);
    });

    it("carries the lot's number and expiry date as EPCClass master data, not as ilmd", () => {
      expect(doc.epcisHeader).to.deep.equal({
        epcisMasterData: {
          vocabularyList: [
            {
              type: "urn:epcglobal:epcis:vtype:EPCClass",
              vocabularyElementList: [
                {
                  id: LOT_URI,
                  attributes: [
                    { id: "urn:epcglobal:cbv:mda#lotNumber", attribute: LOT },
                    { id: "urn:epcglobal:cbv:mda#itemExpirationDate", attribute: "2027-06-30" },
                  ],
                },
              ],
            },
          ],
        },
      });
      for (const event of events) expect(event).to.not.have.property("ilmd");
    });

    it("leaves out the expiry master data when shipments of the lot declare different dates", () => {
      const input = realisticInput();
      input.shipments[1].expiry = "2027-07-31";
      const conflicting = buildEpcisDocument(input);
      const [element] =
        conflicting.epcisHeader?.epcisMasterData.vocabularyList[0].vocabularyElementList ?? [];
      expect(element.attributes.map((a) => a.id)).to.deep.equal(["urn:epcglobal:cbv:mda#lotNumber"]);
      const shippingDates = conflicting.epcisBody.eventList
        .filter((e) => e["sl:ledgerEvent"] === "ShipmentCreated")
        .map((e) => e["sl:declaredExpiry"]);
      expect(shippingDates).to.deep.equal(["2027-06-30", "2027-07-31"]);
    });

    it("has no header when it names no lot", () => {
      const empty = buildEpcisDocument({ ...realisticInput(), shipments: [], recalls: [] });
      expect(empty).to.not.have.property("epcisHeader");
      expect(empty.epcisBody.eventList).to.deep.equal([]);
    });
  });

  describe("events", () => {
    it("are ObjectEvents with OBSERVE, times in +08:00 and unique eventIDs", () => {
      // Per shipment: creation, trace events, receipt, delivery and acceptance; then 2 recalls, 1 lift.
      expect(events).to.have.length(1 + 6 + 1 + 2 + (1 + 3 + 1 + 2) + 3);
      for (const event of events) {
        expect(event.type).to.equal("ObjectEvent");
        expect(event.action).to.equal("OBSERVE");
        expect(event.eventTimeZoneOffset).to.equal("+08:00");
        expect(event.eventTime).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+08:00$/);
      }
      expect(new Set(events.map((e) => e.eventID)).size).to.equal(events.length);
    });

    it("write each instant in the document's offset", () => {
      expect(eventById(doc, logId(1, 2)).eventTime).to.equal("2025-03-01T09:00:00.000+08:00");
      expect(eventById(doc, logId(4)).eventTime).to.equal("2025-03-02T08:30:00.000+08:00");
      const newYork = buildEpcisDocument({ ...realisticInput(), timeZoneOffset: "-05:00" });
      const created = eventById(newYork, logId(1, 2));
      expect(created.eventTime).to.equal("2025-02-28T20:00:00.000-05:00");
      expect(created.eventTimeZoneOffset).to.equal("-05:00");
      expect(Date.parse(created.eventTime)).to.equal(Date.parse("2025-03-01T01:00:00Z"));
    });

    it("are sorted by eventTime", () => {
      const times = events.map((e) => Date.parse(e.eventTime));
      expect(times).to.deep.equal([...times].sort((a, b) => a - b));
      expect(events.map((e) => e.eventID)).to.deep.equal([
        logId(1, 2),
        logId(2),
        logId(3),
        logId(4),
        `${SETTLED_11}:delivery`,
        logId(5),
        `urn:sunshine-ledger:${CHAIN_ID}:shipment:11:receipt:GR-2025%2F0001`,
        logId(6),
        logId(7),
        logId(9, 1),
        logId(10),
        logId(11),
        `${SETTLED_12}:delivery`,
        `urn:sunshine-ledger:${CHAIN_ID}:shipment:12:receipt:GR-2025%2F0002`,
        logId(12),
        SETTLED_11,
        SETTLED_12,
        logId(14),
        logId(15),
        logId(16),
      ]);
    });

    it("keep the trail's order for events at the same instant (stable sort)", () => {
      const input = realisticInput();
      const [shipment] = input.shipments;
      shipment.receipt = {
        ...(shipment.receipt ?? { receiptNo: "R", accepted: "3", rejected: "0" }),
        receivedAt: "2025-03-01T01:00:00Z",
      };
      shipment.traceEvents = [
        traceEvent(1, "shipping", SUPPLIER, gln(SUPPLIER_GLN), "2025-03-01T01:00:00Z", 2),
      ];
      input.recalls[0].recalledAt = "2025-03-01T09:00:00+08:00";
      const tied = buildEpcisDocument(input).epcisBody.eventList.slice(0, 4);
      expect(tied.map((e) => e.eventTime)).to.deep.equal(new Array(4).fill("2025-03-01T09:00:00.000+08:00"));
      expect(tied.map((e) => e.bizStep ?? e.disposition)).to.deep.equal([
        "shipping",
        "shipping",
        "receiving",
        "recalled",
      ]);
      expect(tied[0].eventID).to.equal(logId(1, 2));
    });

    it("use the CBV business step and disposition for each ledger step", () => {
      const steps = events.map((e) => [e["sl:ledgerEvent"] ?? "receipt", e.bizStep, e.disposition]);
      expect(steps).to.deep.equal([
        ["ShipmentCreated", "shipping", "in_transit"],
        ["TraceEventRecorded", "shipping", "in_transit"],
        ["TraceEventRecorded", "departing", "in_transit"],
        ["TraceEventRecorded", "arriving", "in_transit"],
        ["ShipmentSettled", "receiving", "in_progress"],
        ["TraceEventRecorded", "inspecting", "in_progress"],
        ["receipt", "receiving", "in_progress"],
        ["TraceEventRecorded", "accepting", "conformant"],
        ["TraceEventRecorded", "storing", "in_progress"],
        ["ShipmentCreated", "shipping", "in_transit"],
        ["TraceEventRecorded", "shipping", "in_transit"],
        ["TraceEventRecorded", "receiving", "in_progress"],
        ["ShipmentSettled", "receiving", "in_progress"],
        ["receipt", "receiving", "in_progress"],
        ["TraceEventRecorded", "holding", "in_progress"],
        ["ShipmentSettled", "accepting", "conformant"],
        ["ShipmentSettled", "accepting", "conformant"],
        ["LotRecalled", undefined, "recalled"],
        ["RecallLifted", undefined, undefined],
        ["LotRecalled", undefined, "recalled"],
      ]);
    });
  });

  describe("what", () => {
    it("lists the items as Digital Link URIs when the serial manifest is known", () => {
      const serialised = events.filter((e) => e["sl:shipmentId"] === "11");
      expect(serialised).to.have.length(10);
      for (const event of serialised) {
        expect(event.epcList, event.eventID).to.deep.equal(ITEMS);
        expect(event).to.not.have.property("quantityList");
      }
    });

    it("counts the lot (Digital Link lot URI, no uom) when there is no manifest", () => {
      const bulk = events.filter((e) => e["sl:shipmentId"] === "12");
      expect(bulk).to.have.length(7);
      const quantities = bulk.map((e) => e.quantityList);
      expect(quantities).to.deep.equal([
        [{ epcClass: LOT_URI, quantity: 50 }],
        [{ epcClass: LOT_URI, quantity: 50 }],
        [{ epcClass: LOT_URI, quantity: 50 }],
        [{ epcClass: LOT_URI, quantity: 50 }], // delivered: the whole shipment
        [{ epcClass: LOT_URI, quantity: 50 }], // received = 48 accepted + 2 rejected
        [{ epcClass: LOT_URI, quantity: 50 }],
        [{ epcClass: LOT_URI, quantity: 48 }], // settlement: accepted only
      ]);
      for (const event of bulk) expect(event).to.not.have.property("epcList");
    });

    it("counts instead of listing items when a receipt or settlement covers only part of the manifest", () => {
      const input = realisticInput();
      input.shipments[0].receipt = {
        receiptNo: "GR-1",
        receivedAt: "2025-03-02T01:30:00Z",
        accepted: "2",
        rejected: "0",
      };
      input.shipments[0].settlement = settlement(
        8,
        3,
        "2025-03-05T06:00:00Z",
        "2025-03-02T00:45:00Z",
        NURSE,
        "2",
        "1",
      );
      const partial = buildEpcisDocument(input);
      const receiving = eventById(partial, `urn:sunshine-ledger:${CHAIN_ID}:shipment:11:receipt:GR-1`);
      const accepting = eventById(partial, SETTLED_11);
      for (const event of [receiving, accepting]) {
        expect(event.quantityList).to.deep.equal([{ epcClass: LOT_URI, quantity: 2 }]);
        expect(event).to.not.have.property("epcList");
      }
      expect(eventById(partial, logId(1, 2)).epcList).to.deep.equal(ITEMS);
    });

    it("percent-encodes a lot with characters outside the URI unreserved set", () => {
      const input = realisticInput();
      for (const shipment of input.shipments) shipment.lot = "A25/07+1";
      const event = eventById(buildEpcisDocument(input), logId(9, 1));
      expect(event.quantityList?.[0].epcClass).to.equal(`https://id.gs1.org/01/${GTIN}/10/A25%2F07%2B1`);
    });

    it("marks the whole lot recalled, persistently, without a business step", () => {
      const recall = eventById(doc, logId(14));
      expect(recall.disposition).to.equal("recalled");
      expect(recall.persistentDisposition).to.deep.equal({ set: ["recalled"] });
      expect(recall).to.not.have.property("bizStep");
      expect(recall.quantityList).to.deep.equal([{ epcClass: LOT_URI }]);
      expect(recall["sl:reasonCode"]).to.equal(3);
      expect(recall["sl:recalledBy"]).to.equal(getAddress(SUPPLIER));
    });
  });

  describe("where", () => {
    it("names a GLN location by its Digital Link URI and a hashed one by a URN", () => {
      expect(eventById(doc, logId(2)).readPoint).to.deep.equal({
        id: `https://id.gs1.org/414/${SUPPLIER_GLN}`,
      });
      expect(eventById(doc, logId(3)).readPoint).to.deep.equal({
        id: `urn:sunshine-ledger:location:${TRUCK}`,
      });
      expect(eventById(doc, logId(5)).readPoint).to.deep.equal({
        id: `https://id.gs1.org/414/${HOSPITAL_GLN}`,
      });
    });

    it("gives a bizLocation only where the goods stay after the event", () => {
      expect(eventById(doc, logId(2))).to.not.have.property("bizLocation");
      expect(eventById(doc, logId(3))).to.not.have.property("bizLocation");
      for (const n of [4, 5, 6, 7, 11, 12]) {
        expect(eventById(doc, logId(n)).bizLocation, `tx ${n}`).to.deep.equal({
          id: `https://id.gs1.org/414/${HOSPITAL_GLN}`,
        });
      }
    });

    it("treats 13 digits with a wrong check digit, or no location at all, as such", () => {
      const input = realisticInput();
      input.shipments[0].traceEvents[1].location = gln("9520123456787");
      input.shipments[0].traceEvents[2].location = NO_DIGEST;
      const built = buildEpcisDocument(input);
      expect(eventById(built, logId(2)).readPoint).to.deep.equal({
        id: `urn:sunshine-ledger:location:${gln("9520123456787")}`,
      });
      expect(eventById(built, logId(3))).to.not.have.property("readPoint");
    });

    it("names the business transactions: po and desadv, plus recadv for the receipt", () => {
      const po = { type: "po", bizTransaction: `urn:sunshine-ledger:${CHAIN_ID}:order:7` };
      const desadv = { type: "desadv", bizTransaction: `urn:sunshine-ledger:${CHAIN_ID}:shipment:12` };
      const recadv = {
        type: "recadv",
        bizTransaction: `urn:sunshine-ledger:${CHAIN_ID}:shipment:12:receipt:GR-2025%2F0002`,
      };
      expect(eventById(doc, logId(9, 1)).bizTransactionList).to.deep.equal([po, desadv]);
      expect(eventById(doc, recadv.bizTransaction).bizTransactionList).to.deep.equal([po, desadv, recadv]);
      expect(eventById(doc, SETTLED_12).bizTransactionList).to.deep.equal([po, desadv, recadv]);
      expect(eventById(doc, `${SETTLED_12}:delivery`).bizTransactionList).to.deep.equal([po, desadv]);
    });

    it("names supplier and hospital as owning parties of the shipment", () => {
      const created = eventById(doc, logId(1, 2));
      expect(created.sourceList).to.deep.equal([
        { type: "owning_party", source: `urn:sunshine-ledger:${CHAIN_ID}:account:${getAddress(SUPPLIER)}` },
      ]);
      expect(created.destinationList).to.deep.equal([
        {
          type: "owning_party",
          destination: `urn:sunshine-ledger:${CHAIN_ID}:account:${getAddress(HOSPITAL)}`,
        },
      ]);
    });
  });

  describe("sensor data", () => {
    it("reports an excursion as a Temperature reading with ALARM_CONDITION", () => {
      const arriving = eventById(doc, logId(4));
      expect(arriving.sensorElementList).to.deep.equal([
        {
          sensorReport: [
            { type: "Temperature", minValue: 2.1, maxValue: 11.4, uom: "CEL", exception: "ALARM_CONDITION" },
          ],
        },
      ]);
      expect(arriving["sl:excursion"]).to.equal(true);
      expect(arriving["sl:sensorDigest"]).to.equal(DIGEST_B);
    });

    it("reports a reading without excursion without an exception", () => {
      const departing = eventById(doc, logId(3));
      expect(departing.sensorElementList).to.deep.equal([
        { sensorReport: [{ type: "Temperature", value: 5.1, uom: "CEL" }] },
      ]);
      expect(departing["sl:excursion"]).to.equal(false);
      expect(departing["sl:sensorDigest"]).to.equal(DIGEST_A);
    });

    it("reports an excursion without figures, and keeps its digest", () => {
      const holding = eventById(doc, logId(12));
      expect(holding.sensorElementList).to.deep.equal([
        { sensorReport: [{ type: "Temperature", exception: "ALARM_CONDITION" }] },
      ]);
      expect(holding["sl:sensorDigest"]).to.equal(DIGEST_C);
    });

    it("has no sensor data and no digest when none was recorded", () => {
      const inspecting = eventById(doc, logId(5));
      expect(inspecting).to.not.have.property("sensorElementList");
      expect(inspecting).to.not.have.property("sl:sensorDigest");
    });
  });

  describe("provenance", () => {
    it("lets a regulator find every on-chain event: chain, contract, transaction, block, log", () => {
      const logged = events.filter(
        (e) => e["sl:ledgerEvent"] !== undefined && e["sl:ledgerEvent"] !== "ShipmentSettled",
      );
      expect(logged).to.have.length(2 + 9 + 3);
      for (const event of logged) {
        expect(event["sl:chainId"], event.eventID).to.equal(CHAIN_ID);
        expect(event["sl:contract"], event.eventID).to.equal(getAddress(TRACE));
        expect(event["sl:txHash"], event.eventID).to.match(/^0x[0-9a-f]{64}$/);
        expect(event["sl:blockNumber"], event.eventID).to.be.a("number");
        expect(event["sl:logIndex"], event.eventID).to.be.a("number");
        expect(event.eventID).to.equal(logId(Number(event["sl:txHash"]), event["sl:logIndex"] as number));
      }
      const created = eventById(doc, logId(9, 1));
      expect([created["sl:txHash"], created["sl:blockNumber"], created["sl:logIndex"]]).to.deep.equal([
        tx(9),
        109,
        1,
      ]);
      const trace = eventById(doc, logId(11));
      expect([trace["sl:traceIndex"], trace["sl:actor"]]).to.deep.equal([2, getAddress(NURSE)]);
    });

    it("points a settlement's two events to the order book log that paid it", () => {
      for (const id of [SETTLED_11, `${SETTLED_11}:delivery`]) {
        const settled = eventById(doc, id);
        expect(settled["sl:ledgerEvent"], id).to.equal("ShipmentSettled");
        expect(settled["sl:contract"], id).to.equal(getAddress(ORDER_BOOK));
        expect([settled["sl:txHash"], settled["sl:blockNumber"], settled["sl:logIndex"]], id).to.deep.equal([
          tx(8),
          108,
          3,
        ]);
        expect(settled["sl:chainId"], id).to.equal(CHAIN_ID);
      }
      const accepted = eventById(doc, SETTLED_12);
      expect([accepted["sl:acceptedQuantity"], accepted["sl:rejectedQuantity"]]).to.deep.equal(["48", "2"]);
    });

    it("names the gateway's receipt by its number, with accepted and rejected counts", () => {
      const receipt = eventById(doc, `urn:sunshine-ledger:${CHAIN_ID}:shipment:12:receipt:GR-2025%2F0002`);
      expect(receipt["sl:receiptNo"]).to.equal("GR-2025/0002");
      expect([receipt["sl:acceptedQuantity"], receipt["sl:rejectedQuantity"]]).to.deep.equal(["48", "2"]);
      expect(receipt).to.not.have.property("sl:txHash");
    });

    it("uses only sl:-prefixed names for fields EPCIS does not define", () => {
      const standard = new Set([
        "type",
        "eventID",
        "eventTime",
        "eventTimeZoneOffset",
        "action",
        "epcList",
        "quantityList",
        "bizStep",
        "disposition",
        "readPoint",
        "bizLocation",
        "bizTransactionList",
        "sourceList",
        "destinationList",
        "sensorElementList",
        "persistentDisposition",
      ]);
      const others = events.flatMap((e) => Object.keys(e)).filter((key) => !standard.has(key));
      expect(others.length).to.be.greaterThan(0);
      expect(others.filter((key) => !key.startsWith("sl:"))).to.deep.equal([]);
    });
  });

  describe("recalls and their lifts", () => {
    it("scopes a supplier's recall to its own shipments, by its account", () => {
      const recall = eventById(doc, logId(14));
      expect(recall["sl:ledgerEvent"]).to.equal("LotRecalled");
      expect(recall["sl:recallScope"]).to.equal(account(SUPPLIER));
    });

    it("unsets the recalled disposition when a regulator lifts the recall, with its reason", () => {
      const lift = eventById(doc, logId(15));
      expect(lift).to.include({
        "sl:ledgerEvent": "RecallLifted",
        "sl:recallScope": account(SUPPLIER),
        "sl:liftedBy": getAddress(REGULATOR),
        "sl:reasonCode": 8,
        "sl:txHash": tx(15),
        "sl:blockNumber": 115,
      });
      expect(lift.persistentDisposition).to.deep.equal({ unset: ["recalled"] });
      // Lifting says nothing of the goods' condition.
      expect(lift).to.not.have.property("disposition");
      expect(lift).to.not.have.property("bizStep");
      expect(lift.quantityList).to.deep.equal([{ epcClass: LOT_URI }]);
      expect(lift.eventTime).to.equal("2025-03-06T20:00:00.000+08:00");
    });

    it("calls a regulator's recall global", () => {
      const recall = eventById(doc, logId(16));
      expect(recall).to.include({ "sl:recallScope": "global", "sl:recalledBy": getAddress(REGULATOR) });
      expect(recall.persistentDisposition).to.deep.equal({ set: ["recalled"] });
    });

    it("has no lift event for a recall in force", () => {
      const lifts = events.filter((e) => e["sl:ledgerEvent"] === "RecallLifted");
      expect(lifts.map((e) => e.eventID)).to.deep.equal([logId(15)]);
    });
  });

  describe("delivery and settlement", () => {
    it("receives the whole shipment at the delivery time the chain derived", () => {
      const delivered = eventById(doc, `${SETTLED_11}:delivery`);
      expect(delivered).to.include({
        eventTime: "2025-03-02T08:45:00.000+08:00",
        bizStep: "receiving",
        disposition: "in_progress",
        "sl:ledgerDeliveryTime": true,
        "sl:shipmentId": "11",
      });
      expect(delivered.epcList).to.deep.equal(ITEMS);
      expect(eventById(doc, `${SETTLED_12}:delivery`).eventTime).to.equal("2025-03-04T09:05:00.000+08:00");
    });

    it("accepts at the settlement's time, and names who settled: the hospital or the supplier's claim", () => {
      const byHospital = eventById(doc, SETTLED_11);
      expect(byHospital).to.include({
        eventTime: "2025-03-05T14:00:00.000+08:00",
        "sl:settledBy": getAddress(NURSE),
        "sl:supplierClaim": false,
      });
      const input = realisticInput();
      input.shipments[1].settlement!.settledBy = SUPPLIER;
      const claimed = eventById(buildEpcisDocument(input), SETTLED_12);
      expect(claimed).to.include({ "sl:settledBy": getAddress(SUPPLIER), "sl:supplierClaim": true });
    });
  });

  describe("bad input", () => {
    it("refuses a product key whose device identifier the trail does not know", () => {
      expect(() => buildEpcisDocument({ ...maInput(), deviceIdentifiers: {} })).to.throw(
        EpcisExportError,
        `shipment 11: product key ${MA_KEY} has no declared device identifier`,
      );
    });

    it("rejects a time zone offset EPCIS does not allow", () => {
      expectExportError(
        () => buildEpcisDocument({ ...realisticInput(), timeZoneOffset: "+8" }),
        "timeZoneOffset",
      );
      expectExportError(
        () => buildEpcisDocument({ ...realisticInput(), timeZoneOffset: "+14:30" }),
        "timeZoneOffset",
      );
    });

    it("rejects a time without an offset, or on a day that does not exist", () => {
      const noOffset = realisticInput();
      noOffset.shipments[0].createdAt = "2025-03-01T01:00:00";
      expectExportError(() => buildEpcisDocument(noOffset), "shipment 11 createdAt");
      const noDay = realisticInput();
      noDay.recalls[0].recalledAt = "2025-02-30T00:00:00Z";
      expectExportError(() => buildEpcisDocument(noDay), "recalledAt");
    });

    it("rejects a recall lifted before it was made, a bad scope and a bad reason code", () => {
      const early = realisticInput();
      early.recalls[0].lift!.liftedAt = "2025-03-05T23:59:59Z";
      expectExportError(() => buildEpcisDocument(early), "lifted before it was recalled");
      const scope = realisticInput();
      scope.recalls[1].scope = "everyone";
      expectExportError(() => buildEpcisDocument(scope), "scope");
      const reason = realisticInput();
      reason.recalls[0].lift!.reasonCode = 70_000;
      expectExportError(() => buildEpcisDocument(reason), "reasonCode");
    });

    it("rejects a serial listed twice in a manifest", () => {
      const input = realisticInput();
      input.shipments[0].serials = ["SN0001", "SN0002", "SN0001"];
      expectExportError(() => buildEpcisDocument(input), "serial SN0001 appears twice");
    });

    it("rejects a GTIN with a wrong check digit and a lot outside GS1 character set 82", () => {
      const badGtin = realisticInput();
      badGtin.shipments[1].gtin = "09520123456787";
      expectExportError(() => buildEpcisDocument(badGtin), "shipment 12");
      const badLot = realisticInput();
      badLot.recalls[0].lot = "LOT #1";
      expectExportError(() => buildEpcisDocument(badLot), "recall of");
    });

    it("rejects an unknown step, a non-numeric quantity and the same log twice", () => {
      const step = realisticInput();
      (step.shipments[1].traceEvents[0] as { step: string }).step = "recalling";
      expectExportError(() => buildEpcisDocument(step), '"recalling"');
      const quantity = realisticInput();
      quantity.shipments[1].quantity = "50.5";
      expectExportError(() => buildEpcisDocument(quantity), "whole number");
      const twice = realisticInput();
      twice.recalls.push({ ...twice.recalls[0] });
      expectExportError(() => buildEpcisDocument(twice), "appears twice");
    });
  });
});
