import { expect } from "chai";
import { JsonRpcProvider, MaxUint256, NonceManager, Wallet, type TransactionReceipt } from "ethers";
import { HeadroomProvider, withGasHeadroom } from "../../../ledger/gas";
import { devWallet, startAnvil, type AnvilNode } from "../../../scripts/lib/anvil";
import { SettlementToken__factory, type SettlementToken } from "../../../typechain-types";
import { freePort } from "../support/chain";

/**
 * A transaction is estimated against the chain as it is, and mined after what lands first. The
 * case here is the order book's: a draw on an allowance that was unlimited when estimated (no
 * allowance write) and is limited by the time it is mined (one more storage write).
 */
describe("gas headroom: an act estimated now and mined after another", function () {
  this.timeout(120_000);
  let node: AnvilNode;
  /** A provider as ethers makes it: a signer on it takes the node's bare estimate as its limit. */
  let bare: JsonRpcProvider;
  let token: SettlementToken;
  const owner = () => devWallet(1, node.provider);

  before(async function () {
    node = await startAnvil({ port: await freePort(), accounts: 4 });
    bare = new JsonRpcProvider(node.url, 31337, { staticNetwork: true, cacheTimeout: -1 });
    const admin = new NonceManager(devWallet(0, node.provider));
    token = await (
      await new SettlementToken__factory(admin).deploy(await admin.getAddress())
    ).waitForDeployment();
    await (await token.mint(owner().address, 1_000_000n)).wait();
  });

  after(async () => {
    bare?.destroy();
    await node?.stop();
  });

  /**
   * The spender's draw, signed with its gas limit estimated on `provider` while the allowance is
   * unlimited, and sent once the owner has limited it: its receipt.
   */
  async function drawAfterTheOwnerLimitsIt(provider: JsonRpcProvider): Promise<TransactionReceipt> {
    const spender = new Wallet(devWallet(2).privateKey, provider);
    await (await token.connect(owner()).approve(spender.address, MaxUint256)).wait();
    const draw = await spender.signTransaction(
      await spender.populateTransaction(
        await token.transferFrom.populateTransaction(owner().address, devWallet(3).address, 1n),
      ),
    );
    await (await token.connect(owner()).approve(spender.address, 500_000n)).wait();
    // Not `wait()`: it throws for a failed transaction, whose receipt is what the test reads.
    return (await node.provider.waitForTransaction((await node.provider.broadcastTransaction(draw)).hash))!;
  }

  it("reproduces the failure: with the bare estimate as its limit the draw runs out of gas", async function () {
    const receipt = await drawAfterTheOwnerLimitsIt(bare);
    expect(receipt.status).to.equal(0);
    expect(receipt.gasUsed).to.equal((await bare.getTransaction(receipt.hash))!.gasLimit);
    expect(await token.allowance(owner().address, devWallet(2).address)).to.equal(500_000n);
  });

  it("with the headroom (the local node's provider has it) the same draw lands, charged only the gas it used", async function () {
    expect(node.provider).to.be.instanceOf(HeadroomProvider);
    const before = await token.balanceOf(devWallet(3).address);
    const receipt = await drawAfterTheOwnerLimitsIt(node.provider);
    expect(receipt.status).to.equal(1);
    const limit = (await node.provider.getTransaction(receipt.hash))!.gasLimit;
    expect(receipt.gasUsed < limit).to.equal(true);
    expect(await token.balanceOf(devWallet(3).address)).to.equal(before + 1n);
    expect(await token.allowance(owner().address, devWallet(2).address)).to.equal(500_000n - 1n);
  });

  it("adds a quarter to the node's estimate", async function () {
    const call = {
      from: owner().address,
      to: await token.getAddress(),
      data: token.interface.encodeFunctionData("approve", [devWallet(2).address, 7n]),
    };
    expect(await node.provider.estimateGas(call)).to.equal(withGasHeadroom(await bare.estimateGas(call)));
    expect(withGasHeadroom(100_000n)).to.equal(125_000n);
  });
});
