import { Type, type Static } from "typebox";

/**
 * Every error code the gateway answers with: stable strings clients branch on, each with its
 * HTTP status. A code keeps its meaning forever; a new situation gets a new code here.
 *
 * Every error body is `{ error: <code>, message: <for a human>, details?: <for a program> }`.
 */

export const ERROR_CATALOGUE = {
  // 400: the request is wrong; retrying it unchanged will fail again.
  VALIDATION_FAILED: { status: 400, summary: "a path, query, header or body field failed its schema" },
  INVALID_JSON: { status: 400, summary: "the body is not valid JSON" },
  BAD_REQUEST: { status: 400, summary: "the request is malformed" },
  BARCODE_INVALID: {
    status: 400,
    summary: "a barcode (GS1 or MA) is malformed or fails its check digit; the message names the agency",
  },
  BARCODE_NOT_UDI: {
    status: 400,
    summary: "the code is well formed but not a medical-device UDI (another MA industry, an 88. identifier)",
  },
  IDEMPOTENCY_KEY_REQUIRED: { status: 400, summary: "this write needs an Idempotency-Key header" },
  CURSOR_INVALID: { status: 400, summary: "the pagination cursor was not issued by this API" },
  RECEIPT_LINE_INVALID: { status: 400, summary: "a goods-receipt line is incomplete or inconsistent" },
  RECEIPT_TIME_INVALID: { status: 400, summary: "the receipt time is in the future or before the shipment" },
  MANIFEST_INVALID: { status: 400, summary: "the serial list is malformed or does not fit the shipment" },
  MANIFEST_ROOT_MISMATCH: {
    status: 400,
    summary: "the serial list's Merkle root is not the shipment's on-chain root",
  },
  HOSPITAL_NAME_MISMATCH: {
    status: 400,
    summary: "the name's keccak256 is not the hospital's on-chain nameHash",
  },
  GLN_INVALID: { status: 400, summary: "a GLN is not 13 digits with a correct GS1 check digit" },
  CAMPUS_UNKNOWN: { status: 400, summary: "the GLN given is not a campus of the caller's hospital" },
  RESOLUTION_INVALID: { status: 400, summary: "the exception resolution is not possible as given" },
  SIWE_INVALID: {
    status: 400,
    summary: "the Sign-In with Ethereum message is malformed or not for this gateway",
  },
  RELAY_TARGET_NOT_LEDGER: { status: 400, summary: "the forward request does not call a ledger contract" },
  RELAY_VALUE_NOT_ALLOWED: { status: 400, summary: "relayed requests cannot carry ether" },
  RELAY_EXPIRED: { status: 400, summary: "the forward request's deadline has passed" },
  RELAY_NONCE_INVALID: { status: 400, summary: "the forward request's nonce is not the signer's next nonce" },
  RELAY_SIGNATURE_INVALID: { status: 400, summary: "the forward request is not signed by its from address" },
  RELAY_GAS_TOO_HIGH: { status: 400, summary: "the forward request asks for more gas than the relay's cap" },
  RELAY_CALL_REVERTED: {
    status: 400,
    summary: "the relayed call would revert; details name the custom error",
  },
  RELAY_PERMIT_SPENDER_NOT_LEDGER: {
    status: 400,
    summary: "the permit's spender is not a ledger contract that takes the settlement token",
  },
  RELAY_PERMIT_EXPIRED: { status: 400, summary: "the permit's deadline has passed" },
  RELAY_PERMIT_NONCE_INVALID: {
    status: 400,
    summary: "the permit's nonce is not the owner's next nonce at the settlement token",
  },
  RELAY_PERMIT_SIGNATURE_INVALID: { status: 400, summary: "the permit is not signed by its owner" },

  UNAUTHORIZED: { status: 401, summary: "no valid bearer token" },
  SIWE_SIGNATURE_INVALID: {
    status: 401,
    summary: "the sign-in signature does not match the message's address",
  },
  SIWE_NONCE_UNKNOWN: { status: 401, summary: "the sign-in nonce was not issued here, expired or was used" },
  SIWE_EXPIRED: { status: 401, summary: "the sign-in message has expired" },
  FORBIDDEN: { status: 403, summary: "the caller's roles do not allow this" },
  NOT_YOUR_HOSPITAL: { status: 403, summary: "the resource belongs to another hospital" },
  NOT_THE_SUPPLIER: { status: 403, summary: "the resource belongs to another supplier" },
  RELAY_NOT_YOUR_REQUEST: { status: 403, summary: "the forward request's from is not the signed-in caller" },
  RELAY_FUNCTION_NOT_ALLOWED: {
    status: 403,
    summary: "the relay does not pay for this function for the caller's roles",
  },
  RELAY_PERMIT_NOT_YOURS: { status: 403, summary: "the permit's owner is not the signed-in caller" },
  RELAY_PERMIT_NOT_ALLOWED: {
    status: 403,
    summary: "the relay does not pay for a permit to this spender for the caller's roles",
  },

  ROUTE_NOT_FOUND: { status: 404, summary: "no route for this method and path" },
  NOT_FOUND: { status: 404, summary: "the resource does not exist" },
  ORDER_NOT_FOUND: { status: 404, summary: "no such order" },
  SHIPMENT_NOT_FOUND: { status: 404, summary: "no such shipment" },
  LOT_NOT_FOUND: { status: 404, summary: "no such lot" },
  SERIAL_NOT_FOUND: { status: 404, summary: "no such serial number" },
  RECEIPT_NOT_FOUND: { status: 404, summary: "no such goods receipt" },
  SUPPLIER_NOT_FOUND: { status: 404, summary: "no such supplier" },
  HOSPITAL_NOT_FOUND: { status: 404, summary: "no such hospital" },
  MEMBER_NOT_FOUND: { status: 404, summary: "no such member or invitee of the caller's hospital" },
  TENDER_NOT_FOUND: { status: 404, summary: "no such tender" },
  AGREEMENT_NOT_FOUND: { status: 404, summary: "no such agreement" },
  SETTLEMENT_NOT_FOUND: { status: 404, summary: "no such settlement" },
  MANIFEST_NOT_FOUND: { status: 404, summary: "no serial manifest was uploaded for the shipment" },
  EXCEPTION_NOT_FOUND: { status: 404, summary: "no such exception for the caller's hospital" },

  CONFLICT: { status: 409, summary: "the resource's current state does not allow this" },
  CAMPUS_EXISTS: { status: 409, summary: "the GLN is already registered as a campus" },
  RECEIPT_EXISTS: { status: 409, summary: "a goods receipt with this number was already recorded" },
  RECEIPT_NUMBER_AMBIGUOUS: {
    status: 409,
    summary: "several hospitals use this receipt number: name the hospital (regulators)",
  },
  SHIPMENT_ALREADY_RECEIVED: { status: 409, summary: "the shipment already has a goods receipt" },
  EXCEPTION_ALREADY_RESOLVED: { status: 409, summary: "the exception was already resolved" },
  SHIPMENT_ALREADY_SETTLED: {
    status: 409,
    summary: "the shipment already has a settlement under way or done",
  },
  RELAY_NONCE_PENDING: {
    status: 409,
    summary:
      "a relayed request with this signer and forwarder nonce is still pending; details.txHash is its transaction",
  },
  RELAY_PERMIT_NONCE_PENDING: {
    status: 409,
    summary:
      "a relayed permit with this owner and token nonce is still pending; details.txHash is its transaction",
  },
  // The issue fixes 409 for a reused key with a different body (the IETF draft says 422).
  IDEMPOTENCY_KEY_REUSED: { status: 409, summary: "this Idempotency-Key was used with a different request" },
  IDEMPOTENCY_KEY_IN_PROGRESS: {
    status: 409,
    summary: "a request with this Idempotency-Key is still running",
  },
  PAYLOAD_TOO_LARGE: { status: 413, summary: "the body exceeds the size limit" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, summary: "the body's content type is not accepted" },
  URI_TOO_LONG: { status: 414, summary: "the URL or one of its path parameters is too long" },
  HEADERS_TOO_LARGE: { status: 431, summary: "the request's headers exceed the size limit" },
  DEVICE_IDENTIFIER_NOT_DECLARED: {
    status: 422,
    summary:
      "a non-GS1 device identifier that no supplier declared on the ledger, so no shipment can carry it",
  },
  CHAIN_REVERTED: {
    status: 422,
    summary: "the contract rejected the transaction; details name its custom error",
  },
  RATE_LIMITED: { status: 429, summary: "too many requests" },
  SIWE_TOO_MANY_NONCES: {
    status: 429,
    summary: "this client holds as many unused sign-in nonces as it may (AUTH_MAX_NONCES_PER_CLIENT)",
  },

  // 5xx: not the caller's fault; retrying later may succeed.
  INTERNAL: { status: 500, summary: "an unexpected error; it is logged" },
  NOT_CONFIGURED: {
    status: 503,
    summary: "this gateway lacks a setting the route needs; the message names it",
  },
  RELAY_BUDGET_EXHAUSTED: {
    status: 503,
    summary:
      "the relayer's gas budget for the day is spent; retry after midnight UTC or pay the gas yourself",
  },
  CHAIN_UNAVAILABLE: { status: 503, summary: "the chain RPC endpoint cannot be reached" },
  DATABASE_UNAVAILABLE: { status: 503, summary: "the database cannot be reached" },
} as const satisfies Record<string, { status: number; summary: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** Every error body; 4xx/5xx response schemas reference it as `ErrorBody`. */
export const ErrorBody = Type.Object(
  {
    error: Type.Unsafe<ErrorCode>(
      Type.String({
        enum: Object.keys(ERROR_CATALOGUE),
        description: Object.entries(ERROR_CATALOGUE)
          .map(([code, { status, summary }]) => `${code} (${status}): ${summary}`)
          .join("\n"),
      }),
    ),
    message: Type.String({ description: "for a human; never a secret or an upstream error" }),
    details: Type.Optional(
      Type.Unknown({ description: "for a program: the failing fields, the decoded custom error, …" }),
    ),
  },
  { $id: "ErrorBody", additionalProperties: false },
);
export type ErrorBody = Static<typeof ErrorBody>;

const errorRef = Type.Ref("ErrorBody");

/** The error responses every authenticated route may answer with. */
export const errorResponses = {
  400: errorRef,
  401: errorRef,
  403: errorRef,
  404: errorRef,
  409: errorRef,
  429: errorRef,
} as const;

/**
 * What the edge answers before a route runs, on every operation: a URL or headers too long, too
 * many requests, and for a request with a body, one too large or of a type not accepted.
 * Added to each operation by the OpenAPI plugin rather than listed route by route.
 */
export const edgeResponses = { 414: errorRef, 429: errorRef, 431: errorRef } as const;
export const bodyEdgeResponses = { 413: errorRef, 415: errorRef } as const;

/** A 503 (chain or database unavailable, or a missing setting). */
export const unavailableResponse = { 503: errorRef } as const;
