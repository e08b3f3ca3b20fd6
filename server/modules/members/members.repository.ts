import type { Db } from "../../db";
import type { Invitation, ListMembersQuery, Member, MemberPage, MemberRole } from "../../../api/members";
import { HOSPITAL_ROLES } from "../../../ledger/roles";
import { keysetList } from "../../lib/keyset-list";
import { iso, isoOrNull, text, type Row } from "../../lib/projection-row";

/** SQL of hospitals' members and open invitations, as the indexer projects HospitalRegistry's events. */

/** The ledger's role bits by name, in the order of HOSPITAL_ROLES. */
function roleNames(bits: unknown): MemberRole[] {
  return (Object.keys(HOSPITAL_ROLES) as MemberRole[]).filter(
    (name) => (Number(bits) & HOSPITAL_ROLES[name]) !== 0,
  );
}

function view(r: Row): Member {
  return {
    hospital: text(r.hospital),
    address: text(r.member),
    roles: roleNames(r.roles),
    status: r.status === "member" ? "member" : "invited",
    invitedAt: isoOrNull(r.invited_at),
  };
}

/** Members and open invitations as one list; an account may be both (a member here, invited elsewhere). */
const MEMBERS_AND_INVITATIONS = `SELECT * FROM (
  SELECT hospital, member, roles, 'member' AS status, NULL::timestamptz AS invited_at FROM hospital_members
  UNION ALL
  SELECT hospital, member, roles, 'invited' AS status, invited_at FROM hospital_invitations
) m`;

export function listMembers(db: Db, q: ListMembersQuery, own: string | undefined): Promise<MemberPage> {
  return keysetList(
    db,
    {
      from: MEMBERS_AND_INVITATIONS,
      filters: [
        ["hospital", own],
        ["hospital", q.hospital],
        ["status", q.status],
      ],
      key: ["hospital", "member", "status"],
      numericKey: false,
      view,
    },
    q,
  );
}

/** The open invitations addressed to `account`, oldest first (an account is invited by few hospitals). */
export async function invitationsOf(db: Db, account: string): Promise<Invitation[]> {
  const { rows } = await db.query(
    `SELECT hospital, roles, invited_at FROM hospital_invitations WHERE member = $1 ORDER BY invited_at, hospital`,
    [account.toLowerCase()],
  );
  return rows.map((r) => ({
    hospital: text(r.hospital),
    roles: roleNames(r.roles),
    invitedAt: iso(r.invited_at),
  }));
}
