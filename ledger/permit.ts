/**
 * The EIP-2612 permit of the settlement token (OpenZeppelin ERC20Permit): its EIP-712 type. An
 * owner signs one to set a spender's allowance without a transaction of its own; the domain is
 * the token's (`eip712Domain()`), the nonce the owner's next at the token (`nonces(owner)`).
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
