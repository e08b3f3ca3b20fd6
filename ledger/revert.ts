import { Interface, type ErrorDescription } from "ethers";
import {
  AgreementBook__factory,
  BudgetBook__factory,
  CampusTransfers__factory,
  ConsignmentBook__factory,
  DeliveryTrace__factory,
  FundBook__factory,
  HospitalRegistry__factory,
  LedgerForwarder__factory,
  LedgerRoles__factory,
  OrderBook__factory,
  SettlementToken__factory,
  SupplierRegistry__factory,
  TenderHouse__factory,
} from "../typechain-types";

/** Every custom error any ledger contract (or the OpenZeppelin code in it) can revert with. */
const ERRORS = new Interface(
  [
    OrderBook__factory.abi,
    DeliveryTrace__factory.abi,
    TenderHouse__factory.abi,
    AgreementBook__factory.abi,
    BudgetBook__factory.abi,
    SupplierRegistry__factory.abi,
    HospitalRegistry__factory.abi,
    LedgerForwarder__factory.abi,
    SettlementToken__factory.abi,
    ConsignmentBook__factory.abi,
    CampusTransfers__factory.abi,
    FundBook__factory.abi,
    LedgerRoles__factory.abi,
  ]
    .flat()
    .filter((fragment) => fragment.type === "error")
    .filter((fragment, i, all) => all.findIndex((f) => JSON.stringify(f) === JSON.stringify(fragment)) === i),
);

export interface DecodedRevert {
  name: string;
  args: Record<string, string>;
  /** e.g. `SettlementLotRecalled(shipmentId=3, gtin=9520123456788, lot=L1)` */
  message: string;
}

/** Decodes revert data into the custom error's name and arguments, or null if unknown. */
export function decodeRevert(data: string | null | undefined): DecodedRevert | null {
  if (!data || data === "0x") return null;
  let parsed: ErrorDescription | null;
  try {
    parsed = ERRORS.parseError(data);
  } catch {
    return null;
  }
  if (!parsed) return null;
  const args: Record<string, string> = {};
  parsed.fragment.inputs.forEach((input, i) => {
    args[input.name || `arg${i}`] = String(parsed.args[i]);
  });
  const list = Object.entries(args)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
  return { name: parsed.name, args, message: `${parsed.name}(${list})` };
}

/** Revert data carried by an ethers error, wherever the provider put it. */
export function revertDataOf(error: unknown): string | null {
  const e = error as { data?: unknown; info?: { error?: { data?: unknown } }; error?: { data?: unknown } };
  for (const candidate of [e?.data, e?.info?.error?.data, e?.error?.data]) {
    if (typeof candidate === "string" && candidate.startsWith("0x")) return candidate;
    const nested = (candidate as { data?: unknown } | undefined)?.data;
    if (typeof nested === "string" && nested.startsWith("0x")) return nested;
  }
  return null;
}
