import { useQueryClient } from "@tanstack/react-query";
import { App } from "antd";
import { useState } from "react";
import { useI18n } from "../../i18n/i18n";
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
  const { t } = useI18n();
  const { message } = App.useApp();
  const session = useSession();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  /** Sets `spender`'s allowance to `fen()` (read when the user acts); true once it is on the ledger. */
  async function permit(spender: string, fen: () => Promise<bigint> | bigint): Promise<boolean> {
    setBusy(true);
    setError(null);
    const key = `permit-${spender}`;
    try {
      const value = await fen();
      const signer = session.signer ?? (await browserWalletSigner());
      message.open({ key, type: "loading", content: t("act.sending"), duration: 0 });
      const result = await relayPermit(signer, spender, value, () =>
        message.open({ key, type: "loading", content: t("act.signing"), duration: 0 }),
      );
      message.open({ key, type: "success", content: t("act.done", { block: result.blockNumber }) });
      await queryClient.invalidateQueries();
      return true;
    } catch (failure) {
      message.destroy(key);
      setError(failure);
      return false;
    } finally {
      setBusy(false);
    }
  }

  return { permit, busy, error };
}
