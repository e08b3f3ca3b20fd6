import { Type, type Static } from "typebox";
import { Address, DateTime, Nullable, PageOf, PaginationQuery, PlainText } from "./common";

/**
 * GET /v1/members and GET /v1/invitations: who works for a hospital on the ledger, as the indexer
 * read it from HospitalRegistry. The hospital account invites an account with roles
 * (`setMemberRoles`); the account becomes a member only when it accepts (`acceptMembership`).
 * The roles are the ledger's bits by name (ledger/roles.ts HOSPITAL_ROLES).
 */

const closed = { additionalProperties: false } as const;

export const MemberRole = Type.Union([
  Type.Literal("approver"),
  Type.Literal("settler"),
  Type.Literal("receiver"),
]);
export type MemberRole = Static<typeof MemberRole>;

export const MemberStatus = Type.Union([Type.Literal("member"), Type.Literal("invited")]);
export type MemberStatus = Static<typeof MemberStatus>;

export const Member = Type.Object(
  {
    hospital: Address,
    address: Address,
    name: Nullable(
      Type.String({
        description: "the name the hospital gave the account at this gateway; null until it gives one",
      }),
    ),
    roles: Type.Array(MemberRole),
    status: Type.With(MemberStatus, {
      description: "member: joined; invited: the invitation is open until the account accepts it",
    }),
    invitedAt: Nullable(
      Type.With(DateTime, {
        description: "when the open invitation was made (block time); null for a member",
      }),
    ),
  },
  closed,
);
export type Member = Static<typeof Member>;

export const ListMembersQuery = Type.Object(
  {
    ...PaginationQuery,
    hospital: Type.Optional(
      Type.With(Address, {
        description: "the members' hospital: a regulator's choice; a hospital's accounts see only their own",
      }),
    ),
    status: Type.Optional(MemberStatus),
  },
  closed,
);
export type ListMembersQuery = Static<typeof ListMembersQuery>;

export const MemberParams = Type.Object({ address: Address }, closed);
export type MemberParams = Static<typeof MemberParams>;

/** The longest member name taken: a person's name and department, well within it. */
export const MEMBER_NAME_MAX_LENGTH = 100;

export const NameMember = Type.Object(
  {
    name: PlainText({
      minLength: 1,
      maxLength: MEMBER_NAME_MAX_LENGTH,
      description: "how the hospital's pages name the account, e.g. a person and their department",
    }),
  },
  closed,
);
export type NameMember = Static<typeof NameMember>;

/** A page of members and open invitations, by hospital, account and status. */
export const MemberPage = PageOf(Member);
export type MemberPage = Static<typeof MemberPage>;

/** An open invitation addressed to the caller. */
export const Invitation = Type.Object(
  { hospital: Address, roles: Type.Array(MemberRole), invitedAt: DateTime },
  closed,
);
export type Invitation = Static<typeof Invitation>;

export const InvitationList = Type.Object({ items: Type.Array(Invitation) }, closed);
export type InvitationList = Static<typeof InvitationList>;
