import { Interface, type Log, type ParamType } from "ethers";
import {
  AgreementBook__factory,
  BudgetBook__factory,
  ConsignmentBook__factory,
  CampusTransfers__factory,
  DeliveryTrace__factory,
  FundBook__factory,
  HospitalRegistry__factory,
  LedgerForwarder__factory,
  LedgerRoles__factory,
  OrderBook__factory,
  SupplierRegistry__factory,
  TenderHouse__factory,
} from "../typechain-types";
import type { LedgerContractName } from "./contracts";

/** JSON-safe decoded event arguments: uint → decimal string, address/bytes → lower-case hex. */
export type EventArgs = Record<string, JsonValue>;
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The contracts whose events make up the ledger (the token's own transfers are not indexed). */
const INDEXED: Partial<Record<LedgerContractName, Interface>> = {
  forwarder: new Interface(LedgerForwarder__factory.abi),
  roles: new Interface(LedgerRoles__factory.abi),
  registry: new Interface(SupplierRegistry__factory.abi),
  tenders: new Interface(TenderHouse__factory.abi),
  agreements: new Interface(AgreementBook__factory.abi),
  hospitals: new Interface(HospitalRegistry__factory.abi),
  trace: new Interface(DeliveryTrace__factory.abi),
  orderBook: new Interface(OrderBook__factory.abi),
  budgets: new Interface(BudgetBook__factory.abi),
  consignment: new Interface(ConsignmentBook__factory.abi),
  campusTransfers: new Interface(CampusTransfers__factory.abi),
  fund: new Interface(FundBook__factory.abi),
};

export interface DecodedLog {
  contract: LedgerContractName;
  address: string;
  event: string;
  args: EventArgs;
}

/** Decodes raw logs of the ledger's contracts into named, JSON-safe events. */
export class LedgerEventDecoder {
  private readonly byAddress = new Map<string, { contract: LedgerContractName; iface: Interface }>();

  constructor(addresses: Record<LedgerContractName, string>) {
    for (const [contract, iface] of Object.entries(INDEXED) as [LedgerContractName, Interface][]) {
      this.byAddress.set(addresses[contract].toLowerCase(), { contract, iface });
    }
  }

  /** Addresses to ask `eth_getLogs` for. */
  get addresses(): string[] {
    return [...this.byAddress.keys()];
  }

  /** The decoded event, or null for a log that is not one of the ledger's events. */
  decode(log: Pick<Log, "address" | "topics" | "data">): DecodedLog | null {
    const address = log.address.toLowerCase();
    const source = this.byAddress.get(address);
    if (!source) return null;
    const parsed = source.iface.parseLog({ topics: [...log.topics], data: log.data });
    if (!parsed) return null;
    const args: EventArgs = {};
    parsed.fragment.inputs.forEach((param, i) => {
      args[param.name] = toJsonValue(param, parsed.args[i]);
    });
    return { contract: source.contract, address, event: parsed.name, args };
  }
}

function toJsonValue(param: ParamType, value: unknown): JsonValue {
  if (param.isArray()) {
    return (value as unknown[]).map((item) => toJsonValue(param.arrayChildren, item));
  }
  if (param.isTuple()) {
    const out: Record<string, JsonValue> = {};
    param.components.forEach((component, i) => {
      out[component.name] = toJsonValue(component, (value as unknown[])[i]);
    });
    return out;
  }
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return param.type === "string" ? value : value.toLowerCase();
  if (typeof value === "boolean" || typeof value === "number") return value;
  throw new Error(`cannot represent ${param.type} value in JSON`);
}
