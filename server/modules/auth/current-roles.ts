import { readChainRoles, type ChainRoles, type RoleReader } from "./chain-roles";

/**
 * The roles accounts hold at the chain's latest block, each read once per block: a supplier
 * suspended or a member removed loses its access at the next block rather than when its token
 * expires, and a burst of writes costs one set of reads per account and block (plus the block
 * number). Only the newest block's answers are kept, so the cache holds at most one entry per
 * account that wrote since that block.
 */
export class CurrentRoles {
  private block = -1;
  private readonly byAddress = new Map<string, Promise<ChainRoles>>();

  constructor(
    private readonly ledger: RoleReader,
    private readonly latestBlock: () => Promise<number>,
  ) {}

  async of(address: string): Promise<ChainRoles> {
    const block = await this.latestBlock();
    // A node behind the last one asked (several behind a load balancer): answer for its block,
    // without disturbing the newer block's answers.
    if (block < this.block) return readChainRoles(this.ledger, address, block);
    if (block > this.block) {
      this.block = block;
      this.byAddress.clear();
    }
    let roles = this.byAddress.get(address);
    if (roles === undefined) {
      roles = readChainRoles(this.ledger, address, block);
      this.byAddress.set(address, roles);
      // A failed read is not an answer: the next request asks again.
      const failed = roles;
      failed.catch(() => {
        if (this.byAddress.get(address) === failed) this.byAddress.delete(address);
      });
    }
    return roles;
  }
}
