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
