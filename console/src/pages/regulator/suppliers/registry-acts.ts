import { SupplierRegistry__factory } from "../../../../../typechain-types";

/** The regulator's acts on the supplier registry, encoded for the relay (ledger/acts.ts). */
const registry = SupplierRegistry__factory.createInterface();

export const registryActs = {
  attestDocument: (documentId: string) => registry.encodeFunctionData("attestDocument", [documentId]),
  rejectDocument: (documentId: string, reasonCode: number) =>
    registry.encodeFunctionData("rejectDocument", [documentId, reasonCode]),
  suspend: (supplier: string, reasonCode: number) =>
    registry.encodeFunctionData("suspend", [supplier, reasonCode]),
  reinstate: (supplier: string, reasonCode: number) =>
    registry.encodeFunctionData("reinstate", [supplier, reasonCode]),
};
