import type { Ledger } from "../../../ledger/contracts";
import { SUPPLIER_STATUS } from "../../../ledger/enums";
import { PAYER_ROLE, REGULATOR_ROLE } from "../../../ledger/roles";
import type { Role } from "./tokens";

/**
 * What the chain says an account may do: the reads at sign-in, and again before every write
 * (auth.plugin.ts), at one block so that all of them describe the same state.
 */

export type RoleReader = Pick<Ledger, "roles" | "registry" | "hospitals">;

export interface ChainRoles {
  /** A registered supplier has "supplier" whether active or suspended: it may still read its records. */
  roles: Role[];
  hospital: string | null;
  supplierSuspended: boolean;
}

const HOSPITAL_ROLE_BITS: [number, Role][] = [
  [1, "hospital-approver"],
  [2, "hospital-settler"],
  [4, "hospital-receiver"],
];
const NO_HOSPITAL = "0x0000000000000000000000000000000000000000";
const SUPPLIER_SUSPENDED = BigInt(SUPPLIER_STATUS.indexOf("suspended"));

/** The roles `address` holds at `blockTag` (the latest block when absent). */
export async function readChainRoles(
  ledger: RoleReader,
  address: string,
  blockTag?: number,
): Promise<ChainRoles> {
  const at = blockTag === undefined ? {} : { blockTag };
  const roles: Role[] = [];
  const [isRegulator, isPayer, supplierStatus, hospital] = await Promise.all([
    ledger.roles.hasRole(REGULATOR_ROLE, address, at),
    ledger.roles.hasRole(PAYER_ROLE, address, at),
    ledger.registry.supplierStatus(address, at),
    ledger.hospitals.hospitalOf(address, at),
  ]);
  if (isRegulator) roles.push("regulator");
  if (isPayer) roles.push("payer");
  if (supplierStatus !== 0n) roles.push("supplier");
  let hospitalOf: string | null = null;
  if (hospital !== NO_HOSPITAL) {
    hospitalOf = hospital.toLowerCase();
    if (hospital.toLowerCase() === address.toLowerCase()) roles.push("hospital-admin");
    const bits = Number(await ledger.hospitals.memberRoles(hospital, address, at));
    for (const [bit, role] of HOSPITAL_ROLE_BITS) if (bits & bit) roles.push(role);
  }
  return { roles, hospital: hospitalOf, supplierSuspended: supplierStatus === SUPPLIER_SUSPENDED };
}
