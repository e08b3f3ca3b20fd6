import type { Signer } from "ethers";
import type { PermitAccepted, PreparedPermit } from "../../../api/relay";
import { PERMIT_TYPES } from "../../../ledger/permit";
import { api } from "./api";
import { followRelayed, type ActResult } from "./relay";

/**
 * A settlement-token allowance from the console, gas-less: the token takes no forward request,
 * so the user's signer signs an EIP-2612 permit the gateway prepared (owner the user, the
 * token's nonce and domain) and the gateway's relayer sends it; the console follows the
 * transaction like a relayed act. The permit sets the allowance to `fen`; it does not add.
 */
export async function relayPermit(
  signer: Signer,
  spender: string,
  fen: bigint,
  onSigning?: () => void,
): Promise<ActResult> {
  const { permit, domain } = await api.post<PreparedPermit>("/v1/relay/permits/prepare", {
    spender,
    value: fen.toString(),
  });
  onSigning?.();
  const signature = await signer.signTypedData(domain, PERMIT_TYPES, permit);
  const { txHash } = await api.post<PermitAccepted>("/v1/relay/permits", { ...permit, signature });
  return followRelayed(txHash);
}
