import { Type, type Static } from "typebox";
import { REASON_ACTS } from "../ledger/reasons";

/**
 * GET /v1/reason-codes: the catalogue of the ledger's reason codes (ledger/reasons.ts) on the
 * wire. Kept apart from the catalogue, so that what only needs the codes (the CLI, whose every
 * start would otherwise load TypeBox) does not load the schemas.
 */

export const ReasonCode = Type.Object(
  {
    code: Type.Integer({ minimum: 0, maximum: 65535, description: "the number the ledger records" }),
    key: Type.String({ pattern: "^[a-z][a-z0-9_]*$", description: "a stable name of the reason" }),
    label: Type.String({ description: "what it means, in English" }),
    acts: Type.Array(Type.Enum(REASON_ACTS, { type: "string" }), {
      description: "the ledger functions that may record it",
    }),
  },
  { additionalProperties: false },
);
export type ReasonCode = Static<typeof ReasonCode>;

export const ReasonCatalogue = Type.Object(
  { items: Type.Array(ReasonCode, { description: "every reason, in code order" }) },
  { additionalProperties: false },
);
export type ReasonCatalogue = Static<typeof ReasonCatalogue>;
