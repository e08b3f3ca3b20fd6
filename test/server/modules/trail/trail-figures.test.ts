import Ajv from "ajv";
import addFormats from "ajv-formats";
import { expect } from "chai";
import { ethers, type EventFragment, type Interface, type ParamType } from "ethers";
import { LEDGER_CONTRACTS, type LedgerContractName } from "../../../../ledger/contracts";
import { LedgerEventDecoder } from "../../../../ledger/events";
import { TRAIL_CONTRACTS, type TrailContract } from "../../../../ledger/trail/event-spec";
import { EVENT_SPECS } from "../../../../ledger/trail/event-specs";
import * as rule from "../../../../ledger/trail/trail-rule";
import {
  AgreementBook__factory,
  BudgetBook__factory,
  CampusTransfers__factory,
  DeliveryTrace__factory,
  HospitalRegistry__factory,
  OrderBook__factory,
  SupplierRegistry__factory,
  TenderHouse__factory,
} from "../../../../typechain-types";

/**
 * The canonical figures of every ledger event a trail can contain (ledger/trail/): for each
 * event, a log made with the contract's own ABI and decoded as the indexer and the verifier decode
 * it must give figures that carry exactly the fields of the event's schema, each in its canonical
 * form — the schema the gateway's trail responses are serialised with. Every event the trail rule
 * asks for has a spec.
 */

const INTERFACES: Record<TrailContract, Interface> = {
  registry: SupplierRegistry__factory.createInterface(),
  tenders: TenderHouse__factory.createInterface(),
  agreements: AgreementBook__factory.createInterface(),
  hospitals: HospitalRegistry__factory.createInterface(),
  orderBook: OrderBook__factory.createInterface(),
  trace: DeliveryTrace__factory.createInterface(),
  budgets: BudgetBook__factory.createInterface(),
  campusTransfers: CampusTransfers__factory.createInterface(),
};

const ADDRESSES = Object.fromEntries(
  LEDGER_CONTRACTS.map((name, i) => [name, ethers.zeroPadValue(ethers.toBeHex(0x1000 + i), 20)]),
) as Record<LedgerContractName, string>;

/** A value of the parameter's type, distinct per parameter so that swapped fields would show. */
function sample(param: ParamType, seed: number): unknown {
  if (param.isArray()) return [sample(param.arrayChildren, seed + 1), sample(param.arrayChildren, seed + 2)];
  if (param.isTuple()) return param.components.map((c, i) => sample(c, seed * 10 + i));
  if (param.type.startsWith("uint")) return BigInt(seed % 2 === 0 ? 1 : 2);
  if (param.type.startsWith("int")) return BigInt(seed % 2 === 0 ? -1 : 2);
  if (param.type === "address")
    return ethers.getAddress(ethers.zeroPadValue(ethers.toBeHex(0xabc0 + seed), 20));
  if (param.type === "bytes32") return ethers.id(`word ${seed}`);
  if (param.type === "string") return `LOT-${seed}`;
  if (param.type === "bool") return true;
  throw new Error(`no sample for ${param.type}`);
}

function logOf(contract: TrailContract, fragment: EventFragment) {
  const values = fragment.inputs.map((p, i) => sample(p, i + 1));
  const { data, topics } = INTERFACES[contract].encodeEventLog(fragment, values);
  return { address: ADDRESSES[contract], data, topics };
}

describe("trail figures", function () {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const decoder = new LedgerEventDecoder(ADDRESSES);

  it("has a spec for every event of a trail contract the trail rule asks for", function () {
    const asked = [
      ...rule.ORDER_EVENTS.map((e) => `orderBook.${e}`),
      ...rule.SHIPMENT_TRACE_EVENTS.map((e) => `trace.${e}`),
      ...rule.SHIPMENT_ORDER_EVENTS.map((e) => `orderBook.${e}`),
      ...rule.RECALL_EVENTS.map((e) => `trace.${e}`),
      ...rule.TENDER_EVENTS.map((e) => `tenders.${e}`),
      ...rule.VOLUME_MOVING_EVENTS.map((e) => `orderBook.${e}`),
      ...rule.SUPPLIER_EVENTS.map((e) => `registry.${e}`),
      ...rule.DOCUMENT_EVENTS.map((e) => `registry.${e}`),
      ...rule.HOSPITAL_EVENTS.map((e) => `hospitals.${e}`),
      ...rule.MEMBER_EVENTS.map((e) => `hospitals.${e}`),
      ...rule.BUDGET_ORDER_EVENTS.map((e) => `budgets.${e}`),
      ...rule.BUDGET_EVENTS.map((e) => `budgets.${e}`),
      "agreements.AgreementCreated",
      "agreements.AgreementVolumeChanged",
      "registry.RequiredKindsChanged",
      "registry.GtinRegistered",
    ];
    expect(asked.filter((key) => !EVENT_SPECS.has(key))).to.deep.equal([]);
    for (const spec of EVENT_SPECS.values()) {
      expect(TRAIL_CONTRACTS, spec.event).to.include(spec.contract);
      expect(INTERFACES[spec.contract].getEvent(spec.event), `${spec.contract}.${spec.event}`).to.not.equal(
        null,
      );
    }
  });

  for (const spec of EVENT_SPECS.values()) {
    it(`${spec.contract}.${spec.event}: the decoded log's figures are exactly its schema's`, function () {
      const fragment = INTERFACES[spec.contract].getEvent(spec.event)!;
      const decoded = decoder.decode(logOf(spec.contract, fragment));
      expect(decoded?.event).to.equal(spec.event);
      const figures = spec.figures(decoded!.args);
      expect(Object.keys(figures).sort()).to.deep.equal(Object.keys(spec.schema.properties).sort());
      const validate = ajv.compile(spec.schema);
      expect(validate(figures), JSON.stringify(validate.errors)).to.equal(true);
      // A step states the figures (and what it adds, e.g. a trace step's eventIndex): its id and
      // sentence are made of them.
      const step = { ...figures, ...(spec.event === "TraceEventRecorded" ? { eventIndex: 1 } : {}) };
      const stepValidate = ajv.compile(spec.stepSchema);
      expect(stepValidate(step), JSON.stringify(stepValidate.errors)).to.equal(true);
      expect(spec.id(step, { blockNumber: 7, logIndex: 3 }))
        .to.be.a("string")
        .and.not.include("undefined");
      expect(spec.summary(step)).to.be.a("string").and.not.include("undefined");
    });
  }
});
