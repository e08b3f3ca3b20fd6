import { useQuery } from "@tanstack/react-query";
import { Card, Space, Typography } from "antd";
import type { InvitationList } from "../../../api/members";
import { ActButton } from "../components/ActButton";
import { PartyName } from "../components/PartyName";
import { useI18n } from "../i18n/i18n";
import { api } from "../lib/api";
import { useNames } from "../lib/names";
import { useSession } from "../lib/session";
import { useFormat } from "../lib/use-format";
import { short } from "../lib/format";
import { useHospitalRegistry } from "../lib/hospital-registry";

/**
 * The hospitals' invitations addressed to the signed-in account (GET /v1/invitations), on the
 * start page: an invited account has no role yet, so no other page would show them. Accepting
 * is a relayed `acceptMembership`; the console then signs in again, so that the token carries
 * the roles the ledger now gives.
 */
export function Invitations() {
  const { t, tn } = useI18n();
  const { dateTime } = useFormat();
  const { session, config, renew } = useSession();
  const names = useNames();
  const registry = useHospitalRegistry();
  const invitations = useQuery({
    queryKey: ["/v1/invitations", session?.address],
    enabled: session !== null,
    queryFn: () => api.get<InvitationList>("/v1/invitations"),
  });
  const items = invitations.data?.items ?? [];
  if (items.length === 0 || !config || !session) return null;
  // One hospital at a time: the ledger refuses to let a member accept another's invitation.
  const current = session.hospital;
  return (
    <Card
      role="region"
      aria-labelledby="invitations-title"
      title={
        <Typography.Title level={2} id="invitations-title" style={{ fontSize: 18, margin: 0 }}>
          {t("home.invitations")}
        </Typography.Title>
      }
    >
      <Space orientation="vertical" size="middle">
        {items.map((i) => {
          const hospital = names(i.hospital) ?? short(i.hospital);
          return (
            <Space key={i.hospital} orientation="vertical" size={4}>
              <Typography.Text>
                {tn("home.invitation", {
                  hospital: <PartyName address={i.hospital} />,
                  roles: i.roles.map((r) => t(`role.hospital-${r}`)).join(t("common.listSeparator")),
                  date: dateTime(i.invitedAt),
                })}
              </Typography.Text>
              {current === null ? (
                <ActButton
                  type="primary"
                  call={() => registry.acceptMembership(i.hospital)}
                  onDone={() => void renew()}
                >
                  {t("home.invitation.accept", { hospital })}
                </ActButton>
              ) : (
                <Typography.Text type="secondary">
                  {tn("home.invitation.memberElsewhere", { hospital: <PartyName address={current} /> })}
                </Typography.Text>
              )}
            </Space>
          );
        })}
        <Typography.Text type="secondary">{t("home.invitation.hint")}</Typography.Text>
      </Space>
    </Card>
  );
}
