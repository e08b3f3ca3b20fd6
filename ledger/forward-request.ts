/**
 * The ERC-2771 forward request the ledger's forwarder (OpenZeppelin ERC2771Forwarder) verifies:
 * its EIP-712 type. The JSON body a client sends to the gateway's relay is `RelayRequest` in
 * api/relay.ts.
 */

export const FORWARD_REQUEST_TYPES = {
  ForwardRequest: [
    { name: "from", type: "address" },
    { name: "to", type: "address" },
    { name: "value", type: "uint256" },
    { name: "gas", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint48" },
    { name: "data", type: "bytes" },
  ],
};

/** The EIP-712 domain of the ledger's forwarder (LedgerForwarder's constructor names it). */
export function forwarderDomain(chainId: number, forwarder: string) {
  return { name: "SunshineLedger", version: "1", chainId, verifyingContract: forwarder };
}

/** Seconds a forward request stays valid after it is prepared. */
export const FORWARD_REQUEST_TTL_SECONDS = 3600;
