import type { Signer } from "ethers";
import type { PreparedRelay, RelayAccepted, RelayTxStatus } from "../../../api/relay";
import { FORWARD_REQUEST_TYPES } from "../../../ledger/forward-request";
import { api } from "./api";

/**
 * A ledger act from the console, gas-less: the gateway prepares the forward request (refusing,
 * with the ledger's decoded error, a call that would revert), the user's signer signs it
 * (EIP-712), the gateway relays it, and the console follows the transaction until the
 * gateway's reads include its block — so the page it returns to already shows the change.
 */

export interface ActResult {
  txHash: string;
  blockNumber: number;
}

/** How often the transaction's status is asked for while it is on its way. */
const POLL_MS = 400;
const TIMEOUT_MS = 120_000;

export class ActFailed extends Error {
  constructor(readonly txHash: string) {
    super(`transaction ${txHash} was mined but reverted`);
  }
}

export async function relayAct(
  signer: Signer,
  to: string,
  data: string,
  onSigning?: () => void,
): Promise<ActResult> {
  const { request, domain } = await api.post<PreparedRelay>("/v1/relay/prepare", { to, data });
  onSigning?.();
  const signature = await signer.signTypedData(domain, FORWARD_REQUEST_TYPES, request);
  const { txHash } = await api.post<RelayAccepted>("/v1/relay", { ...request, signature });
  return followRelayed(txHash);
}

/**
 * The relayed transaction will never be mined (the gateway answered `dropped`): its nonce went to
 * another transaction or its deadline passed. Nothing changed on the ledger; the act can be done
 * again.
 */
export class ActDropped extends Error {
  constructor(readonly txHash: string) {
    super(`transaction ${txHash} was dropped before it was mined`);
  }
}

/** The relayed transaction was not mined within the time the page waits: it may still be. */
export class ActPending extends Error {
  constructor(readonly txHash: string) {
    super(`transaction ${txHash} is still pending`);
  }
}

/** Follows a relayed transaction until it is confirmed and in the gateway's reads. */
export async function followRelayed(txHash: string): Promise<ActResult> {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const status = await api.get<RelayTxStatus>(`/v1/relay/${txHash}`);
    if (status.status === "failed") throw new ActFailed(txHash);
    if (status.status === "dropped") throw new ActDropped(txHash);
    if (status.status === "confirmed" && status.indexed) return { txHash, blockNumber: status.blockNumber! };
    if (Date.now() > deadline) throw new ActPending(txHash);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
