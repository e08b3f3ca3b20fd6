import { Alert, Typography } from "antd";
import { PartyName } from "../components/PartyName";
import { useI18n } from "../i18n/i18n";
import { useSession } from "../lib/session";
import { Invitations } from "./Invitations";

export function Home() {
  const { t, tn } = useI18n();
  const { session } = useSession();
  if (!session) return null;
  return (
    <section>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {tn("home.welcome", { address: <PartyName address={session.address} /> })}
      </Typography.Title>
      {session.roles.length === 0 ? (
        <Alert type="info" showIcon title={t("home.noRole")} />
      ) : (
        <p>{t("home.pick")}</p>
      )}
      <Invitations />
    </section>
  );
}
