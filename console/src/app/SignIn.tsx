import { Alert, Button, Card, List, Space, Typography } from "antd";
import { useState } from "react";
import { ErrorAlert } from "../components/ErrorAlert";
import { useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/en";
import { useSession } from "../lib/session";
import { browserWalletSigner, demoSigner, hasBrowserWallet } from "../lib/signers";

/**
 * Sign-in: a browser wallet, or on a local development chain one of the demo accounts (the
 * gateway lists them only there).
 */
export function SignIn() {
  const { t } = useI18n();
  const { config, signIn } = useSession();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);

  async function run(who: string, signer: () => Promise<Parameters<typeof signIn>[0]>, demoKey?: string) {
    setBusy(who);
    setError(null);
    try {
      await signIn(await signer(), demoKey);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  }

  const demo = config?.localChain ? config.demoAccounts : [];
  return (
    <main style={{ maxWidth: 720, margin: "48px auto", padding: "0 16px" }}>
      <Card
        title={
          <Typography.Title level={1} style={{ margin: 0, fontSize: 24 }}>
            {t("signIn.title")}
          </Typography.Title>
        }
      >
        <Space orientation="vertical" size="large" style={{ width: "100%" }}>
          {error !== null && <ErrorAlert error={error} />}
          {hasBrowserWallet() ? (
            <Button
              type="primary"
              loading={busy === "wallet"}
              onClick={() => run("wallet", browserWalletSigner)}
            >
              {t("signIn.wallet")}
            </Button>
          ) : (
            <Alert type="info" showIcon title={t("signIn.walletMissing")} />
          )}
          {demo.length > 0 && (
            <section aria-labelledby="demo-accounts">
              <Typography.Title level={2} id="demo-accounts" style={{ fontSize: 18 }}>
                {t("signIn.demo")}
              </Typography.Title>
              <Typography.Paragraph type="secondary">{t("signIn.demoHint")}</Typography.Paragraph>
              <List
                dataSource={demo}
                renderItem={(a) => (
                  <List.Item
                    actions={[
                      <Button
                        key="sign-in"
                        aria-label={t("signIn.as", { name: a.name })}
                        loading={busy === a.address}
                        onClick={() => run(a.address, async () => demoSigner(a.privateKey), a.privateKey)}
                      >
                        {t("signIn.title")}
                      </Button>,
                    ]}
                  >
                    <List.Item.Meta
                      title={a.name}
                      description={
                        <Space wrap>
                          <span>{t(`role.${a.role}` as MessageKey)}</span>
                          <Typography.Text code style={{ wordBreak: "break-all" }}>
                            {a.address}
                          </Typography.Text>
                        </Space>
                      }
                    />
                  </List.Item>
                )}
              />
            </section>
          )}
        </Space>
      </Card>
    </main>
  );
}
