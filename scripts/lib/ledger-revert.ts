import { AgreementBook__factory } from "../../typechain-types";
import { decodeRevert, type DecodedRevert } from "../../server/chain/revert";

/**
 * The ledger's custom error in revert data, for the scripts (the CLI, the demo). The gateway's
 * decoder (server/chain/revert.ts) knows the contracts it calls; the agreement book's errors,
 * which reach a caller through the order book (AgreementExceedsCommitment,
 * AgreementHospitalNotParty, AgreementNotInTerm, …), are decoded here when it does not.
 */

const AGREEMENT_ERRORS = AgreementBook__factory.createInterface();

export function decodeLedgerRevert(data: string | null | undefined): DecodedRevert | null {
  const known = decodeRevert(data);
  if (known || !data || data === "0x") return known;
  try {
    const parsed = AGREEMENT_ERRORS.parseError(data);
    if (!parsed) return null;
    const args: Record<string, string> = {};
    parsed.fragment.inputs.forEach((input, i) => (args[input.name || `arg${i}`] = String(parsed.args[i])));
    const list = Object.entries(args)
      .map(([k, v]) => `${k}=${v}`)
      .join(", ");
    return { name: parsed.name, args, message: `${parsed.name}(${list})` };
  } catch {
    return null;
  }
}
