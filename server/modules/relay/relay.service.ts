import {
  concat,
  dataLength,
  getAddress,
  isAddress,
  isError,
  verifyTypedData,
  type JsonRpcProvider,
} from "ethers";
import { appError } from "../../plugins/error-catalogue";
import type { LedgerForwarder } from "../../../typechain-types";
import { decodeRevert, revertDataOf } from "../../../ledger/revert";
import { withGasHeadroom } from "../../../ledger/gas";
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
import { noncePending, type NonceKey } from "./relay.claims";
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
    const key: NonceKey = { kind: "forward", signer: getAddress(req.from), nonce: BigInt(req.nonce) };
    const claimed = await this.lane.claim(key, req.deadline);
    if ("pending" in claimed) throw noncePending(key, claimed.pending.txHash);
    try {
      const queued = await this.checkSigned(req);
      await this.simulate(req);

      const requestData = { ...req, value: "0", signature: req.signature };
      const tx = await this.forwarder.execute.populateTransaction(requestData);
      // The limit is what the request's signed gas lets the transaction cost: mined after
      // whatever lands first, the call may cost more than now, and a limit of the node's
      // estimate would then fail the request although its call kept to the gas it signed. A
      // queued request cannot be estimated (the forwarder refuses it until those before it are
      // mined); any other is, which checks that the forwarder takes it, and a higher estimate wins.
      const bound = signedGasBound(req, tx.data);
      const estimate = queued ? 0n : await this.estimate(requestData);
      const gasLimit = estimate > bound ? estimate : bound;
      await this.lane.chargeGas(gasLimit);
      const txHash = await this.lane.send({ ...tx, gasLimit }, claimed.claim);
      return { txHash, signer: getAddress(req.from), nonce: req.nonce };
    } finally {
      // A no-op once sent: the claim then holds until the transaction is mined.
      await this.lane.release(claimed.claim);
    }
  }

  /**
   * The forward request for `call`, ready for the caller to sign: its nonce (the signer's next,
   * past its requests still in flight, so that acting again before the last act is mined is not
   * refused as pending), a deadline and the gas the call needs with a margin. Refused as `relay()` would refuse it (policy, and a call
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
    // Headroom over the estimate: the request is mined after whatever lands first, and the
    // forwarder checks the inner call had the gas asked.
    const gas = withGasHeadroom(needed);
    if (gas > BigInt(this.lane.limits.maxGasPerRequest)) {
      throw appError(
        "RELAY_GAS_TOO_HIGH",
        `the call needs ${gas} gas; the relay pays for at most ${this.lane.limits.maxGasPerRequest}`,
      );
    }
    const [next, latest] = await Promise.all([this.forwarder.nonces(from), this.provider.getBlock("latest")]);
    const nonce = next + BigInt((await this.lane.inFlight("forward", from, next)).length);
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

  /**
   * Where a transaction stands: confirmed or failed (reverted) once mined; before, pending while
   * the node holds it or a replica of this gateway may still send it; else dropped, for good.
   */
  async status(txHash: string): Promise<Omit<RelayTxStatus, "indexed">> {
    const mined = await this.mined(txHash);
    if (mined) return mined;
    const pending = { txHash, status: "pending", blockNumber: null } as const;
    if ((await this.provider.getTransaction(txHash)) !== null) return pending;
    if (await this.lane.mayStillMine(txHash)) return pending;
    // Asked again: a transaction mined since the first read has already freed its claim.
    return (await this.mined(txHash)) ?? { txHash, status: "dropped", blockNumber: null };
  }

  private async mined(txHash: string): Promise<Omit<RelayTxStatus, "indexed"> | null> {
    const receipt = await this.provider.getTransactionReceipt(txHash);
    if (!receipt) return null;
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

  /**
   * Deadline, nonce and signature, as the forwarder will check them; whether the request is
   * queued behind the signer's requests in flight (see `checkNonce`).
   */
  private async checkSigned(req: RelayRequest): Promise<boolean> {
    const latest = await this.provider.getBlock("latest");
    if (!latest || req.deadline <= latest.timestamp) {
      throw appError(
        "RELAY_EXPIRED",
        `the request's deadline ${req.deadline} has passed (chain time ${latest?.timestamp})`,
      );
    }
    const queued = await this.checkNonce(req);
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
    return queued;
  }

  /**
   * The request's nonce is the signer's next at the forwarder (returns false), or follows the
   * signer's requests in flight (returns true: queued), as prepare hands out. A queued request is
   * sent only behind transactions of this relayer, whose nonces have them mined first, so the
   * forwarder takes it then; behind another replica's, the order of the two is the chain's.
   */
  private async checkNonce(req: RelayRequest): Promise<boolean> {
    const next = await this.forwarder.nonces(req.from);
    await this.lane.forgetUsed("forward", req.from, next);
    const nonce = BigInt(req.nonce);
    if (nonce === next) return false;
    const ahead =
      nonce > next
        ? (await this.lane.inFlight("forward", req.from, next)).filter((c) => c.nonce < nonce)
        : [];
    if (BigInt(ahead.length) !== nonce - next) {
      throw appError("RELAY_NONCE_INVALID", `nonce ${req.nonce} is not the signer's next nonce ${next}`, {
        expected: next.toString(),
      });
    }
    const signer = getAddress(req.from);
    const relayer = getAddress(this.lane.relayer.address);
    for (const before of ahead) {
      if (!before.tx) throw noncePending({ kind: "forward", signer, nonce: before.nonce }, null);
      if (before.tx.relayer !== relayer) {
        throw appError(
          "RELAY_NONCE_PENDING",
          `${signer}'s forward request with nonce ${req.nonce} follows nonce ${before.nonce}, still pending in transaction ${before.tx.hash} from another gateway replica; send it again once that one is mined (GET /v1/relay/${before.tx.hash})`,
          { signer, nonce: nonce.toString(), txHash: before.tx.hash },
        );
      }
    }
    return true;
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

/** The forwarder's own work in `execute`: the signature, the signer's nonce, the event, the call. */
const FORWARDER_WORK_GAS = 50_000n;

/**
 * What `execute(req)` may cost at most, without asking the node: the transaction's intrinsic cost
 * (calldata counted at its dearest), the forwarder's work, and the signed gas for the call with
 * the 1/63 the forwarder checks is left after it.
 */
function signedGasBound(req: RelayRequest, calldata: string): bigint {
  return (
    21_000n + 16n * BigInt(dataLength(calldata)) + FORWARDER_WORK_GAS + (BigInt(req.gas) * 64n) / 63n + 1n
  );
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
