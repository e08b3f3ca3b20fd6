import { BlockMemo } from "../../lib/block-memo";
import { readChainRoles, type ChainRoles, type RoleReader } from "./chain-roles";

/**
 * The roles accounts hold at the chain's latest block, each read once per block: a supplier
 * suspended or a member removed loses its access at the next block rather than when its token
 * expires, and a burst of writes costs one set of reads per account and block (plus the block
 * number). Only the newest block's answers are kept, so the cache holds at most one entry per
 * account that wrote since that block.
 */
export class CurrentRoles {
  private readonly memo = new BlockMemo<ChainRoles>();

  constructor(private readonly ledger: RoleReader) {}

  /** The account's roles at `block`, the chain's latest as the caller read it. */
  of(address: string, block: number): Promise<ChainRoles> {
    return this.memo.get(block, address, () => readChainRoles(this.ledger, address, block));
  }
}
