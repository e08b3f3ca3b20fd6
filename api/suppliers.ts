import { Type, type Static } from "typebox";
import { DOCUMENT_KINDS, DOCUMENT_STATUS, existing, SUPPLIER_STATUS } from "../ledger/enums";
import {
  Address,
  Bytes32,
  DateTime,
  Gtin,
  IdString,
  LastChange,
  Nullable,
  PageOf,
  PaginationQuery,
} from "./common";

/**
 * GET /v1/suppliers and /v1/suppliers/:address: the supplier registry as indexed, with each
 * supplier's qualification documents and the GTINs it may ship.
 */

const closed = { additionalProperties: false } as const;

export const SupplierStatus = Type.Enum(existing(SUPPLIER_STATUS), { type: "string" });
export type SupplierStatus = Static<typeof SupplierStatus>;

export const ListSuppliersQuery = Type.Object(
  { ...PaginationQuery, status: Type.Optional(SupplierStatus) },
  closed,
);
export type ListSuppliersQuery = Static<typeof ListSuppliersQuery>;

export const SupplierParams = Type.Object({ address: Address }, closed);
export type SupplierParams = Static<typeof SupplierParams>;

export const SupplierDocument = Type.Object(
  {
    id: IdString,
    kind: Type.Enum(DOCUMENT_KINDS, { type: "string" }),
    sha256: Bytes32,
    validFrom: DateTime,
    validUntil: DateTime,
    categories: Type.Array(Bytes32, { description: "the categories the document qualifies for" }),
    gtins: Nullable(
      Type.Array(Gtin, { description: "the GTINs a product registration declared; null for other kinds" }),
    ),
    status: Type.Enum(existing(DOCUMENT_STATUS), { type: "string" }),
    reasonCode: Nullable(Type.Integer({ description: "the regulator's reason for a rejection" })),
    decidedBy: Nullable(Address),
    lastChange: LastChange,
  },
  closed,
);
export type SupplierDocument = Static<typeof SupplierDocument>;

export const SupplierGtin = Type.Object(
  { gtin: Gtin, documentId: IdString, validFrom: DateTime, validUntil: DateTime },
  { ...closed, description: "a GTIN the supplier may ship, with its current attested product registration" },
);
export type SupplierGtin = Static<typeof SupplierGtin>;

const summary = {
  address: Address,
  name: Bytes32,
  registrationId: Bytes32,
  status: SupplierStatus,
  statusReason: Nullable(
    Type.Integer({ description: "the reason code of the last suspension or reinstatement" }),
  ),
  registeredAt: DateTime,
  lastChange: LastChange,
};

/** A supplier as listed: without its documents and GTINs (GET /v1/suppliers/:address has them). */
export const SupplierSummary = Type.Object(summary, closed);
export type SupplierSummary = Static<typeof SupplierSummary>;

export const SupplierPage = PageOf(SupplierSummary);
export type SupplierPage = Static<typeof SupplierPage>;

/** A page of a supplier's documents, newest first. */
export const SupplierDocumentPage = PageOf(SupplierDocument);
export type SupplierDocumentPage = Static<typeof SupplierDocumentPage>;

/** A page of the GTINs a supplier may ship, in GTIN order. */
export const SupplierGtinPage = PageOf(SupplierGtin);
export type SupplierGtinPage = Static<typeof SupplierGtinPage>;

export const SupplierListQuery = Type.Object({ ...PaginationQuery }, closed);
export type SupplierListQuery = Static<typeof SupplierListQuery>;

export const Supplier = Type.Object(
  {
    ...summary,
    documents: Type.With(Type.Array(SupplierDocument), {
      description: "the first page of its documents, newest first; documentsNextCursor fetches the rest",
    }),
    documentsNextCursor: Type.With(Nullable(Type.String()), {
      description: "the cursor for GET /v1/suppliers/:address/documents (null when all are here)",
    }),
    gtins: Type.With(Type.Array(SupplierGtin), {
      description: "the first page of the GTINs it may ship; gtinsNextCursor fetches the rest",
    }),
    gtinsNextCursor: Type.With(Nullable(Type.String()), {
      description: "the cursor for GET /v1/suppliers/:address/gtins (null when all are here)",
    }),
  },
  closed,
);
export type Supplier = Static<typeof Supplier>;
