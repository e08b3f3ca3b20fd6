import { ethers } from "ethers";
import type { Hospital } from "../../../api/hospitals";
import { appError } from "../../plugins/error-catalogue";
import type { HospitalsRepository } from "./hospitals.repository";

/**
 * Publishing a hospital's name. The ledger enrolled it under keccak256 of the UTF-8 name
 * (ledger/acts.ts enrolHospital, `sunshine regulator enrol-hospital`), so the hash decides:
 * only the enrolled name itself can pass, whoever sends it. That is why any signed-in account
 * may publish — the regulator, the hospital, an integrator — and why nothing is normalised
 * (trimming or case-folding would change the bytes the hash was taken of).
 */
export class HospitalsService {
  constructor(private readonly hospitals: HospitalsRepository) {}

  async publishName(
    address: string,
    name: string,
    publishedBy: string,
  ): Promise<{ hospital: Hospital; created: boolean }> {
    const onChainHash = await this.hospitals.nameHash(address);
    if (onChainHash === null) throw notFound(address);
    const computedHash = ethers.id(name);
    if (computedHash !== onChainHash) {
      throw appError(
        "HOSPITAL_NAME_MISMATCH",
        `keccak256 of the name "${name}" is ${computedHash}, not the nameHash ${onChainHash} the hospital was enrolled under; the name must be exactly the enrolled one (case and spaces count)`,
        { computedHash, onChainHash },
      );
    }
    const created = await this.hospitals.saveName(address, onChainHash, name, publishedBy);
    const hospital = await this.hospitals.get(address);
    if (!hospital) throw notFound(address);
    return { hospital, created };
  }
}

export const notFound = (address: string) =>
  appError("HOSPITAL_NOT_FOUND", `no hospital ${address} is enrolled on the ledger`);
