import { BlockMemo } from "../../lib/block-memo";
import { ledgerTime, requestHead, type ChainContext } from "../../plugins/chain";
import type { LedgerView } from "./receipts.service";

/**
 * The ledger as matching sees it, at the chain's latest block: its clock, and the supplier's
 * qualification and the lot's recall read at that very block. Those reads are shared by the
 * receipts arriving within one block (a warehouse scanning a delivery sends many at once), since
 * a read at a given block answers the same for each.
 */
export function ledgerViews(chain: ChainContext): (request: object) => Promise<LedgerView> {
  const { ledger } = chain;
  const qualified = new BlockMemo<boolean>();
  const recalled = new BlockMemo<boolean>();
  return async (request) => {
    const head = await requestHead(chain, request);
    const blockTag = head.number;
    return {
      now: ledgerTime(head),
      isQualified: (supplier, category, at) => {
        const seconds = Math.floor(at.getTime() / 1000);
        return qualified.get(blockTag, JSON.stringify([supplier, category, seconds]), () =>
          ledger.registry.isQualified(supplier, category, seconds, { blockTag }),
        );
      },
      isRecalled: (gtin, lot, supplier) =>
        recalled.get(blockTag, JSON.stringify([gtin, lot, supplier]), () =>
          ledger.trace.isRecalled(BigInt(gtin), lot, supplier, { blockTag }),
        ),
    };
  };
}
