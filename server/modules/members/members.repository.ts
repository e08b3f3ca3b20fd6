import type { Db } from "../../db";
import type { Invitation, ListMembersQuery, Member, MemberPage } from "../../../api/members";
import { hospitalRoleNames } from "../../../ledger/roles";
import { keysetList } from "../../lib/keyset-list";
import { iso, isoOrNull, text, textOrNull, type Row } from "../../lib/projection-row";

/**
 * SQL of hospitals' members and open invitations, as the indexer projects HospitalRegistry's
 * events, with the names each hospital gave them (member_names, its back office).
 */

function view(r: Row): Member {
  return {
    hospital: text(r.hospital),
    address: text(r.member),
    name: textOrNull(r.name),
    roles: hospitalRoleNames(Number(r.roles)),
    status: r.status === "member" ? "member" : "invited",
    invitedAt: isoOrNull(r.invited_at),
  };
}

/** Members and open invitations as one list; an account may be both (a member here, invited elsewhere). */
const MEMBERS_AND_INVITATIONS = `SELECT * FROM (
  SELECT m.*, n.name FROM (
    SELECT hospital, member, roles, 'member' AS status, NULL::timestamptz AS invited_at FROM hospital_members
    UNION ALL
    SELECT hospital, member, roles, 'invited' AS status, invited_at FROM hospital_invitations
  ) m LEFT JOIN member_names n USING (hospital, member)
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
    roles: hospitalRoleNames(Number(r.roles)),
    invitedAt: iso(r.invited_at),
  }));
}

/**
 * Names `member` for `hospital`, if it is the hospital's member or invitee: its row as listed, or
 * null (the caller answers 404). A name is kept when the account leaves, for its return.
 */
export async function nameMember(
  tx: Db,
  n: { hospital: string; member: string; name: string; namedBy: string; namedAt: Date },
): Promise<Member | null> {
  const hospital = n.hospital.toLowerCase();
  const member = n.member.toLowerCase();
  const { rows } = await tx.query(
    `INSERT INTO member_names (hospital, member, name, named_by, named_at)
     SELECT $1, $2, $3, $4, $5
     WHERE EXISTS (SELECT 1 FROM hospital_members WHERE hospital = $1 AND member = $2)
        OR EXISTS (SELECT 1 FROM hospital_invitations WHERE hospital = $1 AND member = $2)
     ON CONFLICT (hospital, member) DO UPDATE
       SET name = EXCLUDED.name, named_by = EXCLUDED.named_by, named_at = EXCLUDED.named_at
     RETURNING hospital`,
    [hospital, member, n.name, n.namedBy.toLowerCase(), n.namedAt.toISOString()],
  );
  if (rows.length === 0) return null;
  const listed = await tx.query(
    `${MEMBERS_AND_INVITATIONS} WHERE hospital = $1 AND member = $2 ORDER BY status`,
    [hospital, member],
  );
  return view(listed.rows[0]);
}
