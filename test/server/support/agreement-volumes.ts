import type { BigNumberish } from "ethers";
import type { Ledger } from "../../../ledger/contracts";

/**
 * The agreement volumes AgreementBook keeps no figure of, summed from what the chain does hold:
 * an agreement's funded volume over its hospitals' positions (only the tender's hospitals fund),
 * and a hospital's accepted units (ledger/volumes.ts).
 */

export async function fundedVolume(ledger: Ledger, agreementId: BigNumberish): Promise<bigint> {
  const book = ledger.agreements;
  const [created] = await book.queryFilter(book.filters.AgreementCreated(agreementId));
  let funded = 0n;
  for (const hospital of created.args.hospitals) {
    funded += (await book.hospitalVolume(agreementId, hospital)).funded;
  }
  return funded;
}

export { acceptedUnits } from "../../../ledger/volumes";
