/**
 * JSON Schema fragments shared by route schemas. Money, unit counts and ids travel as decimal
 * strings (they exceed 2^53); addresses as 0x-hex.
 */

export const errorResponses = {
  400: { $ref: "ErrorBody#" },
  401: { $ref: "ErrorBody#" },
  403: { $ref: "ErrorBody#" },
  404: { $ref: "ErrorBody#" },
  409: { $ref: "ErrorBody#" },
} as const;

// At most 18 digits: ids are stored as BIGINT, and a longer one would fail in SQL (a 500)
// instead of being refused here.
export const idString = {
  type: "string",
  pattern: "^[1-9][0-9]{0,17}$",
  description: "a ledger id (decimal)",
} as const;
export const address = { type: "string", pattern: "^0x[0-9a-fA-F]{40}$" } as const;
export const bytes32 = { type: "string", pattern: "^0x[0-9a-fA-F]{64}$" } as const;
export const amount = {
  type: "string",
  pattern: "^-?[0-9]+$",
  description: "integer minor units (fen)",
} as const;
export const gtin = { type: "string", pattern: "^[0-9]{14}$", description: "GTIN-14" } as const;

export const paginationQuery = {
  limit: { type: "integer", minimum: 1, maximum: 500, default: 50 },
  cursor: { type: "string", maxLength: 200, description: "nextCursor of the previous page" },
} as const;

export const lastChange = {
  type: "object",
  description: "the transaction and block of the latest on-chain change",
  properties: { txHash: { type: "string" }, blockNumber: { type: "integer" } },
} as const;

/** A page of `item`s with the cursor of the next page (null on the last). */
export function pageOf(item: object) {
  return {
    type: "object",
    required: ["items", "nextCursor"],
    properties: { items: { type: "array", items: item }, nextCursor: { type: ["string", "null"] } },
  } as const;
}

/** An object schema that documents its main fields and lets nested detail through. */
export function open(properties: Record<string, object>, required: string[] = []) {
  return { type: "object", required, properties, additionalProperties: true } as const;
}

export const idempotencyHeaders = {
  type: "object",
  required: ["idempotency-key"],
  properties: { "idempotency-key": { type: "string", minLength: 1, maxLength: 200 } },
} as const;

export const bearer = [{ bearerAuth: [] }];
