import { PermanentError } from "../../lib/failures";
import { readChainRoles, type RoleReader } from "../auth/chain-roles";

/**
 * Whether the configured settler key can pay for the hospital this gateway keeps: a settler of
 * that hospital on the chain (of any hospital, when HOSPITAL is unset). A wrong key would not pay
 * anyone: the chain would refuse each payment, and every matched receipt would become an
 * exception for an approver. So the worker asks before its first job, with nothing sent or
 * changed until the answer is yes, and says which key and which hospital:
 * - a key without the settler role is waited for (the reason is returned): a gateway is often
 *   started before the hospital's admin grants the role, and it should start paying once granted,
 *   not need a restart;
 * - a settler of another hospital stops the worker (PermanentError): a configuration mistake no
 *   wait cures.
 * Null: the key may pay.
 */
export async function settlerCheck(
  ledger: RoleReader,
  settler: string,
  hospital: string | undefined,
): Promise<string | null> {
  const { roles, hospital: of } = await readChainRoles(ledger, settler);
  if (of === null || !roles.includes("hospital-settler")) {
    return (
      `SETTLER_KEY's account ${settler} is not a settler of ${of === null ? "any hospital" : `hospital ${of}`} on the chain: ` +
      "the hospital's admin grants the settler role to it (or configure the key of an account that has it); " +
      "no payment is sent until then"
    );
  }
  if (hospital !== undefined && of !== hospital.toLowerCase()) {
    throw new PermanentError(
      `SETTLER_KEY's account ${settler} settles for hospital ${of}, but this gateway keeps hospital ${hospital} (HOSPITAL): ` +
        "configure that hospital's settler key; no payment is sent until then",
    );
  }
  return null;
}
