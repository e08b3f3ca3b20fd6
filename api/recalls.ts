import { Type, type Static } from "typebox";
import { Address, DateTime, Gtin, Nullable, TxHash, Units } from "./common";
import { SentOut } from "./reconciliation";

/**
 * A lot's recall exposure (GET /v1/recalls/:gtin/:lot/exposure): every hospital and department
 * that holds or used the lot, and every recall of it with its scope and lift.
 */

export const ExposureParams = Type.Object(
  { gtin: Gtin, lot: Type.String({ minLength: 1, maxLength: 20 }) },
  { additionalProperties: false },
);
export type ExposureParams = Static<typeof ExposureParams>;

const RecallScope = Type.With(Address, {
  description: "the zero address for a regulator's recall, else the supplier whose shipments it covers",
});
const ReasonCode = Type.Integer({ minimum: 0, description: "the ledger's reason code" });

export const ExposureDepartment = Type.Object(
  {
    department: Type.String(),
    usages: Type.Integer({ minimum: 0, description: "usages still standing after their returns" }),
    patients: Type.Integer({ minimum: 0, description: "distinct patients of those usages" }),
    used: Units,
    returned: Units,
    usedAfterRecall: Type.With(Units, {
      description: "standing units used while a recall covering the hospital's supply was in force",
    }),
  },
  { additionalProperties: false },
);
export type ExposureDepartment = Static<typeof ExposureDepartment>;

export const ExposureHospital = Type.Object(
  {
    hospital: Address,
    received: Type.With(Units, {
      description:
        "units counted on the hospital's goods receipts lodged with this gateway (receiptNos); a delivery confirmed on the ledger only adds to accepted, not here",
    }),
    accepted: Type.With(Units, { description: "units the hospital accepted on the ledger" }),
    used: Units,
    returned: Units,
    sentOut: SentOut,
    onHand: Type.String({ pattern: "^-?[0-9]+$", description: "accepted − used + returned − sent out" }),
    receiptNos: Type.Array(Type.String()),
    txHashes: Type.Array(TxHash),
    suppliers: Type.Array(Address, { description: "the suppliers whose shipments of the lot reached it" }),
    recalled: Type.Boolean({
      description: "a recall in force covers its supply (a regulator's, or one of those suppliers')",
    }),
    departments: Type.Array(ExposureDepartment),
  },
  { additionalProperties: false },
);
export type ExposureHospital = Static<typeof ExposureHospital>;

export const ExposureRecall = Type.Object(
  {
    scope: RecallScope,
    recalledBy: Address,
    recalledAt: DateTime,
    txHash: TxHash,
    reasonCode: ReasonCode,
    active: Type.Boolean(),
    lift: Nullable(
      Type.Object(
        { liftedAt: DateTime, liftedBy: Address, reasonCode: ReasonCode, txHash: TxHash },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type ExposureRecall = Static<typeof ExposureRecall>;

export const RecallExposure = Type.Object(
  {
    gtin: Gtin,
    lot: Type.String(),
    expiry: DateTime,
    recall: Nullable(
      Type.Object(
        { recalledAt: DateTime, txHash: TxHash, reasonCode: ReasonCode, scope: RecallScope },
        {
          description: "the earliest recall of the lot still in force, in any scope; null when none is",
          additionalProperties: false,
        },
      ),
    ),
    recalls: Type.Array(ExposureRecall, { description: "every recall of the lot, in chain order" }),
    hospitals: Type.Array(ExposureHospital),
  },
  { additionalProperties: false },
);
export type RecallExposure = Static<typeof RecallExposure>;
