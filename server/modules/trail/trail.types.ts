import type { SerialProof } from "../../../api/shipments";
import type { Trail, TrailStep, TrailSubject } from "../../../api/trail";
import type { LedgerContractName } from "../../../ledger/contracts";
import type * as repo from "./trail.repository";

/** What the trail module needs of the deployment: the chain, and where each contract is. */
export interface TrailContext {
  chainId: number;
  contracts: Record<LedgerContractName, string>;
}

/** Everything a trail is made of, read in one snapshot (trail.load.ts). */
export interface TrailData {
  subject: TrailSubject;
  scope: repo.TrailScope;
  orders: repo.OrderRow[];
  shipments: repo.ShipmentRow[];
  lots: Trail["lots"];
  steps: TrailStep[];
  qualification: Trail["qualification"];
  state: Trail["state"];
  proofs?: SerialProof[];
  serials: Map<string, string[]>;
  /** ShipmentCreated logs by shipment id (for EPCIS provenance). */
  created: Map<string, repo.ChainEventRow>;
  receipts: repo.ReceiptRow[];
  settlements: repo.SettlementRow[];
  traces: repo.TraceEventRow[];
  recalls: repo.RecallRow[];
}
