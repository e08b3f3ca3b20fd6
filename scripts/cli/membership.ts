import { ethers } from "ethers";
import type { Invitation, InvitationList, Member, MemberPage, NameMember } from "../../api/members";
import * as act from "../../ledger/acts";
import { hospitalRoleBits, hospitalRoleNames } from "../../ledger/roles";
import { parseReason, reasonFields, reasonOption, UsageError, type CommandSpec } from "./command";
import { chainAct } from "./options";
import { list, record } from "./output";
import { all } from "./stock";

/**
 * Hospitals and their members: a regulator enrols a hospital (its own account); the hospital
 * account invites accounts with role bits and sets its approval threshold; an invited account
 * becomes a member only when it accepts, and may leave; a regulator may unbind a member.
 */

type RoleName = keyof typeof act.HOSPITAL_ROLES;
const ROLE_NAMES = Object.keys(act.HOSPITAL_ROLES) as RoleName[];

/** `approver,receiver` as role bits; `none` is 0. */
function parseRoles(names: string[]): number {
  if (names.length === 1 && names[0] === "none") return 0;
  if (names.length === 0) throw new UsageError("--roles is required");
  for (const name of names) {
    if (!(ROLE_NAMES as string[]).includes(name))
      throw new UsageError(`--roles takes ${ROLE_NAMES.join(", ")} or none (got "${name}")`);
  }
  return hospitalRoleBits(names as RoleName[]);
}

export const enrolHospital: CommandSpec = {
  path: ["enrol-hospital"],
  summary: "enrol a hospital: its own account identifies it and funds its orders (regulators)",
  details:
    "Only the name's keccak256 goes on chain; `sunshine regulator publish-hospital-name` then gives the gateway the name itself, so its pages show it.",
  options: {
    hospital: { type: "string", value: "<address>", description: "the hospital's account", required: true },
    name: {
      type: "string",
      value: "<name>",
      description: "its registered name (only its hash goes on chain)",
      required: true,
    },
  },
  examples: [
    'sunshine regulator enrol-hospital --hospital 0x976EA74026E726554dB657fA54763abd0C3a0aa9 --name "City General Hospital"',
  ],
  async run(ctx, o) {
    const hospital = o.address("hospital");
    const name = o.string("name");
    const chain = await ctx.chain();
    const nameHash = ethers.id(name);
    await act.sent(chain.ledger.hospitals.connect(chain.signer).enrolHospital(hospital, nameHash));
    return record(chainAct(chain, { hospital, name, nameHash, enrolled: true }));
  },
};

export const setMember: CommandSpec = {
  path: ["set-member"],
  summary: "invite an account with roles, change a member's roles, or remove it (the hospital account)",
  details:
    "An account that is not yet a member is only invited: it joins with `sunshine hospital accept-membership`. --roles none removes a member or withdraws an invitation.",
  options: {
    member: { type: "string", value: "<address>", description: "the account", required: true },
    roles: {
      type: "string",
      multiple: true,
      value: "<roles>",
      description: `${ROLE_NAMES.join(", ")} (repeat or comma-separate), or none`,
      required: true,
    },
  },
  examples: [
    "sunshine hospital set-member --member 0x14dC79964da2C08b23698B3D3cc7Ca32193d9955 --roles approver",
    "sunshine hospital set-member --member 0x14dC79964da2C08b23698B3D3cc7Ca32193d9955 --roles none",
  ],
  async run(ctx, o) {
    const member = o.address("member");
    const roles = parseRoles(o.list("roles"));
    const chain = await ctx.chain();
    const { hospitals } = chain.ledger;
    const receipt = await act.sent(hospitals.connect(chain.signer).setMemberRoles(member, roles));
    const invited = act.eventsOf(receipt, hospitals, "MemberInvited").length > 0;
    const status = invited
      ? roles === 0
        ? "invitation withdrawn"
        : "invited"
      : roles === 0
        ? "removed"
        : "member";
    return record(
      chainAct(chain, { hospital: chain.address, member, roles: hospitalRoleNames(roles), status }),
    );
  },
};

export const acceptMembership: CommandSpec = {
  path: ["accept-membership"],
  summary: "accept a hospital's invitation and join it with the roles it invited you with",
  options: {
    hospital: { type: "string", value: "<address>", description: "the inviting hospital", required: true },
  },
  positional: "hospital",
  examples: ["sunshine hospital accept-membership --hospital 0x976EA74026E726554dB657fA54763abd0C3a0aa9"],
  async run(ctx, o) {
    const hospital = o.address("hospital");
    const chain = await ctx.chain();
    await act.sent(chain.ledger.hospitals.connect(chain.signer).acceptMembership(hospital));
    const roles = await chain.ledger.hospitals.memberRoles(hospital, chain.address);
    return record(chainAct(chain, { hospital, member: chain.address, roles: hospitalRoleNames(roles) }));
  },
};

export const leaveHospital: CommandSpec = {
  path: ["leave-hospital"],
  summary: "leave the hospital you are a member of (works while the ledger is paused)",
  options: {},
  examples: ["sunshine hospital leave-hospital"],
  async run(ctx) {
    const chain = await ctx.chain();
    const receipt = await act.sent(chain.ledger.hospitals.connect(chain.signer).leaveHospital());
    const [left] = act.eventsOf(receipt, chain.ledger.hospitals, "MemberLeft");
    return record(chainAct(chain, { hospital: left.hospital as string, member: chain.address, left: true }));
  },
};

export const unbindMember: CommandSpec = {
  path: ["unbind-member"],
  summary: "remove a member from its hospital (regulators; works while the ledger is paused)",
  options: {
    member: { type: "string", value: "<address>", description: "the member's account", required: true },
    ...reasonOption("unbindMember"),
  },
  positional: "member",
  examples: [
    "sunshine regulator unbind-member --member 0x14dC79964da2C08b23698B3D3cc7Ca32193d9955 --reason member_left",
  ],
  async run(ctx, o) {
    const member = o.address("member");
    const reason = parseReason(o, "unbindMember");
    const chain = await ctx.chain();
    const receipt = await act.sent(
      chain.ledger.hospitals.connect(chain.signer).unbindMember(member, reason.code),
    );
    const [unbound] = act.eventsOf(receipt, chain.ledger.hospitals, "MemberUnbound");
    return record(
      chainAct(chain, {
        hospital: unbound.hospital as string,
        member,
        ...reasonFields(reason),
        unbound: true,
      }),
    );
  },
};

export const setThreshold: CommandSpec = {
  path: ["set-threshold"],
  summary:
    "set the threshold past which an order needs two approvers (its 30-day placed value under the agreement; the hospital account)",
  details:
    "Counted per agreement over a rolling 30 days: the hospital's approved value drains at one threshold per 30 days, and an order that would take it past the threshold needs a second approver.",
  options: {
    amount: {
      type: "string",
      value: "<units>",
      description: "the threshold in settlement token base units",
      required: true,
    },
  },
  positional: "amount",
  examples: ["sunshine hospital set-threshold --amount 5000000"],
  async run(ctx, o) {
    const threshold = o.id("amount");
    const chain = await ctx.chain();
    await act.sent(chain.ledger.hospitals.connect(chain.signer).setApprovalThreshold(threshold));
    return record(chainAct(chain, { hospital: chain.address, threshold }));
  },
};

export const members: CommandSpec = {
  path: ["members"],
  summary:
    "list your hospital's members and open invitations with their roles (every hospital's for a regulator)",
  options: {
    invited: { type: "boolean", description: "only the invitations not accepted yet" },
    hospital: {
      type: "string",
      value: "<address>",
      description: "only this hospital's (a regulator's choice)",
    },
  },
  examples: ["sunshine hospital members --gateway http://127.0.0.1:8080"],
  async run(ctx, o) {
    const params = new URLSearchParams();
    if (o.flag("invited")) params.set("status", "invited");
    if (o.has("hospital")) params.set("hospital", o.address("hospital"));
    const query = params.size > 0 ? `?${params}` : "";
    const items = await all<MemberPage, Member>(await ctx.gateway(), `/v1/members${query}`);
    return list(
      items.map((m) => ({
        hospital: m.hospital,
        account: m.address,
        status: m.status,
        roles: m.roles.join(","),
      })),
      { json: items, empty: o.flag("invited") ? "no open invitations" : "no members" },
    );
  },
};

export const invitations: CommandSpec = {
  path: ["invitations"],
  summary: "list the hospitals' invitations addressed to you, to accept with accept-membership",
  options: {},
  examples: ["sunshine hospital invitations --gateway http://127.0.0.1:8080"],
  async run(ctx) {
    const { items } = await (await ctx.gateway()).get<InvitationList>("/v1/invitations");
    return list(
      items.map((i: Invitation) => ({
        hospital: i.hospital,
        roles: i.roles.join(","),
        invitedAt: i.invitedAt,
      })),
      { json: items, empty: "no invitations addressed to you" },
    );
  },
};

export const nameMember: CommandSpec = {
  path: ["name-member"],
  summary:
    "give a member or invitee the name your hospital's pages show (the hospital account; kept by the gateway)",
  options: {
    member: {
      type: "string",
      value: "<address>",
      description: "the member's or invitee's account",
      required: true,
    },
    name: {
      type: "string",
      value: "<name>",
      description: "e.g. a person and their department",
      required: true,
    },
  },
  examples: [
    'sunshine hospital name-member --member 0x14dC79964da2C08b23698B3D3cc7Ca32193d9955 --name "Wang Fang, procurement"',
  ],
  async run(ctx, o) {
    const body: NameMember = { name: o.string("name") };
    const named = await (await ctx.gateway()).put<Member>(`/v1/members/${o.address("member")}/name`, body);
    return record({
      hospital: named.hospital,
      member: named.address,
      name: named.name ?? undefined,
      status: named.status,
    });
  },
};
