import { useQuery } from "@tanstack/react-query";
import { Button, Space, Table, Tag, Typography } from "antd";
import { useState } from "react";
import type { Member } from "../../../../api/members";
import { ActButton } from "../../components/ActButton";
import { PartyName } from "../../components/PartyName";
import { TAG } from "../../components/tag-colours";
import { useI18n } from "../../i18n/i18n";
import { fetchAll } from "../../lib/api";
import { useSession } from "../../lib/session";
import { useFormat } from "../../lib/use-format";
import { useHospitalRegistry } from "../../lib/hospital-registry";
import { MemberForm, type Editing } from "./MemberForm";

/**
 * GET /v1/members: the hospital's members and the invitations it has open, with their roles as
 * the ledger holds them. Its staff read it; the hospital account invites accounts, changes a
 * member's roles and removes members (relayed `setMemberRoles`). Few by nature: one table.
 */
export function MembersPage() {
  const { t } = useI18n();
  const { dateTime } = useFormat();
  const { session, config } = useSession();
  const admin = session?.roles.includes("hospital-admin") ?? false;
  // The gateway's own settler: removing it stops the payments this gateway makes.
  const gatewaySettler = (address: string) => address.toLowerCase() === config?.settler?.toLowerCase();
  const registry = useHospitalRegistry();
  const members = useQuery({ queryKey: ["/v1/members"], queryFn: () => fetchAll<Member>("/v1/members") });
  // A row's "Change roles" puts its account and roles in the form below.
  const [editing, setEditing] = useState<Editing | null>(null);
  const caption = t("members.table");
  return (
    <section>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t("members.title")}
      </Typography.Title>
      <Typography.Paragraph>{t("members.intro")}</Typography.Paragraph>
      <Space orientation="vertical" size="large" style={{ width: "100%" }}>
        <Table<Member>
          aria-label={caption}
          size="small"
          pagination={false}
          loading={members.isPending}
          rowKey={(m) => `${m.address}-${m.status}`}
          dataSource={members.data ?? []}
          scroll={{ x: "max-content" }}
          locale={{ emptyText: <Typography.Text type="secondary">{t("members.none")}</Typography.Text> }}
          columns={[
            { title: t("members.account"), render: (_, m) => <PartyName address={m.address} /> },
            {
              title: t("members.roles"),
              render: (_, m) => (
                <Space size={4} wrap>
                  {m.roles.map((r) => (
                    <Tag key={r} color={TAG.info}>
                      {t(`role.hospital-${r}`)}
                    </Tag>
                  ))}
                  {gatewaySettler(m.address) && <Tag color={TAG.warning}>{t("members.gatewaySettler")}</Tag>}
                </Space>
              ),
            },
            {
              title: t("common.status"),
              render: (_, m) =>
                m.status === "member" ? (
                  <Tag color={TAG.good}>{t("members.status.member")}</Tag>
                ) : (
                  <Space orientation="vertical" size={0}>
                    <Tag color={TAG.waiting}>{t("members.status.invited")}</Tag>
                    <Typography.Text type="secondary">{dateTime(m.invitedAt!)}</Typography.Text>
                  </Space>
                ),
            },
            ...(admin
              ? [
                  {
                    title: t("common.actions"),
                    render: (_: unknown, m: Member) => (
                      <Space wrap>
                        <ActButton
                          danger
                          confirm={t(
                            m.status === "invited"
                              ? "members.withdraw.confirm"
                              : gatewaySettler(m.address)
                                ? "members.remove.confirmSettler"
                                : "members.remove.confirm",
                          )}
                          call={() => registry.setMemberRoles(m.address, [])}
                        >
                          {t(m.status === "member" ? "members.remove" : "members.withdraw")}
                        </ActButton>
                        <Button
                          onClick={() => setEditing({ address: m.address, roles: m.roles, name: m.name })}
                        >
                          {t("members.change")}
                        </Button>
                      </Space>
                    ),
                  },
                ]
              : []),
          ]}
        />
        {admin && <MemberForm members={members.data ?? []} editing={editing} />}
      </Space>
    </section>
  );
}
