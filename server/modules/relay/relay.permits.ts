import { getAddress, isAddress, MaxUint256, Signature, verifyTypedData, type JsonRpcProvider } from "ethers";
import { appError } from "../../plugins/error-catalogue";
import type { SettlementToken } from "../../../typechain-types";
import type {
  Allowances,
  PermitAccepted,
  PermitPrepareRequest,
  PermitRelayRequest,
  PreparedPermit,
} from "../../../api/relay";
import { PERMIT_TTL_SECONDS, PERMIT_TYPES } from "../../../ledger/permit";
import { withGasHeadroom } from "../../../ledger/gas";
import { mayPermit, type PermitSpender } from "./relay.allow-list";
import { noncePending, type NonceKey } from "./relay.claims";
import type { RelayCaller, RelayerLane } from "./relay.lane";
import type { NonceClaim } from "./relay.sender";
import { revertedCall } from "./relay.service";

/**
 * Gas-less token allowances. The settlement token is not an ERC-2771 contract, so a forward
 * request cannot call its approve; its owner signs an EIP-2612 permit instead and the relayer
 * sends token.permit(...) itself. The relay sends only the caller's own permit, only for a
 * spender its role draws on (relay.allow-list.ts: a supplier's bonds, a hospital's escrow),
 * only once deadline, nonce and signature are right and the call would succeed, on the same
 * lane as relayed acts: the same quotas, gas budget and nonces (relay.lane.ts), and one permit
 * per owner and token nonce in flight (relay.claims.ts).
 */

type Eip712Domain = PreparedPermit["domain"];

export class PermitService {
  private domain?: Promise<Eip712Domain>;

  constructor(
    private readonly provider: JsonRpcProvider,
    private readonly lane: RelayerLane,
    private readonly token: SettlementToken,
    private readonly spenders: readonly PermitSpender[],
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The caller's token balance and its allowance to each ledger spender, read at one block. */
  async allowances(caller: Pick<RelayCaller, "address" | "roles">): Promise<Allowances> {
    const owner = getAddress(caller.address);
    const blockTag = await this.provider.getBlockNumber();
    const [balance, ...allowed] = await Promise.all([
      this.token.balanceOf(owner, { blockTag }),
      ...this.spenders.map((s) => this.token.allowance(owner, s.address, { blockTag })),
    ]);
    return {
      owner,
      token: await this.token.getAddress(),
      balance: balance.toString(),
      spenders: this.spenders.map((s, i) => ({
        spender: s.spender,
        address: getAddress(s.address),
        allowance: allowed[i].toString(),
        permitRelayed: mayPermit(s, caller.roles),
      })),
    };
  }

  /**
   * The permit for `spender` and `value`, ready for the caller to sign: its token nonce, a
   * deadline an hour after chain time and the token's domain. Refused as `relay()` would
   * refuse it for who asks. Charges no quota.
   */
  async prepare(caller: RelayCaller, req: PermitPrepareRequest): Promise<PreparedPermit> {
    const owner = getAddress(caller.address);
    this.checkPolicy(caller, { owner, spender: req.spender, value: req.value });
    const [nonce, chainTime, domain] = await Promise.all([
      this.token.nonces(owner),
      this.chainTime(),
      this.tokenDomain(),
    ]);
    return {
      permit: {
        owner,
        spender: getAddress(req.spender),
        value: BigInt(req.value).toString(),
        nonce: nonce.toString(),
        deadline: chainTime + PERMIT_TTL_SECONDS,
      },
      domain,
    };
  }

  async relay(caller: RelayCaller, req: PermitRelayRequest): Promise<PermitAccepted> {
    this.checkPolicy(caller, req);
    await this.lane.chargeRequest(caller);
    // As for forward requests (relay.service.ts): the token shows the nonce unused until the
    // permit is mined, and a second permit for it would pass every check and then revert.
    const key: NonceKey = { kind: "permit", signer: getAddress(req.owner), nonce: BigInt(req.nonce) };
    const claimed = await this.lane.claim(key, req.deadline);
    if ("pending" in claimed) throw noncePending(key, claimed.pending.txHash);
    try {
      await this.checkSigned(req);
      return await this.send(req, claimed.claim);
    } finally {
      // A no-op once sent: the claim then holds until the transaction is mined.
      await this.lane.release(claimed.claim);
    }
  }

  private async send(req: PermitRelayRequest, claim: NonceClaim): Promise<PermitAccepted> {
    const { owner, spender, value, deadline } = req;
    // Checked above, so it parses (v as 27 or 28, which the token expects).
    const signature = Signature.from(req.signature);
    const args = [
      owner,
      spender,
      BigInt(value),
      BigInt(deadline),
      signature.v,
      signature.r,
      signature.s,
    ] as const;
    const relayer = this.lane.relayer;
    const token = this.token.connect(relayer);
    let gasLimit: bigint;
    try {
      // Simulates the permit as the relayer would send it, and prices it (with headroom: it is
      // mined after whatever lands first).
      gasLimit = withGasHeadroom(await token.permit.estimateGas(...args));
    } catch (error) {
      throw revertedCall(error, "the permit would revert");
    }
    if (gasLimit > BigInt(this.lane.limits.maxGasPerRequest)) {
      throw appError(
        "RELAY_GAS_TOO_HIGH",
        `the permit needs ${gasLimit} gas; the relay pays for at most ${this.lane.limits.maxGasPerRequest}`,
      );
    }
    await this.lane.chargeGas(gasLimit);
    const txHash = await this.lane.send(await token.permit.populateTransaction(...args, { gasLimit }), claim);
    return {
      txHash,
      owner: getAddress(owner),
      spender: getAddress(spender),
      value: BigInt(value).toString(),
    };
  }

  /** The checks that need neither the chain nor the database: whose permit, for which spender. */
  private checkPolicy(
    caller: Pick<RelayCaller, "address" | "roles">,
    permit: { owner: string; spender: string; value: string },
  ): void {
    if (!isAddress(permit.owner) || !isAddress(permit.spender))
      throw appError("RELAY_PERMIT_SIGNATURE_INVALID", "owner and spender must be addresses");
    if (getAddress(permit.owner) !== getAddress(caller.address)) {
      throw appError(
        "RELAY_PERMIT_NOT_YOURS",
        `the permit is ${getAddress(permit.owner)}'s, but you are signed in as ${getAddress(caller.address)}`,
      );
    }
    const spender = this.spenders.find((s) => getAddress(s.address) === getAddress(permit.spender));
    if (!spender) {
      throw appError(
        "RELAY_PERMIT_SPENDER_NOT_LEDGER",
        `${getAddress(permit.spender)} is not a ledger contract that takes the settlement token (${this.spenders
          .map((s) => `${s.spender} ${getAddress(s.address)}`)
          .join(", ")})`,
      );
    }
    if (!mayPermit(spender, caller.roles)) {
      throw appError(
        "RELAY_PERMIT_NOT_ALLOWED",
        `the relay sends permits for the ${spender.spender} contract only for ${spender.relayers.join(", ")}; you have ${caller.roles.join(", ") || "no role"}`,
      );
    }
    // The schema bounds the digits; a uint256 bounds the value.
    if (BigInt(permit.value) > MaxUint256) {
      throw appError("VALIDATION_FAILED", "body.value must be at most 2^256 - 1", {
        fields: [{ field: "body.value", message: "must be at most 2^256 - 1" }],
      });
    }
  }

  /** Deadline, token nonce and signature, as the token will check them. */
  private async checkSigned(req: PermitRelayRequest): Promise<void> {
    const chainTime = await this.chainTime();
    // The token accepts a permit up to and including its deadline; the relay wants a second
    // to spare for the block it lands in.
    if (req.deadline <= chainTime) {
      throw appError(
        "RELAY_PERMIT_EXPIRED",
        `the permit's deadline ${req.deadline} has passed (chain time ${chainTime})`,
      );
    }
    const expectedNonce = await this.token.nonces(req.owner);
    await this.lane.forgetUsed("permit", req.owner, expectedNonce);
    if (BigInt(req.nonce) !== expectedNonce) {
      throw appError(
        "RELAY_PERMIT_NONCE_INVALID",
        `nonce ${req.nonce} is not the owner's next token nonce ${expectedNonce}`,
        { expected: expectedNonce.toString() },
      );
    }
    const { signature, ...permit } = req;
    let signer: string;
    try {
      signer = verifyTypedData(await this.tokenDomain(), PERMIT_TYPES, permit, signature);
    } catch {
      throw appError("RELAY_PERMIT_SIGNATURE_INVALID", "the signature is not a valid EIP-712 signature");
    }
    if (signer !== getAddress(req.owner)) {
      throw appError(
        "RELAY_PERMIT_SIGNATURE_INVALID",
        `the permit was signed by ${signer}, not by ${getAddress(req.owner)}`,
      );
    }
  }

  private async chainTime(): Promise<number> {
    const latest = await this.provider.getBlock("latest");
    return latest?.timestamp ?? Math.floor(this.now().getTime() / 1000);
  }

  /** The token's EIP-712 domain, read once: it names the token, its version, chain and address. */
  private tokenDomain(): Promise<Eip712Domain> {
    this.domain ??= this.token.eip712Domain().then((d) => ({
      name: d.name,
      version: d.version,
      chainId: Number(d.chainId),
      verifyingContract: getAddress(d.verifyingContract),
    }));
    // A failed read is not kept: the next request asks the chain again.
    this.domain.catch(() => (this.domain = undefined));
    return this.domain;
  }
}
