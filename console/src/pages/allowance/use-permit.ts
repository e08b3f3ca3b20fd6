import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useActToasts } from "../../components/ActToasts";
import { relayPermit } from "../../lib/permit";
import { useSession } from "../../lib/session";
import { browserWalletSigner } from "../../lib/signers";

/**
 * Sets an allowance from a page: the session's signer (a demo key, or the browser wallet)
 * signs the permit, the gateway relays it, and once it is on the ledger every query is
 * refreshed. The user sees the signing and sending as for an act; a refusal is kept in `error`
 * for the page to show where the form is.
 */
export function usePermit() {
  const toasts = useActToasts();
  const session = useSession();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  /** Sets `spender`'s allowance to `fen()` (read when the user acts); true once it is on the ledger. */
  async function permit(spender: string, fen: () => Promise<bigint> | bigint): Promise<boolean> {
    setBusy(true);
    setError(null);
    const toast = toasts(`permit-${spender}`);
    try {
      const value = await fen();
      const signer = session.signer ?? (await browserWalletSigner());
      toast.sending();
      const result = await relayPermit(signer, spender, value, toast.signing);
      toast.done(result.blockNumber);
      await queryClient.invalidateQueries();
      return true;
    } catch (failure) {
      toast.close();
      setError(failure);
      return false;
    } finally {
      setBusy(false);
    }
  }

  return { permit, busy, error };
}
