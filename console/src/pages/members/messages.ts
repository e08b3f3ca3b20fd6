/** Text of the hospital's members page, English and Chinese (zh gives every key of en). */
export const en = {
  "nav.members": "Members",
  "members.title": "Members of the hospital",
  "members.intro":
    "The accounts that act for the hospital on the ledger, with their roles: approvers fund orders, settlers confirm deliveries for payment, receivers record goods received. The hospital account invites an account; it becomes a member once it accepts in its own console.",
  "members.table": "Members and open invitations",
  "members.none": "No members and no open invitations.",
  "members.account": "Account",
  "members.roles": "Roles",
  "members.status.member": "Member",
  "members.status.invited": "Invited, not yet accepted",
  "members.remove": "Remove",
  "members.remove.confirm":
    "Remove this member? Once recorded, the account can no longer act for the hospital.",
  "members.remove.confirmSettler":
    "This account pays suppliers through this gateway. Once it is removed, payments stop until the gateway is given another settler's key. Remove it?",
  "members.gatewaySettler": "Pays suppliers through this gateway",
  "members.withdraw": "Withdraw invitation",
  "members.withdraw.confirm": "Withdraw this invitation? The account can no longer accept it.",
  "members.change": "Change roles or name",
  "members.form.title": "Invite an account, change its roles or name it",
  "members.form.hint":
    "Enter the account's address (0x…, 42 characters) and its roles. A new account is only invited until it accepts; a member's new roles hold once recorded.",
  "members.form.account": "Account address",
  "members.form.accountInvalid": "Give an account address: 0x followed by 40 hexadecimal characters",
  "members.form.invite": "Invite",
  "members.form.name": "Name on the hospital's pages (kept by the gateway, not on the ledger)",
  "members.form.nameAfterInvite": "Invite the account first; then give it a name.",
  "members.form.saveName": "Save name",
  "members.form.nameSaved": "Name saved.",
  "members.form.save": "Save roles",
} as const;

export const zh: Record<keyof typeof en, string> = {
  "nav.members": "成员",
  "members.title": "本院成员",
  "members.intro":
    "代表本院在账本上办理业务的账户及其角色：采购审批人审批订单并冻结相应资金；结算确认到货以便付款；库房验收登记到货。由医院账户发出邀请，对方在自己的控制台接受后即成为成员。",
  "members.table": "成员及待接受的邀请",
  "members.none": "暂无成员，也没有待接受的邀请。",
  "members.account": "账户",
  "members.roles": "角色",
  "members.status.member": "成员",
  "members.status.invited": "已邀请，尚未接受",
  "members.remove": "移除",
  "members.remove.confirm": "确定移除该成员？操作完成后，该账户即不能再代表本院办理业务。",
  "members.remove.confirmSettler":
    "该账户负责通过本网关向供应商付款。移除后，在网关改用其他结算账户的密钥之前，付款将暂停。确定移除？",
  "members.gatewaySettler": "通过本网关向供应商付款",
  "members.withdraw": "撤回邀请",
  "members.withdraw.confirm": "确定撤回该邀请？对方将无法再接受。",
  "members.change": "修改角色或名称",
  "members.form.title": "邀请账户、修改角色或名称",
  "members.form.hint":
    "请填写账户地址（0x 开头，共 42 个字符）并选择角色。新账户在接受前仅为受邀状态；成员的新角色在操作完成后即生效。",
  "members.form.account": "账户地址",
  "members.form.accountInvalid": "请输入账户地址：0x 后接 40 个十六进制字符",
  "members.form.invite": "邀请",
  "members.form.name": "在本院页面上显示的名称（由网关保存，不上链）",
  "members.form.nameAfterInvite": "请先邀请该账户，再为其命名。",
  "members.form.saveName": "保存名称",
  "members.form.nameSaved": "名称已保存。",
  "members.form.save": "保存角色",
} as const;
