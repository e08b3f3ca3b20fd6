import { Type, type Static } from "typebox";
import { Address, TxHash } from "./common";

/** POST /v1/relay: an ERC-2771 forward request, signed (EIP-712) by its `from`, sent by the gateway. */

/** A uint256 in decimal. */
const Uint = (description: string) => Type.String({ pattern: "^[0-9]+$", maxLength: 78, description });

export const RelayRequest = Type.Object(
  {
    from: Address,
    to: Address,
    value: Type.Optional(Uint("wei sent with the call; must be 0")),
    gas: Uint("gas for the inner call"),
    nonce: Uint("the signer's next nonce at the forwarder"),
    deadline: Type.Integer({ minimum: 0, description: "Unix time after which the request is void" }),
    data: Type.String({ pattern: "^0x([0-9a-fA-F]{2})*$", description: "the inner call's calldata" }),
    signature: Type.String({ pattern: "^0x[0-9a-fA-F]{130}$", description: "EIP-712 signature by `from`" }),
  },
  { additionalProperties: false },
);
export type RelayRequest = Static<typeof RelayRequest>;

export const RelayAccepted = Type.Object(
  {
    txHash: TxHash,
    signer: Address,
    nonce: Uint("the forward request's nonce"),
  },
  { additionalProperties: false, description: "the relaying transaction was sent (not yet mined)" },
);
export type RelayAccepted = Static<typeof RelayAccepted>;
