import { useQueryClient } from "@tanstack/react-query";
import { App, Button, Popconfirm, Typography, type ButtonProps } from "antd";
import { useState } from "react";
import { useI18n } from "../i18n/i18n";
import { relayAct } from "../lib/relay";
import { useSession } from "../lib/session";
import { browserWalletSigner } from "../lib/signers";
import { errorText } from "../i18n/error-text";

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
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const session = useSession();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);

  async function run() {
    setBusy(true);
    const key = `act-${Date.now()}`;
    try {
      const { to, data } = await call();
      const signer = session.signer ?? (await browserWalletSigner());
      message.open({ key, type: "loading", content: t("act.sending"), duration: 0 });
      const result = await relayAct(signer, to, data, () =>
        message.open({ key, type: "loading", content: t("act.signing"), duration: 0 }),
      );
      message.open({ key, type: "success", content: t("act.done", { block: result.blockNumber }) });
      await queryClient.invalidateQueries();
      onDone?.(result);
    } catch (error) {
      // The sentence first; the error's name, which a reader need not understand, in small grey
      // print below it for whoever they call for help.
      const { title, code } = errorText(error, lang, t);
      const content =
        code === null ? (
          title
        ) : (
          <span>
            {title}
            <br />
            <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="act-error-code">
              {t("act.errorCode", { code })}
            </Typography.Text>
          </span>
        );
      message.open({ key, type: "error", content, duration: 10 });
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
