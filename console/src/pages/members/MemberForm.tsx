import { Card, Checkbox, Form, Input, Space, Typography } from "antd";
import { isAddress } from "ethers";
import { useEffect, useState } from "react";
import type { Member, MemberRole } from "../../../../api/members";
import { ActButton } from "../../components/ActButton";
import { useI18n } from "../../i18n/i18n";
import { useHospitalRegistry } from "../../lib/hospital-registry";

const ROLES: readonly MemberRole[] = ["approver", "settler", "receiver"];

/**
 * The hospital account invites an account with roles, or gives a member other roles. An invited
 * account joins only when it accepts, in its own console; a member's new roles hold from the next
 * block. The ledger refuses the hospital's own account, another hospital's and another hospital's
 * member (HospitalInvalidMember, HospitalMemberOfOther), in words the console gives.
 */
export function MemberForm({
  members,
  editing,
}: {
  members: Member[];
  editing: { address: string; roles: MemberRole[] } | null;
}) {
  const { t } = useI18n();
  const registry = useHospitalRegistry();
  const [address, setAddress] = useState("");
  const [roles, setRoles] = useState<MemberRole[]>([]);
  useEffect(() => {
    if (editing === null) return;
    setAddress(editing.address);
    setRoles(editing.roles);
  }, [editing]);
  const typed = address.trim();
  const valid = isAddress(typed);
  const member = members.find(
    (m) => m.status === "member" && m.address.toLowerCase() === typed.toLowerCase(),
  );
  return (
    <Card
      id="member-form"
      role="region"
      aria-labelledby="member-form-title"
      title={
        <Typography.Title level={2} id="member-form-title" style={{ fontSize: 18, margin: 0 }}>
          {t("members.form.title")}
        </Typography.Title>
      }
    >
      <Typography.Paragraph>{t("members.form.hint")}</Typography.Paragraph>
      <Form layout="vertical" component="div">
        <Form.Item
          label={t("members.form.account")}
          htmlFor="member-account"
          validateStatus={typed && !valid ? "error" : undefined}
          help={typed && !valid ? t("members.form.accountInvalid") : undefined}
        >
          <Input
            id="member-account"
            value={address}
            placeholder="0x…"
            spellCheck={false}
            onChange={(e) => setAddress(e.target.value)}
            style={{ maxWidth: 460 }}
          />
        </Form.Item>
        <Form.Item label={t("members.roles")}>
          <Checkbox.Group<MemberRole>
            value={roles}
            onChange={setRoles}
            options={ROLES.map((r) => ({ value: r, label: t(`role.hospital-${r}`) }))}
          />
        </Form.Item>
        <Space>
          <ActButton
            type="primary"
            // No roles would remove a member: the table's Remove says so and asks first.
            disabled={!valid || roles.length === 0}
            call={() => registry.setMemberRoles(typed, roles)}
            onDone={() => {
              setAddress("");
              setRoles([]);
            }}
          >
            {t(member ? "members.form.save" : "members.form.invite")}
          </ActButton>
        </Space>
      </Form>
    </Card>
  );
}
