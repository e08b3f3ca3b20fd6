import { Type, type Static, type TSchema } from "typebox";
import { PRODUCT_NUMBER_PATTERN } from "../ledger/product-key";

/**
 * Field types every capability's schemas share. Money, unit counts and ids travel as decimal
 * strings (they exceed 2^53); addresses and hashes as 0x-hex; times as ISO 8601.
 */

// At most 18 digits: ids are stored as BIGINT, and a longer one would fail in SQL (a 500)
// instead of being refused here.
export const IdString = Type.String({ pattern: "^[1-9][0-9]{0,17}$", description: "a ledger id (decimal)" });
export const Address = Type.String({ pattern: "^0x[0-9a-fA-F]{40}$", description: "an account (0x-hex)" });
export const Bytes32 = Type.String({ pattern: "^0x[0-9a-fA-F]{64}$" });
export const TxHash = Type.String({ pattern: "^0x[0-9a-fA-F]{64}$", description: "a transaction hash" });
export const Amount = Type.String({ pattern: "^-?[0-9]+$", description: "integer minor units (fen)" });
export const Units = Type.String({ pattern: "^[0-9]+$", description: "a count of units (decimal)" });
/** The largest count of units the ledger holds (its quantities are uint32). */
export const UINT32_MAX = 4_294_967_295;
/** The range of a PostgreSQL INTEGER column. */
export const INT32_MIN = -2_147_483_648;
export const INT32_MAX = 2_147_483_647;
export const Gtin = Type.String({
  pattern: PRODUCT_NUMBER_PATTERN,
  description: "GTIN-14, or the product key (15 to 20 digits, ≥ 10^14) of another agency's device identifier",
});
// x-min-year: the format alone admits year 0000, which PostgreSQL refuses (a 500); checked
// after the format, so a value that is no date-time at all is named as such.
export const DateTime = Type.String({ format: "date-time", "x-min-year": 1000 });
/**
 * Text without control characters (tab, line feed and carriage return aside): PostgreSQL
 * cannot store a NUL, and no name, code or number of ours needs one.
 */
export const PLAIN_TEXT = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]*$";
export const PlainText = (options: { minLength?: number; maxLength: number; description?: string }) =>
  Type.String({ ...options, pattern: PLAIN_TEXT });
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const PaginationQuery = {
  // x-finite: `1e309` coerces to Infinity, which ajv's maximum lets through (plugins/schema-keywords.ts).
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50, "x-finite": true })),
  // Any text: decodeCursor answers CURSOR_INVALID for one this API did not issue.
  cursor: Type.Optional(Type.String({ maxLength: 200, description: "nextCursor of the previous page" })),
};

export const LastChange = Type.Object(
  { txHash: TxHash, blockNumber: Type.Integer() },
  { description: "the transaction and block of the latest on-chain change", additionalProperties: false },
);
export type LastChange = Static<typeof LastChange>;

/** A page of `item`s with the cursor of the next page (null on the last). */
export function PageOf<T extends TSchema>(item: T) {
  return Type.Object(
    { items: Type.Array(item), nextCursor: Nullable(Type.String()) },
    { additionalProperties: false },
  );
}

export const IdempotencyHeaders = Type.Object({
  "idempotency-key": Type.String({ minLength: 1, maxLength: 200 }),
});

/** The OpenAPI security requirement of a signed-in route. */
export const bearer = [{ bearerAuth: [] }];
