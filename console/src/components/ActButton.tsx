import { useQueryClient } from "@tanstack/react-query";
import { Button, Popconfirm, type ButtonProps } from "antd";
import { useState } from "react";
import { useI18n } from "../i18n/i18n";
import { relayAct } from "../lib/relay";
import { useSession } from "../lib/session";
import { browserWalletSigner } from "../lib/signers";
import { useActToasts } from "./ActToasts";

/**
 * A button that performs one ledger act through the relay: `call()` says which contract and
 * calldata. The user sees the signing, the sending and the outcome (block, or the ledger's
 * refusal in plain words); on success every query is refreshed, as the act may show anywhere.
 */
export function ActButton(
  props: Omit<ButtonProps, "onClick"> & {
    call: () => Promise<{ to: string; data: string }> | { to: string; data: string };
    onDone?: (result: { txHash: string; blockNumber: number }) => void;
    /** For an act that cannot be undone (a cancellation): asked before anything is signed. */
    confirm?: string;
  },
) {
  const { call, onDone, confirm, children, ...button } = props;
  const { t } = useI18n();
  const toasts = useActToasts();
  const session = useSession();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);

  async function run() {
    setBusy(true);
    const toast = toasts(`act-${Date.now()}`);
    try {
      const { to, data } = await call();
      const signer = session.signer ?? (await browserWalletSigner());
      toast.sending();
      const result = await relayAct(signer, to, data, toast.signing);
      toast.done(result.blockNumber);
      await queryClient.invalidateQueries();
      onDone?.(result);
    } catch (error) {
      toast.failed(error);
    } finally {
      setBusy(false);
    }
  }

  if (confirm === undefined)
    return (
      <Button {...button} loading={busy} onClick={run}>
        {children}
      </Button>
    );
  return (
    <Popconfirm title={confirm} okText={t("act.confirm")} cancelText={t("act.keep")} onConfirm={run}>
      <Button {...button} loading={busy}>
        {children}
      </Button>
    </Popconfirm>
  );
}
