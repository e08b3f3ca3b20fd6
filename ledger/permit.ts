import type { Signer } from "ethers";
import type { SettlementToken } from "../typechain-types";

/**
 * The EIP-2612 permit of the settlement token (OpenZeppelin ERC20Permit): its EIP-712 type, and
 * an owner's signed permit. An owner signs one to set a spender's allowance without a
 * transaction of its own; the domain is the token's (`eip712Domain()`), the nonce the owner's
 * next at the token (`nonces(owner)`). The gateway's POST /v1/relay/permits takes the signed
 * permit as `signPermitRequest` returns it.
 */
export const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

/** Seconds a permit prepared for signing stays valid. */
export const PERMIT_TTL_SECONDS = 3600;

export interface SignedPermit {
  owner: string;
  spender: string;
  /** The allowance the permit sets, in token base units (decimal). */
  value: string;
  nonce: string;
  deadline: number;
  signature: string;
}

/** `owner`'s permit setting `spender`'s allowance to `value`, signed at its current token nonce. */
export async function signPermitRequest(
  token: SettlementToken,
  owner: Signer,
  spender: string,
  value: bigint,
  deadline: number,
): Promise<SignedPermit> {
  const address = await owner.getAddress();
  const [domain, nonce] = await Promise.all([token.eip712Domain(), token.nonces(address)]);
  const permit = { owner: address, spender, value: value.toString(), nonce: nonce.toString(), deadline };
  const signature = await owner.signTypedData(
    {
      name: domain.name,
      version: domain.version,
      chainId: domain.chainId,
      verifyingContract: domain.verifyingContract,
    },
    PERMIT_TYPES,
    permit,
  );
  return { ...permit, signature };
}
