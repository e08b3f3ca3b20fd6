import { Type, type Static } from "typebox";
import {
  Address,
  Bytes32,
  DateTime,
  IdString,
  LastChange,
  Nullable,
  PageOf,
  PaginationQuery,
  TxHash,
  Units,
} from "./common";
import { Tier } from "./tenders";

/**
 * GET /v1/agreements and /v1/agreements/:id: the framework agreements tenders awarded, their
 * tier schedules and (on a single agreement) each hospital's committed, funded and accepted
 * volume.
 */

const closed = { additionalProperties: false } as const;

export const ListAgreementsQuery = Type.Object(
  {
    ...PaginationQuery,
    supplier: Type.Optional(Address),
    category: Type.Optional(Type.With(Bytes32, { description: "a category code (bytes32)" })),
    tenderId: Type.Optional(IdString),
  },
  closed,
);
export type ListAgreementsQuery = Static<typeof ListAgreementsQuery>;

export const AgreementParams = Type.Object({ id: IdString }, closed);
export type AgreementParams = Static<typeof AgreementParams>;

export const AgreementHospital = Type.Object(
  {
    hospital: Address,
    committed: Units,
    funded: Type.With(Units, { description: "the hospital's funded, uncancelled volume" }),
    accepted: Units,
  },
  closed,
);
export type AgreementHospital = Static<typeof AgreementHospital>;

/** The supplier's consignment offer (ConsignmentBook.offerConsignment); null: not offered. */
export const ConsignmentTerms = Type.Object(
  {
    hospitalBearsExpiry: Type.Boolean({
      description: "true: stock that expires unused is paid to the supplier; false: the supplier's loss",
    }),
    offeredAt: DateTime,
    offeredTx: TxHash,
  },
  closed,
);
export type ConsignmentTerms = Static<typeof ConsignmentTerms>;

const summary = {
  id: IdString,
  tenderId: IdString,
  supplier: Address,
  category: Bytes32,
  startAt: DateTime,
  endAt: DateTime,
  tiers: Type.Array(Tier),
  leadTimeDays: Type.Integer(),
  penaltyBpsPerDay: Type.Integer(),
  penaltyCapBps: Type.Integer(),
  fundingWindowSeconds: Type.Integer(),
  receivingWindowSeconds: Type.Integer(),
  confirmWindowSeconds: Type.Integer(),
  fundedVolume: Type.With(Units, { description: "the hospitals' funded, uncancelled volume" }),
  acceptedVolume: Type.With(Units, {
    description: "accepted units (consigned ones once used): the position on the tier schedule",
  }),
  consignment: Nullable(ConsignmentTerms),
  lastChange: LastChange,
};

/** An agreement as listed: without its hospitals' volumes (GET /v1/agreements/:id has them). */
export const AgreementSummary = Type.Object(summary, closed);
export type AgreementSummary = Static<typeof AgreementSummary>;

export const AgreementPage = PageOf(AgreementSummary);
export type AgreementPage = Static<typeof AgreementPage>;

export const Agreement = Type.Object({ ...summary, hospitals: Type.Array(AgreementHospital) }, closed);
export type Agreement = Static<typeof Agreement>;
