import { App, Button } from "antd";
import { useState } from "react";
import { SettlementToken__factory } from "../../../typechain-types";
import { useI18n } from "../i18n/i18n";
import { useSession } from "../lib/session";
import { browserWalletSigner } from "../lib/signers";

/**
 * Approves `spender` for `amount` of the settlement token from the user's browser wallet, as the
 * wallet's own transaction: the token is not an ERC-2771 contract, so the relay cannot send its
 * approve. Offered only to a wallet session (a demo key has no network to send from).
 */
export function WalletApprove(props: {
  token: string;
  spender: string;
  amount: string;
  onDone: () => void;
  label: string;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const session = useSession();
  const [busy, setBusy] = useState(false);
  if (!session.viaWallet) return null;

  async function approve() {
    setBusy(true);
    try {
      const signer = session.signer?.provider ? session.signer : await browserWalletSigner();
      const token = SettlementToken__factory.connect(props.token, signer);
      const receipt = await (await token.approve(props.spender, BigInt(props.amount))).wait();
      message.success(t("act.done", { block: receipt?.blockNumber ?? "?" }));
      props.onDone();
    } catch (error) {
      message.error(error instanceof Error ? error.message : String(error), 8);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Button type="primary" loading={busy} onClick={approve}>
      {props.label}
    </Button>
  );
}
