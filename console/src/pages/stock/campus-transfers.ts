import { CampusTransfers__factory } from "../../../../typechain-types";
import { useSession } from "../../lib/session";

const campusTransfers = CampusTransfers__factory.createInterface();

/** The relayed call of the ledger's CampusTransfers (the session config names its address). */
export function useCampusTransfers() {
  const { config } = useSession();
  const to = config!.contracts.campusTransfers;
  return {
    recordTransfer: (t: { gtin: string; lot: string; from: string; to: string; quantity: number }) => ({
      to,
      data: campusTransfers.encodeFunctionData("recordTransfer", [
        BigInt(t.gtin),
        t.lot,
        BigInt(t.from),
        BigInt(t.to),
        t.quantity,
        // The console moves by count: serials, where known, are scanned by the CLI or the warehouse system.
        `0x${"0".repeat(64)}`,
      ]),
    }),
  };
}
