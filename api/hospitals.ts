import { Type, type Static } from "typebox";
import { Address, Bytes32, DateTime, Nullable, PageOf, PaginationQuery, PlainText, TxHash } from "./common";

/**
 * GET /v1/hospitals[/:address] and PUT /v1/hospitals/:address/name: the enrolled hospitals with
 * their names. The ledger keeps only keccak256 of a hospital's name (HospitalEnrolled's
 * nameHash, ledger/acts.ts enrolHospital); the name itself is published to the gateway, which
 * takes it only when its hash is that one — so a listed name is the one the regulator enrolled.
 */

const closed = { additionalProperties: false } as const;

export const HospitalParams = Type.Object({ address: Address }, closed);
export type HospitalParams = Static<typeof HospitalParams>;

export const ListHospitalsQuery = Type.Object({ ...PaginationQuery }, closed);
export type ListHospitalsQuery = Static<typeof ListHospitalsQuery>;

/** The longest name taken: a registered hospital name is far shorter; the bound keeps rows small. */
export const HOSPITAL_NAME_MAX_LENGTH = 200;

export const PublishHospitalName = Type.Object(
  {
    name: PlainText({
      minLength: 1,
      maxLength: HOSPITAL_NAME_MAX_LENGTH,
      description:
        "the hospital's name exactly as enrolled: its keccak256 (of the UTF-8 bytes; case and spaces count) must be the on-chain nameHash",
    }),
  },
  closed,
);
export type PublishHospitalName = Static<typeof PublishHospitalName>;

export const Hospital = Type.Object(
  {
    address: Address,
    name: Nullable(Type.String({ description: "the published name; null until someone publishes it" })),
    nameHash: Type.With(Bytes32, { description: "keccak256 of the name, as enrolled on chain" }),
    namePublished: Nullable(
      Type.Object(
        { by: Address, at: DateTime },
        { ...closed, description: "who published the name to this gateway, and when" },
      ),
    ),
    enrolledBy: Type.With(Address, { description: "the regulator that enrolled it" }),
    enrolledAt: DateTime,
    enrolment: Type.Object(
      { txHash: TxHash, blockNumber: Type.Integer() },
      { ...closed, description: "the transaction and block of its HospitalEnrolled event" },
    ),
  },
  closed,
);
export type Hospital = Static<typeof Hospital>;

export const HospitalPage = PageOf(Hospital);
export type HospitalPage = Static<typeof HospitalPage>;
