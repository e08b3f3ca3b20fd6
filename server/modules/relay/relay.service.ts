import {
  concat,
  getAddress,
  isAddress,
  verifyTypedData,
  type BaseWallet,
  type JsonRpcProvider,
} from "ethers";
import type { Db } from "../../db";
import { appError } from "../../plugins/error-catalogue";
import type { LedgerForwarder } from "../../../typechain-types";
import { decodeRevert, revertDataOf } from "../../../ledger/revert";
import type { RelayAccepted, RelayRequest } from "../../../api/relay";
import { FORWARD_REQUEST_TYPES } from "../../../ledger/forward-request";
import { highestNonceInFlight, lockSettlerNonce } from "../payments/settlement.repository";

/**
 * Gas-less use of the ledger: a supplier or approver signs an ERC-2771 forward request
 * (EIP-712) and the gateway pays the gas to relay it through the ledger's forwarder. Nothing
 * is sent unless the signature, deadline and nonce are right and the call would succeed, so
 * a bad request costs the gateway nothing; the gateway cannot alter what was signed.
 */

export class RelayService {
  constructor(
    private readonly db: Db,
    private readonly provider: JsonRpcProvider,
    private readonly relayer: BaseWallet,
    private readonly forwarder: LedgerForwarder,
    private readonly targets: ReadonlySet<string>,
    private readonly chainId: number,
  ) {}

  async relay(req: RelayRequest): Promise<RelayAccepted> {
    if (!isAddress(req.from) || !isAddress(req.to))
      throw appError("RELAY_SIGNATURE_INVALID", "from and to must be addresses");
    if (!this.targets.has(req.to.toLowerCase())) {
      throw appError("RELAY_TARGET_NOT_LEDGER", `${req.to} is not a ledger contract this gateway relays to`);
    }
    if (BigInt(req.value ?? "0") !== 0n)
      throw appError("RELAY_VALUE_NOT_ALLOWED", "relayed requests carry no value");
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
        {
          expected: expectedNonce.toString(),
        },
      );
    }
    const domain = {
      name: "SunshineLedger",
      version: "1",
      chainId: this.chainId,
      verifyingContract: await this.forwarder.getAddress(),
    };
    const message = { ...req, value: req.value ?? "0" };
    let signer: string;
    try {
      signer = verifyTypedData(domain, FORWARD_REQUEST_TYPES, message, req.signature);
    } catch {
      throw appError("RELAY_SIGNATURE_INVALID", "the signature is not a valid EIP-712 signature");
    }
    if (signer !== getAddress(req.from)) {
      throw appError(
        "RELAY_SIGNATURE_INVALID",
        `the request was signed by ${signer}, not by ${getAddress(req.from)}`,
      );
    }
    await this.simulate(req);

    const requestData = { ...message, signature: req.signature };
    const txHash = await this.db.transaction(async (tx) => {
      // The relayer is the settler key: share the settlement outbox's nonce discipline.
      await lockSettlerNonce(tx);
      const inFlight = await highestNonceInFlight(tx);
      const nonce = Math.max(await this.relayer.getNonce("pending"), inFlight === null ? 0 : inFlight + 1);
      const sent = await this.forwarder.connect(this.relayer).execute(requestData, { nonce });
      return sent.hash;
    });
    return { txHash, signer, nonce: req.nonce };
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
      const revert = decodeRevert(revertDataOf(error));
      throw appError(
        "RELAY_CALL_REVERTED",
        revert ? `the relayed call would revert with ${revert.message}` : "the relayed call would revert",
        revert ? { error: revert.name, args: revert.args } : undefined,
      );
    }
  }
}
