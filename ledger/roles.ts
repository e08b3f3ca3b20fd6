import { ethers } from "ethers";

/**
 * Role ids of the ledger's AccessControl contracts (LedgerRoles, SettlementToken) and the
 * member role bits of a hospital (contracts/libraries/HospitalRoles.sol). A test checks each
 * against the compiled contracts.
 */

export const DEFAULT_ADMIN_ROLE = ethers.ZeroHash;
export const REGULATOR_ROLE = ethers.id("REGULATOR_ROLE");
export const PAUSER_ROLE = ethers.id("PAUSER_ROLE");
/** The medical-insurance fund; granted by regulators (LedgerRoles makes REGULATOR_ROLE its admin). */
export const PAYER_ROLE = ethers.id("PAYER_ROLE");
export const MINTER_ROLE = ethers.id("MINTER_ROLE");

/** A hospital member's roles are a bit set of these. */
export const HOSPITAL_ROLES = { approver: 1, settler: 2, receiver: 4 } as const;
export type HospitalRoleName = keyof typeof HOSPITAL_ROLES;

/** A member's role bits by name, in the order of HOSPITAL_ROLES. */
export function hospitalRoleNames(bits: number | bigint): HospitalRoleName[] {
  return (Object.keys(HOSPITAL_ROLES) as HospitalRoleName[]).filter(
    (name) => (Number(bits) & HOSPITAL_ROLES[name]) !== 0,
  );
}

/** Role names as the ledger's bit set; none is 0 (which removes a member or withdraws an invitation). */
export function hospitalRoleBits(names: readonly HospitalRoleName[]): number {
  return names.reduce((bits, name) => bits | HOSPITAL_ROLES[name], 0);
}
