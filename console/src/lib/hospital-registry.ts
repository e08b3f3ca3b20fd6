import { HospitalRegistry__factory } from "../../../typechain-types";
import { hospitalRoleBits } from "../../../ledger/roles";
import type { MemberRole } from "../../../api/members";
import { useSession } from "./session";

const registry = HospitalRegistry__factory.createInterface();

/** The relayed calls of the ledger's HospitalRegistry that the console makes (the config names its address). */
export function useHospitalRegistry() {
  const { config } = useSession();
  const to = config!.contracts.hospitals;
  return {
    /** The hospital account: invites an account, changes a member's roles, or with none removes it. */
    setMemberRoles: (member: string, roles: readonly MemberRole[]) => ({
      to,
      data: registry.encodeFunctionData("setMemberRoles", [member, hospitalRoleBits(roles)]),
    }),
    /** The invited account joins `hospital` with the roles it was invited with. */
    acceptMembership: (hospital: string) => ({
      to,
      data: registry.encodeFunctionData("acceptMembership", [hospital]),
    }),
  };
}
