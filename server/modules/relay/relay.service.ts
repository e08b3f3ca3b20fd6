import { concat, getAddress, isAddress, isError, verifyTypedData, type JsonRpcProvider } from "ethers";
import { appError } from "../../plugins/error-catalogue";
import type { LedgerForwarder } from "../../../typechain-types";
import { decodeRevert, revertDataOf } from "../../../ledger/revert";
import type {
  PreparedRelay,
  RelayAccepted,
  RelayPrepareRequest,
  RelayRequest,
  RelayTxStatus,
} from "../../../api/relay";
import {
  FORWARD_REQUEST_TTL_SECONDS,
  FORWARD_REQUEST_TYPES,
  forwarderDomain,
} from "../../../ledger/forward-request";
import { mayRelay, type AllowList } from "./relay.allow-list";
import type { RelayCaller, RelayerLane } from "./relay.lane";

/**
 * Gas-less use of the ledger: a signed-in supplier, approver, … signs an ERC-2771 forward
 * request (EIP-712) and the gateway's relayer key pays the gas to relay it through the ledger's
 * forwarder. The relayer pays only for the caller's own requests, only for the functions its
 * roles exist for (relay.allow-list.ts), within daily quotas per account and per client IP, a
 * gas cap per request and a daily gas budget (relay.lane.ts, shared with relayed permits).
 * Nothing is sent unless the signature, deadline and nonce are right and the call would succeed,
 * so a bad request costs the relayer nothing; the gateway cannot alter what was signed.
 */

export class RelayService {
  constructor(
    private readonly provider: JsonRpcProvider,
    private readonly lane: RelayerLane,
    private readonly forwarder: LedgerForwarder,
    private readonly allowed: AllowList,
    private readonly chainId: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async relay(caller: RelayCaller, req: RelayRequest): Promise<RelayAccepted> {
    this.checkPolicy(caller, req);
    await this.lane.chargeRequest(caller);
    // Taken before the checks read the signer's nonce from the chain, so that a request for a
    // nonce whose transaction is still pending (the chain still shows it unused) is refused.
    const claim = forwardClaim(req.from, req.nonce);
    const pending = await this.lane.claim(claim);
    if (pending) {
      const signer = getAddress(req.from);
      const nonce = BigInt(req.nonce).toString();
      throw appError(
        "RELAY_NONCE_PENDING",
        `${signer}'s forward request with nonce ${nonce} is still pending in transaction ${pending.txHash}; follow it with GET /v1/relay/${pending.txHash}`,
        { signer, nonce, txHash: pending.txHash },
      );
    }
    try {
      await this.checkSigned(req);
      await this.simulate(req);

      const requestData = { ...req, value: "0", signature: req.signature };
      const gasLimit = await this.estimate(requestData);
      await this.lane.chargeGas(gasLimit);
      const txHash = await this.lane.send(
        await this.forwarder.execute.populateTransaction(requestData, { gasLimit }),
        claim,
      );
      return { txHash, signer: getAddress(req.from), nonce: req.nonce };
    } finally {
      // A no-op once sent: the lane then holds the claim until the transaction is mined.
      this.lane.release(claim);
    }
  }

  /**
   * The forward request for `call`, ready for the caller to sign: its nonce, a deadline and the
   * gas the call needs with a margin. Refused as `relay()` would refuse it (policy, and a call
   * that would revert, named), so nobody is asked to sign what cannot succeed. Charges no quota.
   */
  async prepare(caller: RelayCaller, call: RelayPrepareRequest): Promise<PreparedRelay> {
    const from = getAddress(caller.address);
    const draft = { from, to: call.to, value: "0", gas: "0", data: call.data };
    this.checkPolicy(caller, { ...draft, nonce: "0", deadline: 0, signature: "0x" });
    const forwarder = await this.forwarder.getAddress();
    const inner = { from: forwarder, to: call.to, data: concat([call.data, from]) };
    let needed: bigint;
    try {
      needed = await this.provider.estimateGas(inner);
    } catch (error) {
      throw revertedCall(error);
    }
    // A quarter more than the estimate: the forwarder checks the inner call had the gas asked.
    const gas = (needed * 5n) / 4n;
    if (gas > BigInt(this.lane.limits.maxGasPerRequest)) {
      throw appError(
        "RELAY_GAS_TOO_HIGH",
        `the call needs ${gas} gas; the relay pays for at most ${this.lane.limits.maxGasPerRequest}`,
      );
    }
    const [nonce, latest] = await Promise.all([
      this.forwarder.nonces(from),
      this.provider.getBlock("latest"),
    ]);
    return {
      request: {
        ...draft,
        gas: gas.toString(),
        nonce: nonce.toString(),
        deadline:
          (latest?.timestamp ?? Math.floor(this.now().getTime() / 1000)) + FORWARD_REQUEST_TTL_SECONDS,
      },
      domain: forwarderDomain(this.chainId, forwarder),
    };
  }

  /** Where a transaction stands: pending until mined, then confirmed or failed (reverted). */
  async status(txHash: string): Promise<Omit<RelayTxStatus, "indexed">> {
    const receipt = await this.provider.getTransactionReceipt(txHash);
    if (!receipt) return { txHash, status: "pending", blockNumber: null };
    return {
      txHash,
      status: receipt.status === 1 ? "confirmed" : "failed",
      blockNumber: receipt.blockNumber,
    };
  }

  /** The checks that need neither the chain nor the database. */
  private checkPolicy(caller: RelayCaller, req: RelayRequest): void {
    if (!isAddress(req.from) || !isAddress(req.to))
      throw appError("RELAY_SIGNATURE_INVALID", "from and to must be addresses");
    if (getAddress(req.from) !== getAddress(caller.address)) {
      throw appError(
        "RELAY_NOT_YOUR_REQUEST",
        `the request is from ${getAddress(req.from)}, but you are signed in as ${getAddress(caller.address)}`,
      );
    }
    const functions = this.allowed.get(req.to.toLowerCase());
    if (!functions) {
      throw appError("RELAY_TARGET_NOT_LEDGER", `${req.to} is not a ledger contract this gateway relays to`);
    }
    const selector = req.data.slice(0, 10).toLowerCase();
    const call = functions.get(selector);
    if (!call) {
      throw appError("RELAY_FUNCTION_NOT_ALLOWED", `the relay pays for no function ${selector} of ${req.to}`);
    }
    if (!mayRelay(call, caller.roles)) {
      throw appError(
        "RELAY_FUNCTION_NOT_ALLOWED",
        `the relay pays for ${call.contract}.${call.fn} only for ${call.relayers.join(", ")}; you have ${caller.roles.join(", ") || "no role"}`,
      );
    }
    if (BigInt(req.value ?? "0") !== 0n)
      throw appError("RELAY_VALUE_NOT_ALLOWED", "relayed requests carry no value");
    if (BigInt(req.gas) > BigInt(this.lane.limits.maxGasPerRequest)) {
      throw appError(
        "RELAY_GAS_TOO_HIGH",
        `the request asks for ${req.gas} gas; the relay pays for at most ${this.lane.limits.maxGasPerRequest}`,
      );
    }
  }

  /** Deadline, nonce and signature, as the forwarder will check them. */
  private async checkSigned(req: RelayRequest): Promise<void> {
    const latest = await this.provider.getBlock("latest");
    if (!latest || req.deadline <= latest.timestamp) {
      throw appError(
        "RELAY_EXPIRED",
        `the request's deadline ${req.deadline} has passed (chain time ${latest?.timestamp})`,
      );
    }
    const expectedNonce = await this.forwarder.nonces(req.from);
    if (BigInt(req.nonce) !== expectedNonce) {
      throw appError(
        "RELAY_NONCE_INVALID",
        `nonce ${req.nonce} is not the signer's next nonce ${expectedNonce}`,
        { expected: expectedNonce.toString() },
      );
    }
    const domain = forwarderDomain(this.chainId, await this.forwarder.getAddress());
    let signer: string;
    try {
      signer = verifyTypedData(domain, FORWARD_REQUEST_TYPES, { ...req, value: "0" }, req.signature);
    } catch {
      throw appError("RELAY_SIGNATURE_INVALID", "the signature is not a valid EIP-712 signature");
    }
    if (signer !== getAddress(req.from)) {
      throw appError(
        "RELAY_SIGNATURE_INVALID",
        `the request was signed by ${signer}, not by ${getAddress(req.from)}`,
      );
    }
  }

  /** Runs the inner call as the forwarder would, to refuse one that reverts and say why. */
  private async simulate(req: RelayRequest): Promise<void> {
    try {
      await this.provider.call({
        from: await this.forwarder.getAddress(),
        to: req.to,
        data: concat([req.data, req.from]),
        gasLimit: BigInt(req.gas),
      });
    } catch (error) {
      throw revertedCall(error);
    }
  }

  /** The relaying transaction's gas limit: what it may cost at most, charged to the budget. */
  private async estimate(requestData: Parameters<LedgerForwarder["execute"]>[0]): Promise<bigint> {
    try {
      return await this.forwarder.connect(this.lane.relayer).execute.estimateGas(requestData);
    } catch (error) {
      throw revertedCall(error, "the forwarder would refuse the request");
    }
  }
}

/** What a relayed forward request uses up: its signer's nonce at the forwarder. */
function forwardClaim(from: string, nonce: string): string {
  return `forward:${from.toLowerCase()}:${BigInt(nonce)}`;
}

/**
 * A call the node refused, as the client's error with the ledger's custom error decoded; anything
 * but a revert (an unreachable node, an unfunded relayer) is not the caller's fault and goes on
 * as it is (a 5xx with a fixed message).
 */
export function revertedCall(error: unknown, what = "the relayed call would revert") {
  const revert = decodeRevert(revertDataOf(error));
  if (!revert && !isError(error, "CALL_EXCEPTION")) return error;
  return appError(
    "RELAY_CALL_REVERTED",
    revert ? `${what}: ${revert.message}` : what,
    revert ? { error: revert.name, args: revert.args } : undefined,
  );
}
