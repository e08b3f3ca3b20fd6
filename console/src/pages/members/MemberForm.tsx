import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Button, Card, Checkbox, Form, Input, Space, Tag, Typography } from "antd";
import { isAddress } from "ethers";
import { useEffect, useState } from "react";
import { MEMBER_NAME_MAX_LENGTH, type Member, type MemberRole } from "../../../../api/members";
import { ActButton } from "../../components/ActButton";
import { ErrorAlert } from "../../components/ErrorAlert";
import { TAG } from "../../components/tag-colours";
import { useI18n } from "../../i18n/i18n";
import { api } from "../../lib/api";
import { useHospitalRegistry } from "../../lib/hospital-registry";

const ROLES: readonly MemberRole[] = ["approver", "settler", "receiver"];

/** What a row's "Change roles or name" puts in the form. */
export type Editing = Pick<Member, "address" | "roles" | "name">;

/**
 * The hospital account invites an account with roles, or gives a member other roles. An invited
 * account joins only when it accepts, in its own console; a member's new roles hold once
 * recorded. The ledger refuses the hospital's own account, another hospital's and another
 * hospital's member (HospitalInvalidMember, HospitalMemberOfOther), in words the console gives.
 * A member or invitee can also be named for the hospital's pages (PUT /v1/members/{address}/name):
 * the gateway keeps the name, the ledger knows the account by its address only.
 */
export function MemberForm({ members, editing }: { members: Member[]; editing: Editing | null }) {
  const { t } = useI18n();
  const registry = useHospitalRegistry();
  const queryClient = useQueryClient();
  const [address, setAddress] = useState("");
  const [roles, setRoles] = useState<MemberRole[]>([]);
  const [name, setName] = useState("");
  const saveName = useMutation({
    mutationFn: (body: { address: string; name: string }) =>
      api.put<Member>(`/v1/members/${body.address}/name`, { name: body.name }),
    // The name shows wherever the account does: every page's names are read again.
    onSuccess: () => queryClient.invalidateQueries(),
  });
  useEffect(() => {
    if (editing === null) return;
    setAddress(editing.address);
    setRoles(editing.roles);
    setName(editing.name ?? "");
  }, [editing]);
  const typed = address.trim();
  const valid = isAddress(typed);
  const listed = members.filter((m) => m.address.toLowerCase() === typed.toLowerCase());
  const member = listed.some((m) => m.status === "member");
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
            onChange={(e) => {
              setAddress(e.target.value);
              saveName.reset();
            }}
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
          >
            {t(member ? "members.form.save" : "members.form.invite")}
          </ActButton>
        </Space>
        <Form.Item
          label={t("members.form.name")}
          htmlFor="member-name"
          extra={valid && listed.length === 0 ? t("members.form.nameAfterInvite") : undefined}
          style={{ marginTop: 24 }}
        >
          <Space wrap>
            <Input
              id="member-name"
              value={name}
              maxLength={MEMBER_NAME_MAX_LENGTH}
              onChange={(e) => {
                setName(e.target.value);
                saveName.reset();
              }}
              style={{ width: 320 }}
            />
            <Button
              // The gateway names only the hospital's members and invitees.
              disabled={listed.length === 0 || !name.trim()}
              loading={saveName.isPending}
              onClick={() => saveName.mutate({ address: typed, name: name.trim() })}
            >
              {t("members.form.saveName")}
            </Button>
            {/* Ant Design's success green reads below AA contrast: a tag in the console's colours. */}
            {saveName.isSuccess && <Tag color={TAG.good}>{t("members.form.nameSaved")}</Tag>}
          </Space>
        </Form.Item>
        {saveName.error !== null && <ErrorAlert error={saveName.error} />}
      </Form>
    </Card>
  );
}
