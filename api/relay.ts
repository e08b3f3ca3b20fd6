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
    deadline: Type.Integer({
      minimum: 0,
      // The forwarder's deadline is a uint48.
      maximum: 2 ** 48 - 1,
      description: "Unix time after which the request is void",
    }),
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

/** The EIP-712 domain a signer signs typed data under (the forwarder's, the token's). */
const Eip712Domain = Type.Object(
  {
    name: Type.String(),
    version: Type.String(),
    chainId: Type.Integer(),
    verifyingContract: Address,
  },
  { additionalProperties: false },
);

/** POST /v1/relay/prepare: what the caller wants to call, for the gateway to fill in the rest. */
export const RelayPrepareRequest = Type.Object(
  {
    to: Address,
    data: Type.String({
      pattern: "^0x([0-9a-fA-F]{2})*$",
      maxLength: 2 + 2 * 65_536,
      description: "the call's calldata",
    }),
  },
  { additionalProperties: false },
);
export type RelayPrepareRequest = Static<typeof RelayPrepareRequest>;

/**
 * A forward request ready to sign: the caller signs `request` as EIP-712 typed data with
 * `domain` and `types` (primary type ForwardRequest) and posts it with the signature to
 * POST /v1/relay. Prepared only for a call the caller may have relayed and that would succeed
 * now, so a wallet never asks its user to sign what the ledger would refuse.
 */
export const PreparedRelay = Type.Object(
  {
    request: Type.Object(
      {
        from: Address,
        to: Address,
        value: Uint("always 0"),
        gas: Uint("gas for the inner call: the estimate with a margin"),
        nonce: Uint("the signer's next nonce at the forwarder"),
        deadline: Type.Integer({ minimum: 0, description: "chain time plus an hour" }),
        data: Type.String({ pattern: "^0x([0-9a-fA-F]{2})*$" }),
      },
      { additionalProperties: false },
    ),
    domain: Type.With(Eip712Domain, { description: "the forwarder's EIP-712 domain" }),
  },
  { additionalProperties: false },
);
export type PreparedRelay = Static<typeof PreparedRelay>;

export const RelayTxParams = Type.Object({ txHash: TxHash }, { additionalProperties: false });
export type RelayTxParams = Static<typeof RelayTxParams>;

/** GET /v1/relay/:txHash — where a relayed (or any) ledger transaction stands. */
export const RelayTxStatus = Type.Object(
  {
    txHash: TxHash,
    status: Type.Union(
      [Type.Literal("pending"), Type.Literal("confirmed"), Type.Literal("failed"), Type.Literal("dropped")],
      {
        description:
          "pending: not mined yet, and the node holds it or this gateway will send it again; failed: mined and reverted; " +
          "dropped: not mined, and it never will be (its nonce went to another transaction or its deadline passed, " +
          "or this gateway never relayed it): sign the act again",
      },
    ),
    blockNumber: Type.Union([Type.Integer(), Type.Null()]),
    indexed: Type.Boolean({
      description: "the gateway's reads include the transaction's block: lists and views show its effect",
    }),
  },
  { additionalProperties: false },
);
export type RelayTxStatus = Static<typeof RelayTxStatus>;

/*
 * Relayed EIP-2612 permits: the settlement token is not an ERC-2771 contract, so a forward
 * request cannot set an allowance; its owner signs a permit instead and the gateway's relayer
 * sends token.permit(...). GET /v1/relay/allowances, POST /v1/relay/permits/prepare, POST
 * /v1/relay/permits; the transaction is followed with GET /v1/relay/:txHash like any other.
 */

/** The ledger contracts that take the settlement token from an owner under its allowance. */
export const PERMIT_SPENDERS = ["tenders", "orderBook", "fund"] as const;
export type PermitSpenderName = (typeof PERMIT_SPENDERS)[number];

const Fen = (description: string) =>
  Type.String({
    pattern: "^[0-9]+$",
    maxLength: 78,
    description: `${description}, in fen (token base units)`,
  });

export const Allowances = Type.Object(
  {
    owner: Address,
    token: Address,
    balance: Fen("the owner's settlement-token balance"),
    spenders: Type.Array(
      Type.Object(
        {
          spender: Type.Enum(PERMIT_SPENDERS, {
            description:
              "tenders: the tender house (a supplier's bid bonds); orderBook: the order book (a hospital's order escrow); fund: the fund book (the payer's prepayments and escrow)",
          }),
          address: Address,
          allowance: Fen("what the spender may still take from the owner (2^256 - 1: unlimited)"),
          permitRelayed: Type.Boolean({
            description: "POST /v1/relay/permits relays the caller's permit for this spender",
          }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, description: "the signed-in caller's token balance and allowances" },
);
export type Allowances = Static<typeof Allowances>;

export const PermitPrepareRequest = Type.Object(
  {
    spender: Type.With(Address, { description: "the tender house or the order book" }),
    value: Fen("the allowance to set (not add): 0 revokes, 2^256 - 1 is unlimited"),
  },
  { additionalProperties: false },
);
export type PermitPrepareRequest = Static<typeof PermitPrepareRequest>;

const PermitFields = {
  owner: Address,
  spender: Address,
  value: Fen("the allowance the permit sets"),
  nonce: Uint("the owner's next nonce at the settlement token"),
  deadline: Type.Integer({
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    description: "Unix time after which the permit is void",
  }),
};

/**
 * A permit ready to sign: the caller signs `permit` as EIP-712 typed data with `domain` and the
 * EIP-2612 type (primary type Permit; ledger/permit.ts) and posts it with the signature to
 * POST /v1/relay/permits.
 */
export const PreparedPermit = Type.Object(
  {
    permit: Type.Object(PermitFields, { additionalProperties: false }),
    domain: Type.With(Eip712Domain, { description: "the settlement token's EIP-712 domain" }),
  },
  { additionalProperties: false },
);
export type PreparedPermit = Static<typeof PreparedPermit>;

export const PermitRelayRequest = Type.Object(
  {
    ...PermitFields,
    signature: Type.String({ pattern: "^0x[0-9a-fA-F]{130}$", description: "EIP-712 signature by `owner`" }),
  },
  { additionalProperties: false },
);
export type PermitRelayRequest = Static<typeof PermitRelayRequest>;

export const PermitAccepted = Type.Object(
  {
    txHash: TxHash,
    owner: Address,
    spender: Address,
    value: Fen("the allowance the permit sets"),
  },
  { additionalProperties: false, description: "the permit's transaction was sent (not yet mined)" },
);
export type PermitAccepted = Static<typeof PermitAccepted>;
