import { Type, type Static } from "typebox";
import { Address, DateTime, Nullable } from "./common";

/**
 * Sign-In with Ethereum: POST /v1/auth/nonce, then POST /v1/auth/login with the signed EIP-4361
 * message, for a bearer token (a JWT) carrying the roles the chain gave the signer.
 */

export const ROLES = [
  "regulator",
  "supplier",
  "hospital-admin",
  "hospital-approver",
  "hospital-settler",
  "hospital-receiver",
  "payer",
] as const;

export const Role = Type.Enum(ROLES, { description: "a role on the ledger, read from the chain at sign-in" });
export type Role = Static<typeof Role>;

export const NonceResponse = Type.Object(
  {
    nonce: Type.String({ pattern: "^[0-9a-f]{24}$", description: "the message's Nonce field" }),
    expiresAt: DateTime,
    domain: Type.String({
      description: "the message's domain: the authority of one of the gateway's public origins",
    }),
    uri: Type.String({ description: "the message's URI: that public origin" }),
    chainId: Type.Integer({ description: "the message's Chain ID: the ledger's chain" }),
  },
  { additionalProperties: false },
);
export type NonceResponse = Static<typeof NonceResponse>;

export const LoginRequest = Type.Object(
  {
    message: Type.String({
      minLength: 1,
      maxLength: 4000,
      description: "the EIP-4361 message, LF line ends",
    }),
    signature: Type.String({
      // 65 bytes from an account's key; longer for a contract account (EIP-1271), e.g. a
      // multisig's several signatures.
      pattern: "^0x[0-9a-fA-F]{130}([0-9a-fA-F]{2})*$",
      maxLength: 2 + 2 * 4096,
      description: "the signature of the message (EIP-191), or the contract account's EIP-1271 signature",
    }),
  },
  { additionalProperties: false },
);
export type LoginRequest = Static<typeof LoginRequest>;

export const Session = Type.Object(
  {
    token: Type.String({ description: "the bearer token: a JWT (HS256) for Authorization: Bearer <token>" }),
    address: Address,
    roles: Type.Array(Role),
    hospital: Nullable(Address),
    expiresAt: DateTime,
  },
  { additionalProperties: false, description: "who signed in, as the chain sees them, and their token" },
);
export type Session = Static<typeof Session>;
